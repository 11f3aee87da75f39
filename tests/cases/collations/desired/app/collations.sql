CREATE COLLATION app.bytes (provider = libc, locale = 'C');
CREATE COLLATION app.sorted (lc_collate = 'POSIX', lc_ctype = 'POSIX');
-- ICU, not deterministic: comparisons ignore case
CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
