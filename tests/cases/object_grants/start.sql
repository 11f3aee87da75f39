CREATE ROLE owner;
CREATE ROLE app;
CREATE ROLE reporting;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id bigint GENERATED ALWAYS AS IDENTITY, body text);
CREATE TABLE general.tasks (id serial, title text);
CREATE TABLE general.audit (id int);
CREATE VIEW general.recent_notes AS SELECT * FROM general.notes;
CREATE SEQUENCE general.ticket_seq;
CREATE FUNCTION general.add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION general.secret() RETURNS text LANGUAGE sql AS 'SELECT ''x''';
RESET ROLE;
-- partial: app already has SELECT on one table; a stray grant on another
GRANT SELECT ON general.notes TO app;
GRANT TRUNCATE ON general.tasks TO app;
GRANT SELECT ON general.audit TO reporting WITH GRANT OPTION;
