CREATE ROLE owner;
CREATE ROLE other;
CREATE ROLE app_user;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE FUNCTION app.greet(name text) RETURNS text LANGUAGE plpgsql
AS $$ BEGIN RETURN 'hello ' || name; END $$;
CREATE FUNCTION app.total(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
GRANT EXECUTE ON FUNCTION app.total(integer) TO app_user;
REVOKE EXECUTE ON FUNCTION app.total(integer) FROM PUBLIC;
CREATE FUNCTION app.spaced(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a + 1';
REVOKE EXECUTE ON FUNCTION app.spaced(integer) FROM PUBLIC;
CREATE FUNCTION app.same(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE
AS 'SELECT a * b';
REVOKE EXECUTE ON FUNCTION app.same(integer, integer) FROM PUBLIC;
COMMENT ON FUNCTION app.same(integer, integer) IS 'old comment';
REVOKE EXECUTE ON FUNCTION app.greet(text) FROM PUBLIC;
RESET ROLE;
