CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
-- An undeclared view and a function whose signature names its row type: the function
-- is pruned before the view (and before the table the view reads).
CREATE TABLE app.old_people (id integer, name text);
CREATE VIEW app.old_actor AS SELECT id, name FROM app.old_people;
CREATE FUNCTION app.old_get(a app.old_actor) RETURNS SETOF app.old_actor
LANGUAGE sql STABLE AS $$SELECT a$$;
ALTER TABLE app.old_people OWNER TO owner;
ALTER VIEW app.old_actor OWNER TO owner;
ALTER FUNCTION app.old_get(app.old_actor) OWNER TO owner;
