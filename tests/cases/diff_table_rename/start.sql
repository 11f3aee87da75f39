CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.memos (
    id integer CONSTRAINT memos_pk PRIMARY KEY,
    txt text CONSTRAINT memos_txt_chk CHECK (txt <> '')
);
CREATE TABLE general.refs (memo_id integer CONSTRAINT refs_memo_fkey REFERENCES general.memos (id));
CREATE TABLE general.memo (id integer);
RESET ROLE;
INSERT INTO general.memos VALUES (1, 'one');
INSERT INTO general.refs VALUES (1);
INSERT INTO general.memo VALUES (1);
