-- an existing view gains security_invoker: CREATE OR REPLACE
CREATE VIEW app.v WITH (security_invoker = on) AS SELECT id FROM app.t;
