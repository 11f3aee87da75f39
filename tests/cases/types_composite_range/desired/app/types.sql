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

-- uses a type declared after it, by its unqualified name
CREATE TYPE app.contact AS (name text, phone phone, homes app.address[]);

CREATE TYPE app.phone AS (country_code smallint, number text);
