CREATE VIEW app.item_names AS SELECT id, name FROM app.items;

CREATE VIEW app.named AS SELECT id FROM app.item_names WHERE name <> '';

CREATE VIEW app.item_codes AS SELECT id, name AS code FROM app.items;
