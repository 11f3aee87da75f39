CREATE VIEW general.readonly_values AS
  SELECT d.value, s.last_value FROM general.readonly_data d CROSS JOIN general.ticket_seq s;

CREATE FUNCTION general.double(n integer) RETURNS integer
LANGUAGE sql IMMUTABLE
RETURN n * 2;
