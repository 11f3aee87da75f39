CREATE COLLATION app.sorted (provider = libc, locale = 'C');

CREATE TYPE app.address AS (street text, city text);

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

CREATE FUNCTION app.label(n text) RETURNS text LANGUAGE sql IMMUTABLE
AS 'SELECT lower(n)';

CREATE TRIGGER stamp BEFORE UPDATE ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.touch();

CREATE VIEW app.names AS SELECT id, name FROM app.items;

CREATE VIEW app.name_list AS SELECT name FROM app.names WHERE id > 0;
