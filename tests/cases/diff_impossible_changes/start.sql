CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE DOMAIN general.code AS text;
CREATE TABLE general.events (day date) PARTITION BY RANGE (day);
RESET ROLE;
