CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE SCHEMA other AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE app.level AS ENUM ('low', 'mid', 'high');
CREATE DOMAIN app.level_d AS app.level;
CREATE TABLE app.alerts (
    id integer,
    level app.level CONSTRAINT not_mid CHECK (level <> 'mid'::app.level)
);
CREATE INDEX alerts_high_idx ON app.alerts (id) WHERE level = 'high';
CREATE TABLE app.events (id integer, level app.level NOT NULL) PARTITION BY LIST (level);
CREATE FUNCTION app.worst() RETURNS app.level LANGUAGE sql RETURN 'high'::app.level;
CREATE VIEW other.alert_levels AS SELECT id, level FROM app.alerts;
RESET ROLE;
