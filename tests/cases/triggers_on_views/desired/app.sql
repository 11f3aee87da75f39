CREATE FUNCTION app.items_insert() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN INSERT INTO app.items (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END$$;
CREATE FUNCTION app.items_update() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN UPDATE app.items SET name = NEW.name WHERE id = OLD.id; RETURN NEW; END$$;
CREATE FUNCTION app.items_update_logged() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN UPDATE app.items SET name = NEW.name WHERE id = OLD.id; RETURN NEW; END$$;
CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN RETURN NULL; END$$;

CREATE VIEW app.item_names AS SELECT id, name FROM app.items;

-- A new INSTEAD OF trigger on a view that exists, with a comment in TOML.
CREATE TRIGGER item_names_insert INSTEAD OF INSERT ON app.item_names
    FOR EACH ROW EXECUTE FUNCTION app.items_insert();

-- Its function changes: CREATE OR REPLACE TRIGGER.
CREATE TRIGGER item_names_update INSTEAD OF UPDATE ON app.item_names
    FOR EACH ROW EXECUTE FUNCTION app.items_update_logged();

-- A new view with a statement trigger whose WHEN condition the server rewrites.
CREATE VIEW app.item_prices AS SELECT id, price FROM app.items;

CREATE TRIGGER item_prices_note AFTER UPDATE ON app.item_prices
    FOR EACH STATEMENT WHEN (current_setting('app.audit', true) IN ('on', 'all'))
    EXECUTE FUNCTION app.note('prices');
