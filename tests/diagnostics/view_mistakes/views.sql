-- the view name has no schema
CREATE VIEW totals AS SELECT 1 AS n;

CREATE VIEW app.totals AS SELECT 1 AS n;

-- declared twice
CREATE VIEW app.totals AS SELECT 2 AS n;

CREATE VIEW app.opts WITH (fillfactor = 70) AS SELECT 1 AS n;

CREATE MATERIALIZED VIEW nowhere.m AS SELECT 1 AS n;

-- an index of a table belongs in TOML
CREATE INDEX t_idx ON app.totals (n);

CREATE INDEX ON app.m (n);

CREATE MATERIALIZED VIEW app.sums AS SELECT 1 AS n;
CREATE INDEX sums_n ON app.sums (n);
