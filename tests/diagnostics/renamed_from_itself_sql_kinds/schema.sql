CREATE COLLATION app.sorted (provider = libc, locale = 'C');
CREATE TYPE app.address AS (street text, city text);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.names AS SELECT id FROM app.items;
