CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE FUNCTION app.twice(n integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
RETURN n * 2;
REVOKE EXECUTE ON FUNCTION app.twice(integer) FROM PUBLIC;
CREATE TABLE app.items (id integer PRIMARY KEY, qty integer NOT NULL,
                        bonus bigint DEFAULT app.twice(1));
-- not declared (app declares no views): cannot be re-created around the type change
CREATE VIEW app.report AS SELECT sum(qty) AS total FROM app.items;
RESET ROLE;
INSERT INTO app.items VALUES (1, 5, 2);
