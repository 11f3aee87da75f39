CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE app.old_state AS ENUM ('draft', 'live', 'gone');
CREATE TYPE app.new_state AS ENUM ('draft', 'review', 'live', 'gone');
CREATE TABLE app.pages (
    id integer PRIMARY KEY,
    state app.old_state NOT NULL DEFAULT 'draft',
    past app.old_state[],
    tag app.old_state
);
CREATE VIEW app.live_pages AS SELECT id FROM app.pages WHERE state = 'live';
RESET ROLE;
INSERT INTO app.pages VALUES (1, 'draft', '{}', 'live'), (2, 'live', '{draft,live}', NULL);
