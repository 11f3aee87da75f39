CREATE VIEW app.keep AS SELECT t.id FROM app.t;
