CREATE ROLE owner;
CREATE ROLE app LOGIN;
-- stored as the text 'general, public'; declared as a list
ALTER ROLE app SET search_path = general, public;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id bigint NOT NULL CONSTRAINT notes_pkey PRIMARY KEY, body text);
RESET ROLE;
