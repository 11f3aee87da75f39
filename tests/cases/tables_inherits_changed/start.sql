CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
-- the parent drops e, which the child then has as its own (dropped first from the
-- parent, and so from the child, then added to the child)
CREATE TABLE general.stamped (created_at timestamp with time zone DEFAULT now(), e integer);
CREATE TABLE general.a (a1 integer, a2 integer) INHERITS (general.stamped);
-- the child's own e becomes the parent's (dropped from the child first, then added to
-- the parent, and so to the child)
CREATE TABLE general.stamped2 (created_at timestamp with time zone DEFAULT now());
CREATE TABLE general.b (b1 integer, e integer) INHERITS (general.stamped2);
-- a child leaves its parent (what it inherited becomes its own) and a table that has
-- the parent's columns and check joins it
CREATE TABLE general.keyed (k integer NOT NULL CONSTRAINT keyed_k_check CHECK (k > 0));
CREATE TABLE general.leaving (d1 integer) INHERITS (general.keyed);
CREATE TABLE general.joining (k integer NOT NULL CONSTRAINT keyed_k_check CHECK (k > 0), j1 integer);
-- the parent gets a column and a check: its children get them too
CREATE TABLE general.growing (id integer);
CREATE TABLE general.growing_child (g1 integer) INHERITS (general.growing);
-- the parent is renamed: its child follows, nothing else to do
CREATE TABLE general.old_parent (x integer);
CREATE TABLE general.child_of_renamed (y integer) INHERITS (general.old_parent);
-- the parent is no longer declared (dropped with --prune): its child leaves it first
CREATE TABLE general.gone_parent (z integer);
CREATE TABLE general.orphan (w integer) INHERITS (general.gone_parent);
-- a column both the child's own and inherited changes type with its parent's
CREATE TABLE general.typed (a integer);
CREATE TABLE general.typed_child (a integer, b integer) INHERITS (general.typed);
RESET ROLE;
INSERT INTO general.a VALUES (now(), 1, 2, 3);
INSERT INTO general.b VALUES (now(), 1, 2);
INSERT INTO general.leaving VALUES (5, 6);
INSERT INTO general.joining VALUES (7, 8);
INSERT INTO general.growing_child VALUES (9, 10);
INSERT INTO general.orphan VALUES (11, 12);
INSERT INTO general.typed_child VALUES (13, 14);
