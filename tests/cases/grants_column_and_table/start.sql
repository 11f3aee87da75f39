CREATE ROLE owner;
CREATE ROLE app;
CREATE ROLE auditor;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.notes (id integer, body text, flag boolean);
CREATE TABLE general.tasks (id integer, title text);
CREATE TABLE general.items (id integer, label text);
CREATE TABLE general.kept (id integer, note text);
RESET ROLE;
-- notes: table-level UPDATE that becomes a column grant (the table revoke must not
-- take the new column grant with it)
GRANT SELECT, UPDATE ON general.notes TO app;
-- tasks: a column grant that goes away while the table-level grants change
GRANT SELECT ON general.tasks TO app;
GRANT UPDATE (title) ON general.tasks TO app;
GRANT SELECT (id), REFERENCES (id) ON general.tasks TO auditor;
-- items: column grant that becomes table-level
GRANT SELECT ON general.items TO app;
GRANT UPDATE (label) ON general.items TO app;
-- kept: table-level and column-level UPDATE; only the column grant stays (the table
-- revoke takes it too: it is granted again after)
GRANT SELECT, UPDATE ON general.kept TO app;
GRANT UPDATE (note) ON general.kept TO app WITH GRANT OPTION;
