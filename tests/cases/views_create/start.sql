CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.items (id integer PRIMARY KEY, name text, price numeric);
RESET ROLE;
INSERT INTO app.items VALUES (1, 'pen', 2), (2, 'car', 2000);
