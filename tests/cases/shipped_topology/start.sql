-- The public schema as PostgreSQL 15+ creates it, so the plan is the same on 14
-- (owner postgres, CREATE for PUBLIC there); public_create_revoked covers that case.
ALTER SCHEMA public OWNER TO pg_database_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
