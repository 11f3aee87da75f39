CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
-- a becomes an identity; b, an identity, becomes a serial column again
CREATE TABLE general.t (a serial, b integer GENERATED ALWAYS AS IDENTITY, v text);
-- a serial whose sequence a declared default still calls: kept
CREATE TABLE general.k (id serial, v text);
RESET ROLE;
INSERT INTO general.t (v) VALUES ('x'), ('y');
INSERT INTO general.k (v) VALUES ('x');
