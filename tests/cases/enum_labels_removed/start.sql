CREATE ROLE owner;
CREATE ROLE reader;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
CREATE TYPE app.status AS ENUM ('new', 'open', 'stale', 'closed');
COMMENT ON TYPE app.status IS 'ticket state';
REVOKE USAGE ON TYPE app.status FROM PUBLIC;
GRANT USAGE ON TYPE app.status TO reader;
CREATE TABLE app.tickets (
    id integer PRIMARY KEY,
    status app.status NOT NULL DEFAULT 'new',
    history app.status[] NOT NULL DEFAULT '{new}'
);
CREATE INDEX tickets_status_idx ON app.tickets (status);
CREATE VIEW app.open_tickets AS SELECT id, status FROM app.tickets WHERE status <> 'closed';
CREATE VIEW app.open_count AS SELECT count(*) AS n FROM app.open_tickets;
GRANT SELECT ON app.open_count TO reader;
RESET ROLE;
INSERT INTO app.tickets VALUES (1, 'new', '{new}'), (2, 'open', '{new,open}'),
    (3, 'closed', '{new,open,closed}');
