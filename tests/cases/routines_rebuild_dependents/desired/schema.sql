CREATE FUNCTION app.score(q integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT
RETURN q * 10;

CREATE VIEW app.scored AS SELECT id, app.score(qty) AS score FROM app.items;

CREATE VIEW app.top_scored AS SELECT id FROM app.scored WHERE score > 100;
