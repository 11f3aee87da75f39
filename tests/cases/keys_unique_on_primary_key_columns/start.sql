CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.accounts (id integer PRIMARY KEY, code text);
RESET ROLE;
INSERT INTO general.accounts VALUES (1, 'a'), (2, 'b');
