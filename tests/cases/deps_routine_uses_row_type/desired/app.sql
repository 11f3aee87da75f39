CREATE VIEW app.actor AS SELECT id, name FROM app.contact;

CREATE FUNCTION app.get_actor(activity app.activity) RETURNS SETOF app.actor ROWS 1
LANGUAGE sql STABLE
AS $$ SELECT actor.* FROM app.actor WHERE actor.id = activity.author_id $$;
