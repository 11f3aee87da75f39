CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
CREATE EXTENSION citext VERSION '1.4' SCHEMA public;
CREATE TYPE general.mood AS ENUM ('ok', 'happy');
ALTER TYPE general.mood OWNER TO owner;
CREATE DOMAIN general.score AS integer DEFAULT 0
    CONSTRAINT score_range CHECK (VALUE BETWEEN 0 AND 10)
    CONSTRAINT score_not_seven CHECK (VALUE <> 7);
ALTER DOMAIN general.score OWNER TO owner;
CREATE TABLE general.ratings (mood general.mood, score general.score);
ALTER TABLE general.ratings OWNER TO owner;
INSERT INTO general.ratings VALUES ('ok', 3), ('happy', 9);
