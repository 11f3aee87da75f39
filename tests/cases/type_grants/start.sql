CREATE ROLE owner;
CREATE ROLE app;
CREATE ROLE reader;
CREATE ROLE stray;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE SCHEMA lib AUTHORIZATION owner;
SET ROLE owner;
-- grants declared on the type: PUBLIC's default USAGE revoked, app granted
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
-- grants = {}: every grant revoked (stray's and PUBLIC's)
CREATE DOMAIN app.email AS text;
GRANT USAGE ON DOMAIN app.email TO stray;
-- composite keeping PUBLIC, adding reader
CREATE TYPE app.pair AS (a integer, b integer);
-- no grants declared: left alone, stray keeps USAGE
CREATE TYPE app.plain AS ENUM ('x');
GRANT USAGE ON TYPE app.plain TO stray;
-- lib has type_grants: existing types get them, PUBLIC revoked
CREATE TYPE lib.level AS ENUM ('low', 'high');
CREATE TYPE lib.span AS RANGE (subtype = integer);
RESET ROLE;
