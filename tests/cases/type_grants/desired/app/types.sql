CREATE TYPE app.pair AS (a integer, b integer);
CREATE TYPE app.point AS (x integer, y integer);
CREATE TYPE lib.span AS RANGE (subtype = integer);
