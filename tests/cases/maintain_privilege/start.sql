CREATE ROLE owner;
CREATE ROLE app;
CREATE ROLE ops;
CREATE ROLE auditor;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.jobs (id integer);
ALTER TABLE app.jobs OWNER TO owner;
-- ALL includes MAINTAIN from 17 on: ops keeps every privilege without a change.
GRANT ALL ON app.jobs TO ops;
-- Runs on older servers too, where the plan must be refused.
DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 170000 THEN
    GRANT MAINTAIN ON app.jobs TO auditor;
  END IF;
END $$;
