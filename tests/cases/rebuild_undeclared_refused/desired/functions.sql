-- its result changes: dropped and created again, but a column default calls it
CREATE FUNCTION app.twice(n integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT
RETURN n * 2;
