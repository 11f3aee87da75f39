CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
-- app.a is a table that becomes a view, app.b a view that becomes a table; the views
-- reading them (declared unchanged) are dropped before and created again after.
CREATE TABLE app.a (id integer, name text);
CREATE VIEW app.qa AS SELECT * FROM app.a;
CREATE TABLE app.t_b (id integer, name text);
CREATE VIEW app.b AS SELECT * FROM app.t_b;
CREATE VIEW app.qb AS SELECT * FROM app.b;
ALTER TABLE app.a OWNER TO owner;
ALTER VIEW app.qa OWNER TO owner;
ALTER TABLE app.t_b OWNER TO owner;
ALTER VIEW app.b OWNER TO owner;
ALTER VIEW app.qb OWNER TO owner;
