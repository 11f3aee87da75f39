-- a view on an existing table
CREATE VIEW app.item_names WITH (security_barrier) AS
  SELECT id, name FROM app.items WHERE price > 0;

-- a view on a view, written unqualified (resolved in its schema)
create view app.cheap_names as select name from item_names where id < 10;

-- a view on a new table, with its column names
CREATE OR REPLACE VIEW app.order_totals (order_id, total) AS
  SELECT o.id, o.qty * i.price FROM app.orders o JOIN app.items i ON i.id = o.item_id;

-- SELECT * and a check option
CREATE VIEW app.pricey AS SELECT * FROM app.items WHERE price > 100 WITH LOCAL CHECK OPTION;

CREATE MATERIALIZED VIEW app.price_stats AS
  SELECT count(*) AS n, max(price) AS top FROM app.items
  WITH NO DATA;
CREATE UNIQUE INDEX price_stats_n ON app.price_stats (n);

-- in a new schema, reading a new view of another schema
CREATE VIEW rpt.big_orders AS SELECT order_id FROM app.order_totals WHERE total > 1000;
