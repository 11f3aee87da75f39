CREATE ROLE owner;
CREATE SCHEMA util;
CREATE FUNCTION util.touch() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION util.audit() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN RETURN NULL; END$$;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.items (id bigint PRIMARY KEY, name text, updated_at timestamptz);
RESET ROLE;
CREATE TRIGGER items_touch BEFORE UPDATE ON app.items
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION util.touch();
CREATE TRIGGER items_audit AFTER INSERT ON app.items
    FOR EACH ROW EXECUTE FUNCTION util.audit();
ALTER TABLE app.items DISABLE TRIGGER items_audit;
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT ON app.items
    FOR EACH ROW EXECUTE FUNCTION util.audit();
CREATE TRIGGER stray AFTER DELETE ON app.items
    FOR EACH STATEMENT EXECUTE FUNCTION util.audit();
COMMENT ON TRIGGER items_audit ON app.items IS 'old comment';
-- Disabled, and their WHEN changes: CREATE OR REPLACE TRIGGER enables a trigger again.
ALTER TABLE app.items DISABLE TRIGGER items_touch;
CREATE TRIGGER items_quiet AFTER UPDATE ON app.items
    FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION util.audit();
ALTER TABLE app.items DISABLE TRIGGER items_quiet;
