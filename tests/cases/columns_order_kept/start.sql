-- PostgreSQL adds a column last and cannot move one: a column declared between two
-- others is added at the end, and the order the table has is kept (no rebuild). The
-- re-plan is empty: column order is not compared.
CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
CREATE TABLE app.t (a integer, c integer);
ALTER TABLE app.t OWNER TO owner;
