CREATE FUNCTION app.t_insert() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN INSERT INTO app.t (a, c) VALUES (NEW.a, NEW.c); RETURN NEW; END$$;

CREATE VIEW app.v AS SELECT a, b, c FROM app.t;
