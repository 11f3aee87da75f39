-- The connected role's default privileges: every object it creates in `general` gets
-- these grants at creation, before the plan's default privilege revokes run.
CREATE ROLE owner;
CREATE ROLE reader;
CREATE ROLE app_user;
CREATE SCHEMA general AUTHORIZATION owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA general GRANT SELECT ON TABLES TO reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA general GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA general GRANT USAGE ON SEQUENCES TO reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA general GRANT EXECUTE ON FUNCTIONS TO reader;
