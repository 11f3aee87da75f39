CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
-- An undeclared domain whose check calls an undeclared function: pruned, the domain
-- before the function (PostgreSQL refuses to drop the function while the check exists).
CREATE FUNCTION app.old_valid(val text) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$SELECT val LIKE 'old_%'$$;
CREATE DOMAIN app.old_code AS text CHECK (app.old_valid(VALUE));
ALTER FUNCTION app.old_valid(text) OWNER TO owner;
ALTER DOMAIN app.old_code OWNER TO owner;
