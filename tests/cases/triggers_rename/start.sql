CREATE ROLE owner;
CREATE SCHEMA util;
CREATE FUNCTION util.audit() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN RETURN NULL; END$$;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.old_items (id bigint, title text);
CREATE TABLE app.old_log (id bigint);
RESET ROLE;
CREATE TRIGGER items_title AFTER UPDATE OF title ON app.old_items
    FOR EACH ROW EXECUTE FUNCTION util.audit();
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT ON app.old_items FROM app.old_log
    FOR EACH ROW EXECUTE FUNCTION util.audit();
