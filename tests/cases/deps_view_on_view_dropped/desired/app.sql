CREATE VIEW app.a AS SELECT t_a.id, t_a.name FROM app.t_a;

CREATE VIEW app.qa AS SELECT a.id, a.name FROM app.a;

CREATE VIEW app.qb AS SELECT b.id, b.name FROM app.b;
