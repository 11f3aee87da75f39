-- reads the table under the name it gets in this plan
CREATE VIEW app.names AS SELECT name FROM app.items;
