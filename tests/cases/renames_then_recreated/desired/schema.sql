CREATE TYPE app.span AS RANGE (subtype = integer);

CREATE VIEW app.names AS SELECT name, id FROM app.items;
