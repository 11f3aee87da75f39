-- A SQL-standard body is resolved at creation too.
CREATE FUNCTION app.a_total() RETURNS integer
LANGUAGE sql
BEGIN ATOMIC
  SELECT app.c_base() + 1;
END;

CREATE FUNCTION app.a_label(val integer DEFAULT app.b_middle()) RETURNS text
LANGUAGE sql
RETURN 'value: ' || val::text;

CREATE FUNCTION app.b_middle(x integer DEFAULT app.c_base()) RETURNS integer
LANGUAGE sql
RETURN x + 1;

CREATE FUNCTION app.c_base() RETURNS integer
LANGUAGE sql
RETURN 41;
