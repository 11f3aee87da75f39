CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.measurements (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    value numeric
) PARTITION BY RANGE (taken_on);
CREATE TABLE general.measurements_2024 PARTITION OF general.measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- a plain table with the same columns, to be attached
CREATE TABLE general.measurements_2025 (id bigint NOT NULL, taken_on date NOT NULL, value numeric);
RESET ROLE;
INSERT INTO general.measurements VALUES (1, '2024-05-01', 1.5);
INSERT INTO general.measurements_2025 VALUES (2, '2025-02-01', 2.5);
