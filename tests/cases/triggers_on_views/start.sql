CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.items (id bigint PRIMARY KEY, name text, price numeric);
ALTER TABLE app.items OWNER TO owner;
CREATE FUNCTION app.items_insert() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN INSERT INTO app.items (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END$$;
CREATE FUNCTION app.items_update() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN UPDATE app.items SET name = NEW.name WHERE id = OLD.id; RETURN NEW; END$$;
CREATE FUNCTION app.items_update_logged() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN UPDATE app.items SET name = NEW.name WHERE id = OLD.id; RETURN NEW; END$$;
CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN RETURN NULL; END$$;
ALTER FUNCTION app.items_insert() OWNER TO owner;
ALTER FUNCTION app.items_update() OWNER TO owner;
ALTER FUNCTION app.items_update_logged() OWNER TO owner;
ALTER FUNCTION app.note() OWNER TO owner;
REVOKE EXECUTE ON FUNCTION app.items_insert(), app.items_update(),
    app.items_update_logged(), app.note() FROM PUBLIC;
CREATE VIEW app.item_names AS SELECT id, name FROM app.items;
ALTER VIEW app.item_names OWNER TO owner;
-- Changes its function: replaced in place.
CREATE TRIGGER item_names_update INSTEAD OF UPDATE ON app.item_names
    FOR EACH ROW EXECUTE FUNCTION app.items_update();
-- Not declared: dropped with --prune.
CREATE TRIGGER item_names_delete INSTEAD OF DELETE ON app.item_names
    FOR EACH ROW EXECUTE FUNCTION app.note();
