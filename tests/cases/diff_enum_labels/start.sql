CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE general.mood AS ENUM ('ok', 'happy');
RESET ROLE;
