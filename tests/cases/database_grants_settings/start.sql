CREATE ROLE app LOGIN;
CREATE ROLE stray;
DO $$ BEGIN
  EXECUTE format('GRANT CREATE ON DATABASE %I TO stray', current_database());
  EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '4MB');
END $$;
