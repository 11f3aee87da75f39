CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';

-- unqualified: which schema?
CREATE FUNCTION helper() RETURNS integer LANGUAGE sql AS 'SELECT 1';

-- the same function twice (int is integer)
CREATE FUNCTION app.twice(a int) RETURNS integer LANGUAGE sql AS 'SELECT a * 2';
CREATE OR REPLACE FUNCTION app.twice(b integer) RETURNS integer LANGUAGE sql AS 'SELECT b * 2';

-- its schema is not declared
CREATE PROCEDURE elsewhere.job() LANGUAGE sql AS 'SELECT 1';
