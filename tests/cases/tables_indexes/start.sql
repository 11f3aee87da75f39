CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.events (
    id bigint PRIMARY KEY,
    kind text,
    payload jsonb,
    created_at timestamptz,
    deleted_at timestamptz
);
CREATE INDEX events_kind_ix ON general.events (kind);
CREATE INDEX events_created_idx ON general.events (created_at);
CREATE INDEX events_payload_idx ON general.events USING gin (payload) WITH (fastupdate = off);
CREATE INDEX events_stale_idx ON general.events (deleted_at);
RESET ROLE;
INSERT INTO general.events
SELECT g, 'k' || (g % 3), '{}'::jsonb, '2024-01-01'::timestamptz + g * interval '1 hour', NULL
FROM generate_series(1, 100) AS g;
