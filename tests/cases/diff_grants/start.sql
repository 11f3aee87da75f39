CREATE ROLE owner;
CREATE ROLE app;
CREATE SCHEMA general AUTHORIZATION owner;
-- app holds USAGE with the grant option; PUBLIC holds CREATE besides USAGE
GRANT USAGE ON SCHEMA general TO app WITH GRANT OPTION;
GRANT USAGE, CREATE ON SCHEMA general TO PUBLIC;
SET ROLE owner;
CREATE TABLE general.a (id integer);
CREATE TABLE general.b (id integer);
-- already has the schema-wide grant: left as it is
CREATE TABLE general.c (id integer);
GRANT SELECT ON general.c TO app;
RESET ROLE;
