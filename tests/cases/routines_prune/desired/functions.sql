CREATE FUNCTION app.kept(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
