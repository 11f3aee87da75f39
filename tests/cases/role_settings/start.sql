CREATE ROLE app LOGIN;
ALTER ROLE app SET search_path = old, public;
ALTER ROLE app SET work_mem = '8MB';
DO $$ BEGIN
  EXECUTE format('ALTER ROLE app IN DATABASE %I SET statement_timeout = %L', current_database(), '10s');
END $$;
