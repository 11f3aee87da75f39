CREATE COLLATION app.ci (provider = libc, locale = 'C');

CREATE TYPE app.dims AS (width integer, height integer);

CREATE FUNCTION app.clean(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN lower(btrim(t));

CREATE FUNCTION app.touch() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER items_touch BEFORE UPDATE ON app.items
FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
EXECUTE FUNCTION app.touch();

-- calls a function, so import must keep it (the function is declared too)
CREATE VIEW app.item_names AS
SELECT id, app.clean(name) AS name, (size).width AS width FROM app.items;

CREATE VIEW app.wide_items AS
SELECT id, name FROM app.item_names WHERE width > 10;

CREATE MATERIALIZED VIEW app.item_count AS
SELECT count(*) AS n FROM app.items
WITH NO DATA;

CREATE TYPE app.span AS RANGE (subtype = integer);

-- calls the range type's constructor, which belongs to the type
CREATE VIEW app.item_spans AS
SELECT id, app.span(id, id + 10) AS s FROM app.items;
