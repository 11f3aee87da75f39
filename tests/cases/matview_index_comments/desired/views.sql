CREATE MATERIALIZED VIEW app.users_summary AS SELECT email, created_at FROM app.users;
CREATE INDEX users_summary_email ON app.users_summary (email);
CREATE INDEX users_summary_created ON app.users_summary (created_at);
CREATE INDEX users_summary_both ON app.users_summary (created_at, email);

CREATE MATERIALIZED VIEW app.users_recent AS
  SELECT u.email, s.created_at FROM app.users u JOIN app.users_summary s USING (email)
  WITH NO DATA;
CREATE INDEX users_recent_email ON app.users_recent (email);
