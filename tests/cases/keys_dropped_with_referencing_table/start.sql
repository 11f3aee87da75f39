-- The primary key of a kept table goes while the undeclared table whose foreign key
-- uses it is pruned: the foreign key must go before the key (migra's "everything").
CREATE ROLE owner;
CREATE SCHEMA shop AUTHORIZATION owner;
CREATE TABLE shop.products (id integer PRIMARY KEY, name text);
CREATE TABLE shop.order_items (
    id integer PRIMARY KEY,
    product_id integer REFERENCES shop.products (id)
);
ALTER TABLE shop.products OWNER TO owner;
ALTER TABLE shop.order_items OWNER TO owner;
