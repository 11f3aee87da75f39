CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.t (a integer, c integer);
ALTER TABLE app.t OWNER TO owner;
CREATE FUNCTION app.t_insert() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN INSERT INTO app.t (a, c) VALUES (NEW.a, NEW.c); RETURN NEW; END$$;
ALTER FUNCTION app.t_insert() OWNER TO owner;
REVOKE EXECUTE ON FUNCTION app.t_insert() FROM PUBLIC;
CREATE VIEW app.v AS SELECT a, c FROM app.t;
ALTER VIEW app.v OWNER TO owner;
-- Not declared: re-creating the view would drop it.
CREATE TRIGGER v_insert INSTEAD OF INSERT ON app.v
    FOR EACH ROW EXECUTE FUNCTION app.t_insert();
