-- Row trigger with a WHEN condition, brought to the server's form.
CREATE TRIGGER items_touch BEFORE UPDATE ON app.items
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION util.touch();

-- Statement trigger with a transition table and arguments.
CREATE TRIGGER items_log AFTER INSERT ON app.items
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION util.audit('insert', 42);

-- Constraint trigger, deferred, naming the table it refers to.
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT OR UPDATE ON app.items
    FROM app.item_log DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION util.audit();

-- UPDATE OF columns; disabled in TOML.
CREATE TRIGGER items_price_audit AFTER UPDATE OF price, name ON app.items
    FOR EACH ROW EXECUTE PROCEDURE util.audit('price');

-- A condition the server rewrites (IN becomes = ANY, literals get their type).
CREATE TRIGGER items_named AFTER INSERT OR UPDATE ON app.items
    FOR EACH ROW WHEN (NEW.name IN ('a', 'b'))
    EXECUTE FUNCTION util.audit();
