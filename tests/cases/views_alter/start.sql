CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE app.items (id integer PRIMARY KEY, name text, price numeric);
-- gains a column (and an option): CREATE OR REPLACE
CREATE VIEW app.v_append AS SELECT id FROM app.items;
-- loses a column: dropped and created again, with the view that reads it
CREATE VIEW app.v_remove AS SELECT id, name FROM app.items;
CREATE VIEW app.v_on_remove AS SELECT id FROM app.v_remove;
GRANT SELECT ON app.v_remove TO reader;
-- declared reformatted, same meaning: nothing to do but its comment
CREATE VIEW app.v_same AS SELECT id FROM app.items WHERE price > 0;
COMMENT ON VIEW app.v_same IS 'old';
-- a materialized view whose query changes: dropped and created again
CREATE MATERIALIZED VIEW app.m AS SELECT count(*) AS n FROM app.items;
-- declared again: built again after the view is re-created
CREATE UNIQUE INDEX m_n ON app.m (n);
-- unchanged; one index changes, one is not declared any more
CREATE MATERIALIZED VIEW app.m2 AS SELECT id, name FROM app.items;
CREATE INDEX m2_id ON app.m2 (id);
CREATE INDEX m2_gone ON app.m2 (name);
RESET ROLE;
INSERT INTO app.items VALUES (1, 'pen', 2);
