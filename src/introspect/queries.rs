//! The SQL that introspection runs: a fixed list of set-based catalog queries.
//!
//! Rules every query here follows:
//!
//! - one query per object class, never one per object, and no parameters;
//! - raw catalog columns; the only server-side deparsing is of *expressions*:
//!   `pg_get_expr` (defaults, generated columns, checks, index predicates, policies,
//!   partition bounds), `pg_get_indexdef(index, k, true)` for an index key that is an
//!   expression (`indkey[k] = 0`) and `pg_get_partkeydef` for partitioned tables. Never
//!   `pg_get_indexdef(index)` or `pg_get_constraintdef`: they deparse whole objects and
//!   cost about 40 µs each at scale. `format_type`, `oidvectortypes`, `pg_get_userbyid`
//!   and `reg*` output are cache lookups, not deparsing, and are fine;
//! - comments come from a join on `pg_description` / `pg_shdescription`, not from
//!   `obj_description()` per row;
//! - ACLs are exploded with `aclexplode` over `coalesce(acl, acldefault(…))`, so that an
//!   object that was never granted on still reports its built-in grants (for example
//!   `EXECUTE` to `PUBLIC` on functions), and the owner's own entries are removed in SQL
//!   (the model never holds the owner's implicit privileges). Each ACL comes back as three
//!   parallel arrays: grantee (`NULL` = `PUBLIC`), privilege name, grantable.
//!
//! # Cost at scale
//!
//! Measured on a 10,000-table catalog (140k columns, 41k indexes, 31k constraints), the
//! server's work is dominated by row volume and by one thing only the server can do:
//! deparsing an expression against a table builds the table's relcache entry
//! (~35 µs each in a fresh session), once per table with a check, partial or expression
//! index, or generated column. What keeps the rest small:
//!
//! - hash joins over whole catalogs rather than per-row probes or correlated
//!   sub-selects (a probe into a catalog bigger than `shared_buffers` costs several µs);
//! - column numbers, opclass, collation and operator oids come back raw and are named by
//!   the reader from the column rows and `opclasses_and_collations()`, instead of
//!   catalog lookups per key on the server;
//! - column defaults and comments are read straight from `pg_attrdef` and
//!   `pg_description` (`column_defaults_and_comments()`), not joined to 140k column rows;
//! - expressions that cannot reference a column (defaults, partition bounds, domain
//!   defaults and checks) are deparsed with relid 0, which builds no relcache entry;
//! - the relcache entries are built in the session's own process, once (see
//!   [`search_path`]), and the queries that deparse against tables run back to back.
//!
//! # Canonical text
//!
//! Type names and expressions are compared as text with the desired state, which `canon`
//! brings to the same form on the server (by creating scratch objects and reading them
//! back with this same code). Both sides must therefore be read the same way:
//!
//! - **`search_path` is empty.** [`search_path`] runs first in the transaction and sets
//!   it to `''` (transaction-local), so `format_type`, `pg_get_expr`, `regclass`,
//!   `regcollation` … qualify every name outside `pg_catalog`: `general.mood`,
//!   `nextval('general.notes_id_seq'::regclass)`, `'ok'::general.mood`, `public.hstore`.
//!   The server query checks that it took effect (it does not outside a transaction, and
//!   the read is then refused).
//! - **Type names** are `format_type(atttypid, atttypmod)`: `integer`, `character
//!   varying(20)`, `numeric(10,2)`, `timestamp(3) with time zone`, `text[]`,
//!   `general.mood`; a sequence's is `format_type(seqtypid, NULL)`: `bigint`.
//! - **Expressions** are `pg_get_expr(node, relid)` output (not pretty), without a
//!   `CHECK (…)` wrapper: `((price >= (0)::numeric) AND …)`, `(VALUE > 0)`, `now()`,
//!   `CURRENT_TIMESTAMP`, `'{}'::jsonb`. Expressions that cannot reference a column are
//!   deparsed with relid 0; the text is identical.
//! - **Index key expressions** are `pg_get_indexdef(index, k, true)` for key `k`, as
//!   printed: a function call bare (`lower(email)`), anything else in parentheses and
//!   pretty-printed (`(price * 2::numeric)`, `(a::text)`); no collation, opclass or
//!   ordering. Exclusion elements that are expressions are read the same way.
//! - **Partition keys** are `pg_get_partkeydef` (`RANGE (at)`), **bounds**
//!   `pg_get_expr(relpartbound)` (`FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
//!   `DEFAULT`).
//! - **Collation names** (columns, index keys, domains) are `oid::regcollation::text`
//!   under the empty `search_path`: the name quoted as an identifier when the collation
//!   is in `pg_catalog` (`"C"`, `"POSIX"`, `"en_US"`, `"default"`, `ucs_basic`), else
//!   `schema.name`, each part quoted only when needed (`public.german`). A column's
//!   collation is reported only when it differs from its type's (`typcollation`, so a
//!   column of a domain with a collation reports none); an index key's only when it
//!   differs from the column's, or, for an expression key, from the database default
//!   (the expression's own collation is not in the catalog: an expression over a `"C"`
//!   column reports `"C"`).
//! - **Operator classes** are reported only when they are not the default: an opclass
//!   is "default" when `opcdefault` is set and no other default opclass of the method
//!   exists for the column's exact type (that is how `GetDefaultOpClass` resolves
//!   binary-compatible types such as `varchar` and domains → `text_ops`); for
//!   expression keys the flag alone decides. Written like collations:
//!   `text_pattern_ops`, `public.gin_trgm_ops`.
//! - **Exclusion operators** are the bare name when in `pg_catalog` (`&&`, `=`), else
//!   `OPERATOR(schema.name)` as in the `EXCLUDE` clause (`OPERATOR(public.&&&)`).
//! - **Referenced tables** (foreign keys, `OWNED BY`) are `regclass` text parsed into a
//!   `QualifiedName` (a bare name is a `pg_catalog` table).
//! - **Storage parameters** are `reloptions` split on the first `=`: `fillfactor` →
//!   `70`, as stored.
//! - **Sequence options** are raw numbers; the reader drops the ones equal to
//!   PostgreSQL's defaults for the type and direction (increment 1; ascending: min 1,
//!   max the type's maximum, start = min; descending: min the type's minimum, max -1,
//!   start = max; cache 1; no cycle).

/// Names (used in error messages) of the queries `read_catalog` runs, in the order they
/// are sent. The first two run alone, one after the other (the rest depend on them);
/// the others are pipelined, in the order the reader needs their rows: each one is
/// decoded while the server runs the next.
pub const NAMES: [&str; 22] = [
    "search path",
    "server",
    "operator classes and collations",
    "tables",
    "columns",
    "column defaults and comments",
    "indexes",
    "constraints",
    "policies",
    "sequences",
    "database",
    "roles",
    "role memberships",
    "settings",
    "schemas",
    "relations",
    "functions",
    "default privileges",
    "enums",
    "domains",
    "extensions",
    "unmanaged objects",
];

/// `LEFT JOIN LATERAL` that explodes `acl` minus the entries of `owner` into the columns
/// `acl.grantees text[]`, `acl.privileges text[]`, `acl.grantable bool[]` (all `NULL`
/// when nothing is left).
fn acl_join(acl: &str, owner: &str) -> String {
    format!(
        "LEFT JOIN LATERAL (
            SELECT array_agg(CASE WHEN e.grantee = 0 THEN NULL
                                  ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END) AS grantees,
                   array_agg(e.privilege_type::text) AS privileges,
                   array_agg(e.is_grantable) AS grantable
            FROM pg_catalog.aclexplode({acl}) AS e
            WHERE e.grantee <> {owner}
        ) AS acl ON true"
    )
}

/// The same three columns as [`acl_join`] (`grantees`, `privileges`, `grantable`), as
/// sub-selects that only run when `acl` is not NULL: for ACLs that are NULL on nearly
/// every row (column ACLs), where a lateral join per row would cost more than the rest of
/// the query. `aclexplode` returns the entries of one ACL in the same order each time,
/// so the three arrays stay parallel.
fn acl_columns(acl: &str, owner: &str) -> String {
    let column = |expr: &str, name: &str| {
        format!(
            "CASE WHEN ({acl}) IS NOT NULL THEN
                 ARRAY(SELECT {expr} FROM pg_catalog.aclexplode({acl}) AS e
                       WHERE e.grantee <> {owner})
             END AS {name}"
        )
    };
    [
        column(
            "CASE WHEN e.grantee = 0 THEN NULL
                  ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END",
            "grantees",
        ),
        column("e.privilege_type::text", "privileges"),
        column("e.is_grantable", "grantable"),
    ]
    .join(",\n")
}

/// `true` for the schemas pgrecon never looks into (mirrors `model::is_system_schema`).
fn user_schema(nsp: &str) -> String {
    format!("left({nsp}.nspname, 3) <> 'pg_' AND {nsp}.nspname <> 'information_schema'")
}

/// `true` when the object is not a member of an extension (`pg_depend.deptype = 'e'`).
///
/// Written as `NOT IN` over the (few) extension members, found through the index on
/// `refclassid`, so the planner hashes them once instead of probing `pg_depend` once per
/// object (measured on 20,000 relations: 40 ms instead of 90 ms for the relation query).
/// `objid` is never NULL, so `NOT IN` has no NULL pitfall.
fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "{oid} NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend AS dep
                       WHERE dep.refclassid = 'pg_catalog.pg_extension'::regclass
                         AND dep.classid = 'pg_catalog.{catalog}'::regclass
                         AND dep.deptype = 'e')"
    )
}

/// Runs first and sets, for the rest of the transaction (`set_config(…, true)`):
///
/// - an empty `search_path`, so that every name outside `pg_catalog` comes back
///   schema-qualified (see the module documentation). Harmless inside apply's write
///   transaction: every statement pgrecon generates is schema-qualified;
/// - no parallel workers (`max_parallel_workers_per_gather = 0`). Deparsing an
///   expression against a table builds the table's relcache entry (~35 µs in a fresh
///   session, a third of the whole read at 10,000 tables); built in the session's own
///   process, the entry serves every later query (indexes, then constraints, then
///   policies), while a worker's entries die with it and the next query builds them
///   again. Measured on two cores: a parallel index query made the constraint query
///   that follows it 3× slower. Index builds in apply use
///   `max_parallel_maintenance_workers`, which is left alone.
pub fn search_path() -> String {
    "SELECT pg_catalog.set_config('search_path', '', true),
            pg_catalog.set_config('max_parallel_workers_per_gather', '0', true)"
        .to_string()
}

/// `true` for a relation `rel` (in namespace `nsp`) that introspection looks at: in a
/// user schema, neither it nor its schema a member of an extension.
fn user_relation(rel: &str, nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext_rel} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext_rel = not_extension_member("pg_class", &format!("{rel}.oid")),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

/// `true` for a table (`relkind` `r` or `p`) introspection reads, see [`user_relation`].
fn user_table(rel: &str, nsp: &str) -> String {
    format!(
        "{rel}.relkind IN ('r', 'p') AND {}",
        user_relation(rel, nsp)
    )
}

/// An object of catalog `catalog` (oid `oid`, namespace `nsp`) introspection reads.
fn user_object(catalog: &str, oid: &str, nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext = not_extension_member(catalog, oid),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

/// A name as `reg*` output prints it under an empty `search_path`: `quote_ident(name)`
/// when the object is in `pg_catalog`, else `quote_ident(schema).quote_ident(name)`.
fn qualified_unless_catalog(nsp: &str, name: &str) -> String {
    format!(
        "CASE WHEN {nsp}.nspname = 'pg_catalog' THEN pg_catalog.quote_ident({name}::text)
              ELSE pg_catalog.quote_ident({nsp}.nspname::text) || '.'
                   || pg_catalog.quote_ident({name}::text) END"
    )
}

/// Server facts. Runs second, alone: the role, membership, constraint and index queries
/// depend on it. `search_path_cleared` is false when [`search_path`] did not stick (no
/// transaction was open), and the read is refused.
pub fn server() -> String {
    "SELECT pg_catalog.current_setting('server_version_num')::int4 AS version_num,
            pg_catalog.version() AS version,
            (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() AS s)
                AS system_identifier,
            current_user::text AS current_user,
            pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT')
                AS can_read_passwords,
            pg_catalog.current_setting('search_path') = '' AS search_path_cleared"
        .to_string()
}

/// The current database: owner, comment and ACL (`acldefault('d')` gives `PUBLIC`
/// `CONNECT` and `TEMPORARY`).
pub fn database() -> String {
    format!(
        "SELECT d.datname::text AS name,
                pg_catalog.pg_get_userbyid(d.datdba)::text AS owner,
                sd.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_database AS d
         LEFT JOIN pg_catalog.pg_shdescription AS sd
                ON sd.objoid = d.oid AND sd.classoid = 'pg_catalog.pg_database'::regclass
         {acl}
         WHERE d.datname = current_database()",
        acl = acl_join(
            "coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))",
            "d.datdba"
        ),
    )
}

/// Every role with its attributes, comment and (when readable) password verifier.
/// `pg_authid` is only readable by superusers; otherwise `pg_roles` (which masks the
/// password) is read and the password column is `NULL`.
///
/// `valid_until` is rendered as PostgreSQL prints a `timestamptz` with `DateStyle=ISO`
/// and `TimeZone=UTC` (fractional seconds only when non-zero), whatever the session's
/// settings are; `infinity` (and no expiry) is `NULL`.
pub fn roles(can_read_passwords: bool) -> String {
    let (source, password) = if can_read_passwords {
        ("pg_catalog.pg_authid", "a.rolpassword")
    } else {
        ("pg_catalog.pg_roles", "NULL::text")
    };
    format!(
        "SELECT a.rolname::text AS name,
                a.rolcanlogin AS login, a.rolsuper AS superuser, a.rolcreatedb AS createdb,
                a.rolcreaterole AS createrole, a.rolinherit AS inherit,
                a.rolreplication AS replication, a.rolbypassrls AS bypassrls,
                a.rolconnlimit AS connection_limit,
                CASE WHEN a.rolvaliduntil IS NULL OR a.rolvaliduntil = 'infinity' THEN NULL
                     WHEN a.rolvaliduntil = '-infinity' THEN '-infinity'
                     ELSE rtrim(rtrim(to_char(a.rolvaliduntil AT TIME ZONE 'UTC',
                                              'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.') || '+00'
                END AS valid_until,
                sd.description AS comment,
                {password} AS password
         FROM {source} AS a
         LEFT JOIN pg_catalog.pg_shdescription AS sd
                ON sd.objoid = a.oid AND sd.classoid = 'pg_catalog.pg_authid'::regclass"
    )
}

/// Memberships of every non-builtin role (the granted role may be builtin). On
/// PostgreSQL 16+ a membership can be granted several times by different grantors; the
/// options are OR-ed together, which is what the member effectively holds. Before 16 the
/// `inherit` and `set` options do not exist and come back `NULL`.
pub fn memberships(version_num: i32) -> String {
    let (inherit, set) = if version_num >= 160000 {
        ("bool_or(am.inherit_option)", "bool_or(am.set_option)")
    } else {
        ("NULL::bool", "NULL::bool")
    };
    format!(
        "SELECT m.rolname::text AS member, g.rolname::text AS granted,
                bool_or(am.admin_option) AS admin,
                {inherit} AS inherit,
                {set} AS set
         FROM pg_catalog.pg_auth_members AS am
         JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
         JOIN pg_catalog.pg_roles AS g ON g.oid = am.roleid
         WHERE left(m.rolname, 3) <> 'pg_'
         GROUP BY m.rolname, g.rolname"
    )
}

/// Every `pg_db_role_setting` element that concerns this database: role settings for
/// every database (`role` set, `in_database` false), role settings in this database
/// (`role` set, `in_database` true) and database settings (`role` NULL).
pub fn settings() -> String {
    "SELECT r.rolname::text AS role,
            s.setdatabase <> 0 AS in_database,
            cfg.item AS item
     FROM pg_catalog.pg_db_role_setting AS s
     LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
     CROSS JOIN LATERAL unnest(s.setconfig) AS cfg(item)
     WHERE (s.setdatabase = 0 AND s.setrole <> 0)
        OR s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                            WHERE datname = current_database())"
        .to_string()
}

/// Non-system schemas not owned by an extension.
pub fn schemas() -> String {
    format!(
        "SELECT n.nspname::text AS name,
                pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_namespace AS n
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass
               AND d.objsubid = 0
         {acl}
         WHERE {user_schema} AND {not_ext}",
        acl = acl_join(
            "coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))",
            "n.nspowner"
        ),
        user_schema = user_schema("n"),
        not_ext = not_extension_member("pg_namespace", "n.oid"),
    )
}

/// Tables, partitioned tables, views, materialized views, foreign tables and sequences
/// (including identity and serial sequences) in the schemas `schemas()` returns,
/// without extension members.
pub fn relations() -> String {
    format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
                pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         {acl}
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND {user_schema} AND {not_ext_rel} AND {not_ext_nsp}",
        acl = acl_join(
            "coalesce(c.relacl, pg_catalog.acldefault(\
                CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner))",
            "c.relowner"
        ),
        user_schema = user_schema("n"),
        not_ext_rel = not_extension_member("pg_class", "c.oid"),
        not_ext_nsp = not_extension_member("pg_namespace", "n.oid"),
    )
}

/// Functions and procedures (no aggregates, no window functions) in the schemas
/// `schemas()` returns, without extension members.
pub fn functions() -> String {
    format!(
        "SELECT n.nspname::text AS schema, p.proname::text AS name,
                pg_catalog.oidvectortypes(p.proargtypes) AS arguments,
                p.prokind = 'p' AS is_procedure,
                pg_catalog.pg_get_userbyid(p.proowner)::text AS owner,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_proc AS p
         JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
         {acl}
         WHERE p.prokind IN ('f', 'p')
           AND {user_schema} AND {not_ext_proc} AND {not_ext_nsp}",
        acl = acl_join(
            "coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))",
            "p.proowner"
        ),
        user_schema = user_schema("n"),
        not_ext_proc = not_extension_member("pg_proc", "p.oid"),
        not_ext_nsp = not_extension_member("pg_namespace", "n.oid"),
    )
}

/// Schema-specific default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s`)
/// on tables, sequences and functions, exactly as stored — no `acldefault`: a
/// schema-specific entry only ever adds to the global defaults.
///
/// Checked on PostgreSQL 15: after `ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s GRANT
/// SELECT ON TABLES TO r`, `defaclacl` is `{r=r/o}` — the owner is *not* added (unlike a
/// global entry, which starts from `acldefault` and so holds `o=arwdDxt/o`). An owner
/// entry appears only when one explicitly grants to the owner in that schema (`… GRANT …
/// TO o`); it is still removed here, since the owner's implicit privileges never take
/// part in the model. After a `REVOKE` that empties the entry, the row disappears.
pub fn default_privileges() -> String {
    format!(
        "SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text AS for_role,
                n.nspname::text AS schema,
                d.defaclobjtype::text AS kind,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_default_acl AS d
         JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
         {acl}
         WHERE d.defaclobjtype IN ('r', 'S', 'f') AND {user_schema}",
        acl = acl_join("d.defaclacl", "d.defaclrole"),
        user_schema = user_schema("n"),
    )
}

/// Tables and partitioned tables: persistence, row-level security, comment, partition
/// key (`pg_get_partkeydef`, partitioned tables only) and, for a partition, its parent
/// and bound (`pg_get_expr(relpartbound)`: `FOR VALUES FROM ('2024-01-01') TO (…)`,
/// `DEFAULT`). `oid` keys the rows of the column, constraint, index and policy queries.
pub fn tables() -> String {
    format!(
        "SELECT c.oid AS oid, n.nspname::text AS schema, c.relname::text AS name,
                c.relpersistence = 'u' AS unlogged,
                c.relrowsecurity AS row_level_security,
                c.relforcerowsecurity AS force_row_level_security,
                d.description AS comment,
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END
                    AS partition_by,
                pn.nspname::text AS parent_schema, pc.relname::text AS parent_name,
                CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, 0) END
                    AS partition_bound
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         LEFT JOIN pg_catalog.pg_inherits AS i ON c.relispartition AND i.inhrelid = c.oid
         LEFT JOIN pg_catalog.pg_class AS pc ON pc.oid = i.inhparent
         LEFT JOIN pg_catalog.pg_namespace AS pn ON pn.oid = pc.relnamespace
         WHERE {user_table}",
        user_table = user_table("c", "n"),
    )
}

/// Columns (`attnum > 0`, not dropped) of every table and partitioned table. The
/// columns of the tables `tables()` returns, except partitions, come with every field
/// (`detailed`); the others (partitions, tables outside the scope, which a foreign key
/// may reference) only with what maps a column number to a name.
///
/// Constraints and indexes come back with raw column numbers (`conkey`, `indkey`),
/// which the reader maps to names with these rows: one hash lookup per key instead of a
/// catalog probe and a sorted sub-select per constraint on the server. `type_oid` and
/// `collation_oid` are compared by the reader with the type's collation
/// (`opclasses_and_collations()`) and, for index keys, decide whether an opclass and a
/// collation are the defaults. Defaults and comments come from
/// `column_defaults_and_comments()`. The ACL is the column's own (`attacl`, never
/// defaulted), without the table owner's entries.
pub fn columns(version_num: i32) -> String {
    // PostgreSQL 18 keeps NOT NULL as named constraints (contype 'n').
    let not_null_name = if version_num >= 180000 {
        "CASE WHEN r.detailed AND a.attnotnull
              THEN (SELECT co.conname::text FROM pg_catalog.pg_constraint AS co
                    WHERE co.conrelid = a.attrelid AND co.contype = 'n'
                      AND co.conkey[1] = a.attnum) END"
    } else {
        "NULL::text"
    };
    format!(
        "SELECT a.attrelid AS table_oid, a.attnum::int4 AS num, a.attname::text AS name,
                a.atttypid AS type_oid, a.attcollation AS collation_oid,
                r.detailed,
                CASE WHEN r.detailed
                     THEN pg_catalog.format_type(a.atttypid, a.atttypmod) END AS type_name,
                a.attnotnull AS not_null,
                {not_null_name} AS not_null_name,
                a.attgenerated::text AS generated,
                a.attidentity::text AS identity,
                {acl}
         FROM (SELECT c.oid, c.relowner,
                      ({user_table} AND NOT c.relispartition) AS detailed
               FROM pg_catalog.pg_class AS c
               JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p')
               OFFSET 0) AS r
         JOIN pg_catalog.pg_attribute AS a ON a.attrelid = r.oid
         WHERE a.attnum > 0 AND NOT a.attisdropped",
        acl = acl_columns("CASE WHEN r.detailed THEN a.attacl END", "r.relowner"),
        user_table = user_table("c", "n"),
    )
}

/// Every column default (`kind` `default`: the default, or the expression of a
/// generated column) and every column comment (`comment`), keyed by table oid and
/// column number; the reader keeps those of the columns `columns()` details.
///
/// Read straight from `pg_attrdef` and `pg_description` rather than joined to the
/// column rows: measured at 10,000 tables (140k columns, 70k defaults), the joins cost
/// more than the rest of the column query. An expression is deparsed without a relation
/// unless it references a column (a `Var` node, which only generated columns have):
/// the text is the same, and deparsing against a relation means building its relcache
/// entry.
pub fn column_defaults_and_comments() -> String {
    "SELECT 'default' AS kind, ad.adrelid AS table_oid, ad.adnum::int4 AS num,
            pg_catalog.pg_get_expr(ad.adbin,
                CASE WHEN pg_catalog.strpos(ad.adbin::text, '{VAR ') > 0 THEN ad.adrelid
                     ELSE 0 END) AS text
     FROM pg_catalog.pg_attrdef AS ad
     UNION ALL
     SELECT 'comment', d.objoid, d.objsubid, d.description
     FROM pg_catalog.pg_description AS d
     WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0"
        .to_string()
}

/// `indnullsnotdistinct` exists on PostgreSQL 15+.
fn nulls_not_distinct(index: &str, version_num: i32) -> String {
    if version_num >= 150000 {
        format!("coalesce({index}.indnullsnotdistinct, false)")
    } else {
        "false".to_string()
    }
}

/// Most key columns an index can have (`INDEX_MAX_KEYS` of a standard build).
pub const INDEX_MAX_KEYS: usize = 32;

/// `ARRAY[…]` of `pg_get_indexdef(index, k, true)` for each key column `k` of `index`
/// (a pg_index alias) that is an expression, `NULL` for a plain column, one element per
/// possible key column ([`INDEX_MAX_KEYS`]; the reader uses the first `indnkeyatts`).
/// Written out rather than as a sub-select over `unnest(indkey)`, which would cost a
/// sub-plan start per index.
fn key_expressions(index: &str) -> String {
    let elements: Vec<String> = (1..=INDEX_MAX_KEYS)
        .map(|k| {
            format!(
                "CASE WHEN {index}.indnkeyatts >= {k} AND {index}.indkey[{k0}] = 0
                      THEN pg_catalog.pg_get_indexdef({index}.indexrelid, {k}, true) END",
                k0 = k - 1
            )
        })
        .collect();
    format!("ARRAY[{}]", elements.join(",\n"))
}

/// `true` for an object in namespace `nsp` that is in a user schema not owned by an
/// extension.
fn user_namespace(nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

/// Primary key, unique, foreign key, check and exclusion constraints in user schemas
/// (the reader keeps those of the tables `tables()` returns). Not NOT NULL (a column
/// property), not domain constraints (`domains()`), not constraint triggers, and not
/// the copies PostgreSQL maintains itself: constraints inherited from a partitioned
/// parent (`conparentid`) or from an inheritance parent (`NOT conislocal`).
///
/// Column lists are raw column numbers (`conkey`, `confkey`), mapped to names by the
/// reader. What a primary key, unique or exclusion constraint takes from its index
/// (INCLUDE columns, NULLS NOT DISTINCT, exclusion elements, method and predicate)
/// comes from the index query's row for `index_oid`. The referenced table is
/// `regclass` text (`schema.name`; a bare name for a `pg_catalog` table); exclusion
/// operators are oids, named by the reader from `opclasses_and_collations()`.
pub fn constraints() -> String {
    format!(
        "SELECT con.conrelid AS table_oid, con.conname::text AS name,
                con.contype::text AS kind,
                con.condeferrable AS deferrable, con.condeferred AS initially_deferred,
                con.convalidated AS validated,
                d.description AS comment,
                con.conkey AS columns,
                con.conindid AS index_oid,
                con.confrelid AS ref_oid,
                CASE WHEN con.contype = 'f'
                     THEN con.confrelid::pg_catalog.regclass::text END AS ref_table,
                con.confkey AS ref_columns,
                con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
                con.confmatchtype::text AS match_type,
                CASE WHEN con.contype = 'c'
                     THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
                con.connoinherit AS no_inherit,
                con.conexclop AS element_operators
         FROM pg_catalog.pg_constraint AS con
         JOIN pg_catalog.pg_namespace AS n ON n.oid = con.connamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = con.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass
               AND d.objsubid = 0
         WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conrelid <> 0
           AND con.conparentid = 0 AND con.conislocal
           AND {user_namespace}",
        user_namespace = user_namespace("n"),
    )
}

/// Indexes in user schemas (the reader keeps those of the tables `tables()` returns),
/// except a partition's copy of a partitioned index (attached to the parent's index
/// through `pg_inherits`: only the parent's is declared). The reader lists those that do
/// not back a primary key, unique or exclusion constraint as indexes, and takes what
/// such a constraint needs from the others.
///
/// Keys are raw arrays, one element per index column: `indkey` (column number, 0 for an
/// expression; entries past `key_count` are INCLUDE columns), `indclass`,
/// `indcollation`, `indoption` (bit 1 DESC, bit 2 NULLS FIRST); `exprs` holds
/// `pg_get_indexdef(index, k, true)` for the expression keys. The reader names columns,
/// opclasses and collations and drops the defaults. `with` is `reloptions` as stored
/// (`fillfactor=70`).
pub fn indexes(version_num: i32) -> String {
    format!(
        "SELECT i.indexrelid AS index_oid, i.indrelid AS table_oid,
                ic.relname::text AS name,
                i.indisunique AS is_unique, i.indisvalid AS is_valid,
                {nulls_not_distinct} AS nulls_not_distinct,
                am.amname::text AS method,
                i.indkey::int2[] AS keys, i.indnkeyatts::int4 AS key_count,
                i.indclass::oid[] AS opclasses, i.indcollation::oid[] AS collations,
                i.indoption::int2[] AS options,
                CASE WHEN i.indexprs IS NOT NULL THEN {exprs} END AS exprs,
                CASE WHEN i.indpred IS NOT NULL
                     THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid) END AS predicate,
                ic.reloptions::text[] AS with_options,
                d.description AS comment
         FROM pg_catalog.pg_index AS i
         JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
         JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         WHERE {user_namespace}
           AND i.indexrelid NOT IN (SELECT inh.inhrelid FROM pg_catalog.pg_inherits AS inh)",
        nulls_not_distinct = nulls_not_distinct("i", version_num),
        exprs = key_expressions("i"),
        user_namespace = user_namespace("n"),
    )
}

/// Every operator class, collation, collatable type and operator, for the reader to
/// name index keys, column collations and exclusion operators: an opclass (`name` as
/// the module documentation says) with its default flag, method and input type, to
/// tell whether it is the default for a column; a collation by oid (`regcollation`
/// text); a collatable type with its default collation (`type_collation`); an operator
/// as an `EXCLUDE` clause writes it.
pub fn opclasses_and_collations() -> String {
    format!(
        "SELECT 'opclass' AS kind, o.oid AS oid, {opclass} AS name,
                o.opcdefault AS is_default, o.opcmethod AS method, o.opcintype AS input_type,
                NULL::oid AS type_collation
         FROM pg_catalog.pg_opclass AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.opcnamespace
         UNION ALL
         SELECT 'collation', co.oid, co.oid::pg_catalog.regcollation::text,
                NULL, NULL, NULL, NULL
         FROM pg_catalog.pg_collation AS co
         UNION ALL
         SELECT 'type', t.oid, NULL, NULL, NULL, NULL, t.typcollation
         FROM pg_catalog.pg_type AS t
         WHERE t.typcollation <> 0
         UNION ALL
         SELECT 'operator', o.oid,
                CASE WHEN n.nspname = 'pg_catalog' THEN o.oprname::text
                     ELSE 'OPERATOR(' || pg_catalog.quote_ident(n.nspname::text) || '.'
                          || o.oprname::text || ')' END,
                NULL, NULL, NULL, NULL
         FROM pg_catalog.pg_operator AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.oprnamespace",
        opclass = qualified_unless_catalog("n", "o.opcname"),
    )
}

/// Row-level security policies in user schemas (the reader keeps those of the tables
/// `tables()` returns). Role `0` is `PUBLIC`.
pub fn policies() -> String {
    format!(
        "SELECT p.polrelid AS table_oid, p.polname::text AS name,
                p.polpermissive AS permissive, p.polcmd::text AS command,
                ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC'
                                  ELSE pg_catalog.pg_get_userbyid(r.oid)::text END
                      FROM unnest(p.polroles) AS r(oid)) AS roles,
                CASE WHEN p.polqual IS NOT NULL
                     THEN pg_catalog.pg_get_expr(p.polqual, p.polrelid) END AS using_expr,
                CASE WHEN p.polwithcheck IS NOT NULL
                     THEN pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) END AS with_check
         FROM pg_catalog.pg_policy AS p
         JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE {user_table}",
        user_table = user_table("c", "n"),
    )
}

/// Every sequence in the schemas `schemas()` returns, with its raw options and what it
/// belongs to: `dep_type` `i` (an identity column's: its options become the column's
/// identity options) or `a` (`OWNED BY` a column), with that table's oid and column
/// number (named by the reader) and, for `OWNED BY`, the table as `regclass` text.
pub fn sequences() -> String {
    format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name,
                pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
                s.seqstart AS start, s.seqincrement AS increment,
                s.seqmin AS min_value, s.seqmax AS max_value,
                s.seqcache AS cache, s.seqcycle AS cycle,
                dep.deptype::text AS dep_type,
                dep.refobjid AS table_oid, dep.refobjsubid AS column_num,
                CASE WHEN dep.deptype = 'a'
                     THEN dep.refobjid::pg_catalog.regclass::text END AS table_name,
                d.description AS comment
         FROM pg_catalog.pg_sequence AS s
         JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_depend AS dep
                ON dep.classid = 'pg_catalog.pg_class'::regclass AND dep.objid = s.seqrelid
               AND dep.objsubid = 0
               AND dep.refclassid = 'pg_catalog.pg_class'::regclass
               AND dep.deptype IN ('a', 'i')
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         WHERE {user_relation}",
        user_relation = user_relation("c", "n"),
    )
}

/// Enum types with their labels in sort order.
pub fn enums() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum AS e
                      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
                d.description AS comment
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         WHERE t.typtype = 'e' AND {user_type}",
        user_type = user_object("pg_type", "t.oid", "n"),
    )
}

/// Domains: base type, collation (when it differs from the base type's), NOT NULL,
/// default and CHECK constraints (expressions use `VALUE`; deparsed without a
/// relation).
pub fn domains() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
                CASE WHEN t.typcollation <> bt.typcollation
                     THEN t.typcollation::pg_catalog.regcollation::text END AS collation,
                t.typnotnull AS not_null,
                CASE WHEN t.typdefaultbin IS NOT NULL
                     THEN pg_catalog.pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
                chk.names AS check_names, chk.exprs AS check_exprs,
                d.description AS comment
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         LEFT JOIN LATERAL (
             SELECT array_agg(con.conname::text) AS names,
                    array_agg(pg_catalog.pg_get_expr(con.conbin, 0)) AS exprs
             FROM pg_catalog.pg_constraint AS con
             WHERE con.contypid = t.oid AND con.contype = 'c'
         ) AS chk ON true
         WHERE t.typtype = 'd' AND {user_type}",
        user_type = user_object("pg_type", "t.oid", "n"),
    )
}

/// Installed extensions, except `plpgsql` (always there).
pub fn extensions() -> String {
    "SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version
     FROM pg_catalog.pg_extension AS e
     JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql'"
        .to_string()
}

/// Objects pgrecon does not manage, in the schemas `schemas()` returns and not
/// belonging to an extension: views, materialized views, foreign tables, triggers
/// (not internal ones), rules (not a view's `_RETURN`), functions, procedures,
/// aggregates and window functions (their definitions; their ACLs are managed) other
/// than the constructors PostgreSQL creates with a range type, composite, range and
/// base types, collations, extended statistics and operators. `on_schema`/`on_name`
/// name the table of a trigger or rule, `arguments` the argument types of a routine
/// or an operator.
pub fn unmanaged() -> String {
    let rel_filter = user_relation("c", "n");
    format!(
        "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                               ELSE 'foreign table' END AS kind,
                n.nspname::text AS schema, c.relname::text AS name,
                NULL::text AS on_schema, NULL::text AS on_name, NULL::text AS arguments
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('v', 'm', 'f') AND {rel_filter}
         UNION ALL
         SELECT 'trigger', n.nspname::text, tg.tgname::text, n.nspname::text,
                c.relname::text, NULL
         FROM pg_catalog.pg_trigger AS tg
         JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE NOT tg.tgisinternal AND {rel_filter}
         UNION ALL
         SELECT 'rule', n.nspname::text, r.rulename::text, n.nspname::text,
                c.relname::text, NULL
         FROM pg_catalog.pg_rewrite AS r
         JOIN pg_catalog.pg_class AS c ON c.oid = r.ev_class
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE r.rulename <> '_RETURN' AND {rel_filter}
         UNION ALL
         SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                               WHEN 'w' THEN 'window function' ELSE 'function' END,
                n.nspname::text, p.proname::text, NULL, NULL,
                pg_catalog.oidvectortypes(p.proargtypes)
         FROM pg_catalog.pg_proc AS p
         JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
         WHERE {proc_filter}
           AND p.oid NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend AS dep
                             WHERE dep.classid = 'pg_catalog.pg_proc'::regclass
                               AND dep.refclassid = 'pg_catalog.pg_type'::regclass
                               AND dep.deptype = 'i')
         UNION ALL
         SELECT CASE t.typtype WHEN 'c' THEN 'composite type' WHEN 'r' THEN 'range type'
                               ELSE 'base type' END,
                n.nspname::text, t.typname::text, NULL, NULL, NULL
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         LEFT JOIN pg_catalog.pg_class AS tc ON tc.oid = t.typrelid
         WHERE (t.typtype = 'c' AND tc.relkind = 'c'
                OR t.typtype = 'r'
                OR t.typtype = 'b' AND t.typelem = 0)
           AND {type_filter}
         UNION ALL
         SELECT 'collation', n.nspname::text, co.collname::text, NULL, NULL, NULL
         FROM pg_catalog.pg_collation AS co
         JOIN pg_catalog.pg_namespace AS n ON n.oid = co.collnamespace
         WHERE {collation_filter}
         UNION ALL
         SELECT 'statistics', n.nspname::text, st.stxname::text, NULL, NULL, NULL
         FROM pg_catalog.pg_statistic_ext AS st
         JOIN pg_catalog.pg_namespace AS n ON n.oid = st.stxnamespace
         WHERE {statistics_filter}
         UNION ALL
         SELECT 'operator', n.nspname::text, o.oprname::text, NULL, NULL,
                CASE WHEN o.oprleft = 0 THEN 'NONE'
                     ELSE pg_catalog.format_type(o.oprleft, NULL) END || ', '
                    || pg_catalog.format_type(o.oprright, NULL)
         FROM pg_catalog.pg_operator AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.oprnamespace
         WHERE {operator_filter}",
        proc_filter = user_object("pg_proc", "p.oid", "n"),
        type_filter = user_object("pg_type", "t.oid", "n"),
        collation_filter = user_object("pg_collation", "co.oid", "n"),
        statistics_filter = user_object("pg_statistic_ext", "st.oid", "n"),
        operator_filter = user_object("pg_operator", "o.oid", "n"),
    )
}
