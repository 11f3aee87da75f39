CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE COLLATION app.old_sorted (provider = libc, locale = 'C');
CREATE TYPE app.old_address AS (street text, city text);
CREATE TABLE app.items (
    id integer PRIMARY KEY,
    name text COLLATE app.old_sorted,
    address app.old_address,
    updated_at timestamptz
);
CREATE FUNCTION app.old_touch() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION app.old_label(n text) RETURNS text LANGUAGE sql IMMUTABLE
AS 'SELECT upper(n)';
CREATE TRIGGER old_stamp BEFORE UPDATE ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.old_touch();
CREATE VIEW app.old_names AS SELECT id, name FROM app.items;
CREATE VIEW app.name_list AS SELECT name FROM app.old_names WHERE id > 0;
GRANT SELECT ON app.old_names TO reader;
COMMENT ON VIEW app.old_names IS 'the names';
RESET ROLE;
REVOKE EXECUTE ON FUNCTION app.old_touch() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app.old_label(text) FROM PUBLIC;
INSERT INTO app.items VALUES (1, 'pen', ROW('Main St', 'Springfield'), NULL);
