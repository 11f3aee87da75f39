-- The public schema as PostgreSQL 15+ creates it (owned by pg_database_owner), so the
-- plan is the same on 14; then the CREATE for PUBLIC that 14 and older grant.
ALTER SCHEMA public OWNER TO pg_database_owner;
GRANT CREATE ON SCHEMA public TO PUBLIC;
