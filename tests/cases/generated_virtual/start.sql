CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.items (
    id integer NOT NULL,
    price numeric,
    twice numeric GENERATED ALWAYS AS (price * 2) STORED
);
ALTER TABLE app.items OWNER TO owner;
INSERT INTO app.items (id, price) VALUES (1, 10), (2, 3);
-- Runs on older servers too, where the plan must be refused. Neither STORED nor
-- VIRTUAL written: virtual, the default from 18 on.
DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 180000 THEN
    EXECUTE 'ALTER TABLE app.items ADD COLUMN half numeric GENERATED ALWAYS AS (price / 2)';
  END IF;
END $$;
