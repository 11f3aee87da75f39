CREATE VIEW app.item_ids AS SELECT id FROM app.items;
CREATE MATERIALIZED VIEW app.item_count AS SELECT count(*) FROM app.items;

CREATE TRIGGER item_ids_insert INSTEAD OF INSERT ON app.item_ids
    FOR EACH ROW EXECUTE FUNCTION app.insert_item();

-- declared twice
CREATE TRIGGER item_ids_insert INSTEAD OF INSERT ON app.item_ids
    FOR EACH ROW EXECUTE FUNCTION app.insert_item();

-- a materialized view has no triggers
CREATE TRIGGER item_count_note AFTER INSERT ON app.item_count
    FOR EACH STATEMENT EXECUTE FUNCTION app.note();
