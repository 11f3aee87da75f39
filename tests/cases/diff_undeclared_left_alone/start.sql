CREATE ROLE owner;
CREATE ROLE butler_old_app;
CREATE ROLE someone_else;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id integer);
CREATE TABLE general.stray (id integer CONSTRAINT stray_pkey PRIMARY KEY);
CREATE VIEW general.recent AS SELECT id FROM general.notes;
RESET ROLE;
