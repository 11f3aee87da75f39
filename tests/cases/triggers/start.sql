CREATE ROLE owner;
CREATE SCHEMA util;
CREATE FUNCTION util.touch() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION util.audit() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN RETURN NULL; END$$;
