CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.items (id integer PRIMARY KEY, name text NOT NULL, legacy text);
-- loses its column legacy: dropped and created again, with the view on it
CREATE VIEW app.item_names AS SELECT id, name, legacy FROM app.items;
CREATE VIEW app.named AS SELECT id FROM app.item_names WHERE name <> '';
GRANT SELECT ON app.named TO reader;
-- keeps its columns, stops reading legacy: replaced in place
CREATE VIEW app.item_codes AS SELECT id, legacy AS code FROM app.items;
RESET ROLE;
INSERT INTO app.items SELECT g, 'item ' || g, 'old ' || g FROM generate_series(1, 40) AS g;
