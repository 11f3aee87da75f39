CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.people (
    id integer NOT NULL,
    email text NOT NULL,
    nick text,
    code text NOT NULL
);
ALTER TABLE app.people OWNER TO owner;
INSERT INTO app.people VALUES (1, 'a@example.com', 'a', 'x');
-- Runs on older servers too, where the plan must be refused.
DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 180000 THEN
    ALTER TABLE app.people RENAME CONSTRAINT people_code_not_null TO code_required;
  END IF;
END $$;
