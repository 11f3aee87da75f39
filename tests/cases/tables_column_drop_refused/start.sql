CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
CREATE TABLE general.notes (id bigint PRIMARY KEY, body text, draft text);
ALTER TABLE general.notes OWNER TO owner;
INSERT INTO general.notes VALUES (1, 'kept', 'would be lost');
