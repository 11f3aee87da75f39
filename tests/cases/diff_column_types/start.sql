CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.t (n text DEFAULT '0');
CREATE TABLE general.u (m text);
CREATE TABLE general.g (
    a integer,
    b integer,
    g integer GENERATED ALWAYS AS (a * 2) STORED,
    h integer GENERATED ALWAYS AS (b + 1) STORED
);
RESET ROLE;
INSERT INTO general.t VALUES (''), ('7');
INSERT INTO general.u VALUES ('42');
INSERT INTO general.g (a, b) VALUES (1, 2);
