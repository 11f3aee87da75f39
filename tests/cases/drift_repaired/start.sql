-- the converged state …
CREATE ROLE owner;
CREATE ROLE app LOGIN;
CREATE ROLE ops;
ALTER ROLE app SET search_path = general, public;
CREATE SCHEMA general AUTHORIZATION owner;
CREATE SCHEMA other AUTHORIZATION owner;
GRANT USAGE ON SCHEMA general TO app;
ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA general GRANT SELECT ON TABLES TO app;
CREATE TABLE general.notes (id int);
ALTER TABLE general.notes OWNER TO owner;
GRANT SELECT ON general.notes TO app;
-- … and drift made by hand
GRANT ops TO app;                                  -- extra membership
ALTER ROLE app SET search_path = other, public;    -- search_path changed
GRANT USAGE ON SCHEMA other TO app;                -- not in a managed schema: left alone
GRANT INSERT, DELETE ON general.notes TO app;      -- grant added by hand
CREATE TABLE general.out_of_band (id int);         -- table created out of band
ALTER ROLE app CONNECTION LIMIT 1;                 -- attribute altered
