CREATE FUNCTION app.norm(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN lower(t);

CREATE VIEW app.item_list AS SELECT id, name, qty FROM app.items;

CREATE VIEW app.big_items AS SELECT id, name FROM app.item_list WHERE qty > 50;

CREATE MATERIALIZED VIEW app.item_ids AS SELECT id FROM app.items WHERE qty > 0;
