CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
-- the primary key moves to other columns (and takes the default name)
CREATE TABLE general.orders (id integer CONSTRAINT orders_id_pk PRIMARY KEY, code text NOT NULL);
-- the primary key moves to other columns, same name
CREATE TABLE general.lines (id integer PRIMARY KEY, line_no integer NOT NULL);
-- renamed: the primary key keeps its old default name until re-created under the new one
CREATE TABLE general.items (id integer PRIMARY KEY, label text);
RESET ROLE;
INSERT INTO general.orders VALUES (1, 'a'), (2, 'b');
INSERT INTO general.lines VALUES (1, 1), (2, 2);
INSERT INTO general.items VALUES (1, 'x');
