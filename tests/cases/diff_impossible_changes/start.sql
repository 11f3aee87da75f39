CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE general.mood AS ENUM ('ok', 'happy');
CREATE TYPE general.level AS ENUM ('low', 'mid', 'high');
CREATE DOMAIN general.code AS text;
CREATE TABLE general.events (day date) PARTITION BY RANGE (day);
RESET ROLE;
