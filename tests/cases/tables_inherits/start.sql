CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
-- an inheritance tree no longer declared: the child is dropped before its parent
CREATE TABLE general.old_base (id integer, note text);
CREATE TABLE general.old_child (extra text) INHERITS (general.old_base);
CREATE TABLE general.kept (id integer);
RESET ROLE;
INSERT INTO general.old_child VALUES (1, 'x', 'y');
INSERT INTO general.kept VALUES (1);
