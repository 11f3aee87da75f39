CREATE VIEW app.v AS SELECT id, a, max(b) AS top FROM app.t GROUP BY id;

CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.v;
CREATE UNIQUE INDEX mv_id ON app.mv (id);
