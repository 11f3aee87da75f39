CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.base (id integer, k integer CONSTRAINT base_k_check CHECK (k > 0));
-- has the parent's id only: PostgreSQL cannot make it inherit (it would need k and the
-- check first, and they would stay its own)
CREATE TABLE general.lone (id integer, note text);
RESET ROLE;
