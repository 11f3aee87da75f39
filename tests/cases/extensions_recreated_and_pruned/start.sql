-- pg_trgm's scripts have no way down from 1.4 to 1.3, citext's go up from 1.5 to 1.6;
-- hstore is not declared and the scope claims it; uuid-ossp is not claimed.
CREATE EXTENSION pg_trgm VERSION '1.4';
CREATE EXTENSION hstore;
CREATE EXTENSION "uuid-ossp";
CREATE EXTENSION citext VERSION '1.5';
