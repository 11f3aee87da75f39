CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE general.status AS ENUM ('new', 'done');
CREATE DOMAIN general.positive AS integer CHECK (VALUE > 0);
CREATE SEQUENCE general.batch_seq;
CREATE TABLE general.kept (id integer PRIMARY KEY, legacy text, note text);
-- two undeclared tables that reference each other, one using the undeclared types
CREATE TABLE general.orders (id integer PRIMARY KEY, status general.status, qty general.positive, customer_id integer);
CREATE TABLE general.customers (id serial PRIMARY KEY, last_order_id integer REFERENCES general.orders (id));
ALTER TABLE general.orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES general.customers (id);
CREATE VIEW general.recent AS SELECT id FROM general.kept;
RESET ROLE;
INSERT INTO general.kept VALUES (1, 'x', 'y');
