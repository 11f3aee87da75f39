CREATE ROLE owner;
CREATE SCHEMA app AUTHORIZATION owner;
SET ROLE owner;
-- declared with another locale: dropped and created again
CREATE COLLATION app.sorted (provider = libc, locale = 'C');
-- undeclared: reported (no --prune here)
CREATE COLLATION app.old (locale = 'POSIX');
RESET ROLE;
