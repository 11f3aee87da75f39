CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE SCHEMA lib AUTHORIZATION owner;
SET ROLE owner;
CREATE FUNCTION app.kept(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
REVOKE EXECUTE ON FUNCTION app.kept(integer) FROM PUBLIC;
-- undeclared in a schema that declares functions: dropped with --prune
CREATE FUNCTION app.legacy(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
CREATE FUNCTION app.kept(a text) RETURNS text LANGUAGE sql AS 'SELECT a';
CREATE PROCEDURE app.old_job() LANGUAGE sql AS 'SELECT 1';
-- lib declares no function: its functions are left alone
CREATE FUNCTION lib.helper() RETURNS integer LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
