CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
-- altered in place: zip dropped, city's type and collation changed, country added
CREATE TYPE app.address AS (street text, city text, zip integer);
-- undeclared: dropped with --prune
CREATE TYPE app.legacy AS (a integer, b text);
CREATE TYPE app.intspan AS RANGE (subtype = integer);
RESET ROLE;
