CREATE VIEW app.open_tickets AS SELECT id, status FROM app.tickets WHERE status <> 'closed';

CREATE VIEW app.open_count AS SELECT count(*) AS n FROM app.open_tickets;
