-- plpgsql, called by a column default
CREATE FUNCTION app.normalize_name(n text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
  RETURN lower(btrim(n));
END
$$;

-- SQL-standard body
CREATE FUNCTION app.add(a int, b int) RETURNS int
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT a + b;
END;

-- an overload
CREATE OR REPLACE FUNCTION app.add(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS 'SELECT a + b';

-- SECURITY DEFINER with a pinned search_path, reading a table the plan creates
CREATE FUNCTION app.item_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
AS $$ SELECT count(*) FROM app.items $$;

CREATE PROCEDURE app.rename_item(p_id integer, p_name text)
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE app.items SET name = p_name WHERE id = p_id;
END
$$;

-- a SQL-standard body reading a table the plan creates: created after it
CREATE FUNCTION app.item_names() RETURNS SETOF text
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT name FROM app.items ORDER BY id;
END;
