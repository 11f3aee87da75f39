CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE app.old_span AS RANGE (subtype = integer);
CREATE TABLE app.items (id integer PRIMARY KEY, name text, during app.old_span);
CREATE VIEW app.old_names AS SELECT id, name FROM app.items;
RESET ROLE;
INSERT INTO app.items VALUES (1, 'pen', '[1,5)');
