CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.t (body text);
CREATE TABLE general.k (a integer CONSTRAINT k_pkey PRIMARY KEY, b integer);
RESET ROLE;
INSERT INTO general.t VALUES ('x');
INSERT INTO general.k VALUES (1, 10), (2, 20);
