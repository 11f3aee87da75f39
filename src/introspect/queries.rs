//! The SQL that introspection runs: a fixed list of set-based catalog queries.
//!
//! Rules every query here follows:
//!
//! - one query per object class, never one per object, and no parameters;
//! - raw catalog columns; the only server-side deparsing is of *expressions*:
//!   `pg_get_expr` (defaults, generated columns, checks, index predicates, policies,
//!   partition bounds), `pg_get_indexdef(index, k, true)` for an index key that is an
//!   expression (`indkey[k] = 0`), `pg_get_partkeydef` for partitioned tables, and
//!   `pg_get_triggerdef` for a trigger with a `WHEN` condition only (the condition refers
//!   to `OLD`/`NEW` and has no `pg_get_expr` form; the reader keeps the condition). Never
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
//!   [`search_path`](super::server::search_path)), and the queries that deparse against tables run back to back.
//!
//! # Canonical text
//!
//! Type names and expressions are compared as text with the desired state, which `canon`
//! brings to the same form on the server (by creating scratch objects and reading them
//! back with this same code). Both sides must therefore be read the same way:
//!
//! - **`search_path` is empty.** [`search_path`](super::server::search_path) runs first in the transaction and sets
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

use super::{
    collations, columns, composite_types, constraints, database, default_privileges, domains,
    enums, extensions, functions, indexes, lookups, policies, range_types, relations, roles,
    schemas, sequences, server, settings, tables, triggers, unmanaged, views,
};

/// Names (used in error messages) of the queries `read_catalog` runs, in the order they
/// are sent. The first two run alone, one after the other (the rest depend on them);
/// the others are pipelined, in the order the reader needs their rows: each one is
/// decoded while the server runs the next.
pub const NAMES: [&str; 27] = [
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
    "triggers",
    "collations",
    "composite types",
    "range types",
    "views",
];

/// Every query, in the order of [`NAMES`], for a server of `version_num`: the one list
/// of what a snapshot runs (each text sits next to its decoder, in the kind's module).
pub(super) fn texts(version_num: i32, can_read_passwords: bool) -> [String; NAMES.len()] {
    [
        server::search_path(),
        server::server(),
        lookups::opclasses_and_collations(),
        tables::tables(),
        columns::columns(version_num),
        columns::column_defaults_and_comments(),
        indexes::indexes(version_num),
        constraints::constraints(),
        policies::policies(),
        sequences::sequences(),
        database::database(),
        roles::roles(can_read_passwords),
        roles::memberships(version_num),
        settings::settings(),
        schemas::schemas(),
        relations::relations(),
        functions::functions(),
        default_privileges::default_privileges(),
        enums::enums(),
        domains::domains(),
        extensions::extensions(),
        unmanaged::unmanaged(),
        triggers::triggers(),
        collations::collations(version_num),
        composite_types::composite_types(),
        range_types::range_types(),
        views::views(),
    ]
}

/// Positions in [`NAMES`] of the queries.
pub(super) mod q {
    pub const SEARCH_PATH: usize = 0;
    pub const SERVER: usize = 1;
    pub const LOOKUPS: usize = 2;
    pub const TABLES: usize = 3;
    pub const COLUMNS: usize = 4;
    pub const COLUMN_DETAILS: usize = 5;
    pub const INDEXES: usize = 6;
    pub const CONSTRAINTS: usize = 7;
    pub const POLICIES: usize = 8;
    pub const SEQUENCES: usize = 9;
    pub const DATABASE: usize = 10;
    pub const ROLES: usize = 11;
    pub const MEMBERSHIPS: usize = 12;
    pub const SETTINGS: usize = 13;
    pub const SCHEMAS: usize = 14;
    pub const RELATIONS: usize = 15;
    pub const FUNCTIONS: usize = 16;
    pub const DEFAULT_PRIVILEGES: usize = 17;
    pub const ENUMS: usize = 18;
    pub const DOMAINS: usize = 19;
    pub const EXTENSIONS: usize = 20;
    pub const UNMANAGED: usize = 21;
    pub const TRIGGERS: usize = 22;
    pub const COLLATIONS: usize = 23;
    pub const COMPOSITE_TYPES: usize = 24;
    pub const RANGE_TYPES: usize = 25;
    pub const VIEWS: usize = 26;
}

/// `true` for the schemas pgrecon never looks into (mirrors `model::is_system_schema`).
pub(super) fn user_schema(nsp: &str) -> String {
    format!("left({nsp}.nspname, 3) <> 'pg_' AND {nsp}.nspname <> 'information_schema'")
}

/// `true` when the object is not a member of an extension (`pg_depend.deptype = 'e'`).
///
/// Written as `NOT IN` over the (few) extension members, found through the index on
/// `refclassid`, so the planner hashes them once instead of probing `pg_depend` once per
/// object (measured on 20,000 relations: 40 ms instead of 90 ms for the relation query).
/// `objid` is never NULL, so `NOT IN` has no NULL pitfall.
pub(super) fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "{oid} NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend AS dep
                       WHERE dep.refclassid = 'pg_catalog.pg_extension'::regclass
                         AND dep.classid = 'pg_catalog.{catalog}'::regclass
                         AND dep.deptype = 'e')"
    )
}

/// `true` for a relation `rel` (in namespace `nsp`) that introspection looks at: in a
/// user schema, neither it nor its schema a member of an extension.
pub(super) fn user_relation(rel: &str, nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext_rel} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext_rel = not_extension_member("pg_class", &format!("{rel}.oid")),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

/// `true` for a table (`relkind` `r` or `p`) introspection reads, see [`user_relation`].
pub(super) fn user_table(rel: &str, nsp: &str) -> String {
    format!(
        "{rel}.relkind IN ('r', 'p') AND {}",
        user_relation(rel, nsp)
    )
}

/// An object of catalog `catalog` (oid `oid`, namespace `nsp`) introspection reads.
pub(super) fn user_object(catalog: &str, oid: &str, nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext = not_extension_member(catalog, oid),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

/// A name as `reg*` output prints it under an empty `search_path`: `quote_ident(name)`
/// when the object is in `pg_catalog`, else `quote_ident(schema).quote_ident(name)`.
pub(super) fn qualified_unless_catalog(nsp: &str, name: &str) -> String {
    format!(
        "CASE WHEN {nsp}.nspname = 'pg_catalog' THEN pg_catalog.quote_ident({name}::text)
              ELSE pg_catalog.quote_ident({nsp}.nspname::text) || '.'
                   || pg_catalog.quote_ident({name}::text) END"
    )
}

/// `true` for an object in namespace `nsp` that is in a user schema not owned by an
/// extension.
pub(super) fn user_namespace(nsp: &str) -> String {
    format!(
        "{user_schema} AND {not_ext_nsp}",
        user_schema = user_schema(nsp),
        not_ext_nsp = not_extension_member("pg_namespace", &format!("{nsp}.oid")),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{QUERY_COUNT, query_texts};

    #[test]
    fn query_list_is_fixed() {
        assert_eq!(QUERY_COUNT, 27);
        let texts = [
            query_texts(140000, false),
            query_texts(150000, true),
            query_texts(170000, true),
        ];
        assert!(texts.iter().all(|t| t.len() == QUERY_COUNT));
        for (_, sql) in texts.iter().flatten() {
            // Whole-object deparsing is never used; index keys that are expressions
            // are deparsed one key at a time.
            assert!(!sql.contains("pg_get_constraintdef"), "{sql}");
            // Triggers are deparsed only for their WHEN condition.
            assert!(
                !sql.contains("pg_get_triggerdef(")
                    || sql.contains("CASE WHEN tg.tgqual IS NOT NULL"),
                "{sql}"
            );
            for (at, _) in sql.match_indices("pg_get_indexdef(") {
                let call = &sql[at..];
                let call = &call[..=call.find(')').unwrap()];
                let args: Vec<&str> = call.trim_end_matches(')').split(", ").collect();
                assert!(
                    args.len() == 3 && args[1].parse::<usize>().is_ok() && args[2] == "true",
                    "{call}"
                );
            }
        }
    }
}
