CREATE MATERIALIZED VIEW app.sizes AS SELECT 'medium'::app.size AS size;
