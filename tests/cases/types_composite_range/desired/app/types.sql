-- a range type with its multirange named, used by a new table
CREATE TYPE app.floatrange AS RANGE (
    subtype = float8,
    subtype_diff = float8mi,
    multirange_type_name = floatranges
);

CREATE TYPE app.address AS (
    street text,
    city varchar(40) COLLATE "C",
    country text
);
