CREATE FUNCTION app.valid_custom_id(val text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
  RETURN val IS NOT NULL AND val LIKE 'id_%' AND length(val) >= 5;
END
$$;
