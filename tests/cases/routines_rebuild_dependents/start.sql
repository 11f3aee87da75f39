CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE FUNCTION app.score(q integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
RETURN q * 10;
REVOKE EXECUTE ON FUNCTION app.score(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.score(integer) TO reader;
CREATE TABLE app.items (id integer PRIMARY KEY, qty integer NOT NULL);
-- calls the function: dropped before it and built again after it
CREATE INDEX items_score_idx ON app.items (app.score(qty));
-- calls it, and a view on that view
CREATE VIEW app.scored AS SELECT id, app.score(qty) AS score FROM app.items;
CREATE VIEW app.top_scored AS SELECT id FROM app.scored WHERE score > 100;
GRANT SELECT ON app.top_scored TO reader;
COMMENT ON VIEW app.top_scored IS 'high scores';
RESET ROLE;
INSERT INTO app.items SELECT g, g FROM generate_series(1, 30) AS g;
