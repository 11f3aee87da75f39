CREATE VIEW app.v_append WITH (security_barrier) AS SELECT id, name FROM app.items;

CREATE VIEW app.v_remove AS SELECT id FROM app.items;

CREATE VIEW app.v_on_remove AS SELECT v_remove.id FROM app.v_remove;

create view app.v_same as
    select   id
    from     items
    where    price>0;

CREATE MATERIALIZED VIEW app.m AS SELECT count(*) AS n, max(price) AS top FROM app.items;
CREATE UNIQUE INDEX m_n ON app.m (n);

CREATE MATERIALIZED VIEW app.m2 AS SELECT items.id, items.name FROM app.items;
create index m2_id on app.m2 (id, name);
