-- the body changes: replaced in place
CREATE FUNCTION app.greet(name text) RETURNS text LANGUAGE plpgsql
AS $$ BEGIN RETURN 'hi ' || name; END $$;

-- the result type changes: dropped and created again, its grants with it
CREATE FUNCTION app.total(a integer) RETURNS bigint LANGUAGE sql AS 'SELECT a';

-- only whitespace in the body changes: still a change (the stored body differs)
CREATE FUNCTION app.spaced(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a  + 1';

-- written differently, the same once canonical: only owner and comment change
create or replace function app.same(a int4, b int) returns int
  immutable language sql
  as 'SELECT a * b';
