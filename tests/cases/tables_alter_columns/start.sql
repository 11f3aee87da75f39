CREATE ROLE owner;
CREATE ROLE app;
CREATE SCHEMA general AUTHORIZATION owner;
CREATE TABLE general.items (
    id integer NOT NULL,
    code text,
    name varchar(50),
    price text DEFAULT '0',
    note text NOT NULL,
    legacy text,
    score integer GENERATED ALWAYS AS (id * 2) STORED,
    kept numeric GENERATED ALWAYS AS (id + 1) STORED
);
COMMENT ON COLUMN general.items.legacy IS 'old';
CREATE INDEX items_score_idx ON general.items (score);
ALTER TABLE general.items ADD CONSTRAINT items_score_check CHECK (score >= 0);
ALTER TABLE general.items OWNER TO owner;
INSERT INTO general.items (id, code, name, price, note, legacy)
VALUES (1, 'a-1', 'Widget', '10.50', 'first', 'x'), (2, 'b-2', 'Gadget', '3', 'second', NULL);
GRANT SELECT (note), UPDATE (note, legacy) ON general.items TO app;
