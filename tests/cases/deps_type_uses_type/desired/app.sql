CREATE TYPE app.record AS (id integer, status app.status);
