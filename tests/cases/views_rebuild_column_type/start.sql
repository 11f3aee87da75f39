CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE FUNCTION app.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
RETURN lower(t);
REVOKE EXECUTE ON FUNCTION app.norm(text) FROM PUBLIC;
CREATE TABLE app.items (id integer PRIMARY KEY, name varchar(20) NOT NULL, qty integer NOT NULL);
CREATE INDEX items_norm_idx ON app.items (app.norm(name));
-- two layers of views over the retyped columns
CREATE VIEW app.item_list AS SELECT id, name, qty FROM app.items;
CREATE VIEW app.big_items AS SELECT id, name FROM app.item_list WHERE qty > 50;
GRANT SELECT ON app.big_items TO reader;
COMMENT ON VIEW app.big_items IS 'items with qty over 50';
-- reads qty only in its WHERE: its columns do not change, it is rebuilt all the same
CREATE MATERIALIZED VIEW app.item_ids AS SELECT id FROM app.items WHERE qty > 0;
RESET ROLE;
INSERT INTO app.items SELECT g, 'Item ' || g, g FROM generate_series(1, 100) AS g;
