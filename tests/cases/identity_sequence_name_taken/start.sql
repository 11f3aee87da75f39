CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
-- a declared sequence holds the name the identity would take
CREATE SEQUENCE general.t_id_seq;
CREATE TABLE general.t (id integer NOT NULL, v text);
-- serial to identity
CREATE TABLE general.u (id serial, v text);
-- the name and the next one are both taken
CREATE SEQUENCE general.w_id_seq;
CREATE SEQUENCE general.w_id_seq1;
CREATE TABLE general.w (id bigint NOT NULL);
-- an undeclared sequence holds the name: pruned first, the name is free again
CREATE SEQUENCE general.x_id_seq;
CREATE TABLE general.x (id integer NOT NULL);
RESET ROLE;
INSERT INTO general.t VALUES (1, 'a'), (5, 'b');
INSERT INTO general.u (v) VALUES ('a'), ('b');
INSERT INTO general.w VALUES (7);
