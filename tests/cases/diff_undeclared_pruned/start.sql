CREATE ROLE owner;
CREATE ROLE butler_old_app;
CREATE ROLE someone_else;
CREATE ROLE dba SUPERUSER;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id integer);
CREATE TABLE general.stray (id integer CONSTRAINT stray_pkey PRIMARY KEY);
-- two undeclared tables that reference each other
CREATE TABLE general.a (id integer CONSTRAINT a_pkey PRIMARY KEY, b_id integer);
CREATE TABLE general.b (
    id integer CONSTRAINT b_pkey PRIMARY KEY,
    a_id integer CONSTRAINT b_a_fk REFERENCES general.a (id)
);
ALTER TABLE general.a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES general.b (id);
RESET ROLE;
INSERT INTO general.stray VALUES (1);
