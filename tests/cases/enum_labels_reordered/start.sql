CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE app.size AS ENUM ('large', 'medium', 'small');
CREATE TABLE app.orders (id integer, size app.size DEFAULT 'small', region text NOT NULL)
    PARTITION BY LIST (region);
CREATE TABLE app.orders_eu PARTITION OF app.orders FOR VALUES IN ('eu');
CREATE TABLE app.orders_us PARTITION OF app.orders FOR VALUES IN ('us');
CREATE TABLE app.boxes (id integer, old_size app.size, new_size text);
CREATE MATERIALIZED VIEW app.sizes AS SELECT 'medium'::app.size AS size;
RESET ROLE;
INSERT INTO app.orders VALUES (1, 'large', 'eu'), (2, 'small', 'us'), (3, NULL, 'us');
INSERT INTO app.boxes VALUES (1, 'large', 'small');
