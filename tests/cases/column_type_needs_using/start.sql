CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.events (id integer, created bigint, day integer, code text, flag integer);
INSERT INTO general.events VALUES (1, 1700000000, 20240131, '42', 1), (2, 0, 19700101, '-3', 0);
RESET ROLE;
