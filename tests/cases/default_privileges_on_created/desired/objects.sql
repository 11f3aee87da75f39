CREATE VIEW general.readonly_values AS SELECT value FROM general.readonly_data;

CREATE FUNCTION general.double(n integer) RETURNS integer
LANGUAGE sql IMMUTABLE
RETURN n * 2;
