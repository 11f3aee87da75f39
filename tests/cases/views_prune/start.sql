CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE SCHEMA other AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.t (id integer PRIMARY KEY);
CREATE VIEW app.keep AS SELECT id FROM app.t;
-- undeclared in a schema that declares views: dropped with --prune, readers first
CREATE VIEW app.gone AS SELECT id FROM app.t;
CREATE VIEW app.gone_too AS SELECT id FROM app.gone;
CREATE MATERIALIZED VIEW app.gone_m AS SELECT id FROM app.t;
-- a schema that declares no view: its views are left alone
CREATE VIEW other.elsewhere AS SELECT id FROM app.t;
RESET ROLE;
