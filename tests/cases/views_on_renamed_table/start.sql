CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.old_items (id integer PRIMARY KEY, name text);
RESET ROLE;
INSERT INTO app.old_items VALUES (1, 'pen');
