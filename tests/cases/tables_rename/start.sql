CREATE ROLE owner;
CREATE ROLE app;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.memos (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT memos_pk PRIMARY KEY,
    txt text,
    CONSTRAINT memos_txt_chk CHECK (txt <> '')
);
CREATE INDEX memos_txt_ix ON general.memos (txt);
GRANT SELECT ON general.memos TO app;
RESET ROLE;
INSERT INTO general.memos (txt) VALUES ('one'), ('two');
