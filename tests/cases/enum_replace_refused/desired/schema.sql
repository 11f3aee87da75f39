CREATE FUNCTION app.worst() RETURNS app.level LANGUAGE sql RETURN 'high'::app.level;
