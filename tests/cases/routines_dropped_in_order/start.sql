CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
-- Each calls the next at creation (a parameter default, a SQL-standard body): PostgreSQL
-- refuses to drop a routine while one of these callers exists.
CREATE FUNCTION app.a_base() RETURNS integer LANGUAGE sql RETURN 41;
CREATE FUNCTION app.b_middle(x integer DEFAULT app.a_base()) RETURNS integer
LANGUAGE sql RETURN x + 1;
CREATE FUNCTION app.c_total() RETURNS integer LANGUAGE sql
BEGIN ATOMIC
  SELECT app.b_middle() + 1;
END;
CREATE FUNCTION app.kept() RETURNS integer LANGUAGE sql RETURN 1;
ALTER FUNCTION app.a_base() OWNER TO owner;
ALTER FUNCTION app.b_middle(integer) OWNER TO owner;
ALTER FUNCTION app.c_total() OWNER TO owner;
ALTER FUNCTION app.kept() OWNER TO owner;
REVOKE EXECUTE ON FUNCTION app.kept() FROM PUBLIC;
