-- An import of a database that had only schema `kept`, applied to one that also has
-- `gone` (holding types only) and `"Other Team"`: the import claims every schema.
-- The imported database had no `public` schema either.
DROP SCHEMA public;
CREATE ROLE owner;
CREATE SCHEMA kept AUTHORIZATION owner;
CREATE TABLE kept.t (id int);
ALTER TABLE kept.t OWNER TO owner;
CREATE SCHEMA gone AUTHORIZATION owner;
CREATE TYPE gone.mood AS ENUM ('sad', 'happy');
CREATE DOMAIN gone.posint AS integer CHECK (VALUE > 0);
CREATE SCHEMA "Other Team";
