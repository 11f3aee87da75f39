CREATE TYPE point2 AS (x float8, y float8);

CREATE TYPE app.pair AS (a int, a text);

CREATE TYPE app.mood AS RANGE (subtype = int);

CREATE COLLATION app.copy FROM "C";

CREATE COLLATION app.nocase (provider = icu, deterministic = maybe);
