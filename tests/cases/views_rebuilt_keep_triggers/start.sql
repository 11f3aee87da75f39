CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.t (a integer, c integer);
ALTER TABLE app.t OWNER TO owner;
CREATE FUNCTION app.t_insert() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN INSERT INTO app.t (a, c) VALUES (NEW.a, NEW.c); RETURN NEW; END$$;
CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN RETURN NULL; END$$;
ALTER FUNCTION app.t_insert() OWNER TO owner;
ALTER FUNCTION app.note() OWNER TO owner;
REVOKE EXECUTE ON FUNCTION app.t_insert(), app.note() FROM PUBLIC;
CREATE VIEW app.v AS SELECT a, c FROM app.t;
CREATE VIEW app.v_a AS SELECT a FROM app.v;
ALTER VIEW app.v OWNER TO owner;
ALTER VIEW app.v_a OWNER TO owner;
CREATE TRIGGER v_insert INSTEAD OF INSERT ON app.v
    FOR EACH ROW EXECUTE FUNCTION app.t_insert();
COMMENT ON TRIGGER v_insert ON app.v IS 'inserts into app.t';
CREATE TRIGGER v_a_note BEFORE INSERT ON app.v_a
    FOR EACH STATEMENT EXECUTE FUNCTION app.note();
