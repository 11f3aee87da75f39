-- written by pgrecon import

CREATE TYPE kinds.address AS (street text, city text);
