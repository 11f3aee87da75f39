CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.orders (id integer PRIMARY KEY, status varchar(10) NOT NULL);
ALTER TABLE app.orders OWNER TO owner;
