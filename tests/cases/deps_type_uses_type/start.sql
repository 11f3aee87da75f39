CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
-- An undeclared composite type whose attribute is an undeclared enum: the composite is
-- pruned first (PostgreSQL refuses to drop the enum while the attribute uses it).
CREATE TYPE app.old_status AS ENUM ('on', 'off');
CREATE TYPE app.old_record AS (id integer, status app.old_status);
ALTER TYPE app.old_status OWNER TO owner;
ALTER TYPE app.old_record OWNER TO owner;
