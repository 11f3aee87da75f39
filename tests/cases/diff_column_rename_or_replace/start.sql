CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id bigint, name text);
CREATE TABLE general.memos (id bigint, name text);
RESET ROLE;
INSERT INTO general.notes VALUES (1, 'kept');
INSERT INTO general.memos VALUES (1, 'lost');
