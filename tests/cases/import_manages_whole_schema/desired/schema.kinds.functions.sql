-- written by pgrecon import

CREATE OR REPLACE FUNCTION kinds.add(a integer, b integer)
 RETURNS integer
 LANGUAGE sql
AS $function$SELECT a + b$function$;
