-- the table is not schema-qualified
CREATE TRIGGER unqualified AFTER INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION app.audit();

-- the table is not declared
CREATE TRIGGER undeclared AFTER INSERT ON app.orders
    FOR EACH ROW EXECUTE FUNCTION app.audit();

-- UPDATE OF a column the table does not declare
CREATE TRIGGER items_price AFTER UPDATE OF price ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.audit();

-- the function is not schema-qualified
CREATE TRIGGER items_log AFTER INSERT ON app.items
    FOR EACH STATEMENT EXECUTE FUNCTION audit();

CREATE TRIGGER items_twice AFTER INSERT ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.audit();
CREATE TRIGGER items_twice AFTER DELETE ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.audit();
