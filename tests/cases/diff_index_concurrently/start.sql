CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.t (a integer);
RESET ROLE;
INSERT INTO general.t SELECT g FROM generate_series(-5, 20) AS g;
