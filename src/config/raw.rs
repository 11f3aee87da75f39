//! The raw shape of a desired-state file, as serde types.
//!
//! These types are the single description of the TOML format: the JSON Schema is
//! generated from them (`config::json_schema`) and the loader takes its lists of known
//! keys from them (`fields_of`), so the two cannot drift apart. The loader itself walks
//! the spanned TOML tree by hand, which lets it report every error of every entry with an
//! exact span instead of stopping at serde's first one.

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

// One file per kind of relational object, re-exported: the types keep their `raw::` paths.
mod extensions;
mod routines;
mod sequences;
mod tables;
mod types;
mod views;

pub use extensions::*;
pub use routines::*;
pub use sequences::*;
pub use tables::*;
pub use types::*;
pub use views::*;

/// One desired-state file. A directory holds any number of them; they are merged, and a
/// role, schema or object declared in two files is an error.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pgrecon desired state")]
pub struct RawFile {
    /// What the desired state owns beyond what it declares. At most one file may hold it.
    pub scope: Option<RawScope>,
    /// The current database. Present: its grants, settings and comment are managed.
    /// At most one file may hold it.
    pub database: Option<RawDatabase>,
    /// Roles, keyed by name. Every role referenced anywhere must be declared here (roles
    /// named `pg_*` excepted); `external = true` declares a role pgrecon never alters.
    #[serde(default)]
    pub roles: BTreeMap<String, RawRole>,
    /// Schemas, keyed by name. Declared schemas are managed: their ACL is authoritative.
    #[serde(default)]
    pub schemas: BTreeMap<String, RawSchema>,
    /// Grants on one existing table, keyed by `schema.table` (parts may be double-quoted).
    /// The schema must be declared.
    #[serde(default)]
    pub table_grants: BTreeMap<String, RawGrants>,
    /// Grants on one existing sequence, keyed by `schema.sequence`.
    #[serde(default)]
    pub sequence_grants: BTreeMap<String, RawGrants>,
    /// Grants on one existing function, keyed by `schema.name(argument types)` with the
    /// argument types as `pg_get_function_identity_arguments` prints them.
    #[serde(default)]
    pub function_grants: BTreeMap<String, RawGrants>,
    /// Tables, keyed by `schema.table` (parts may be double-quoted). The schema must be
    /// declared. Declaring a table in a schema makes its undeclared tables drift (see
    /// `manage_tables` of the schema).
    #[serde(default)]
    pub tables: BTreeMap<String, RawTable>,
    /// Sequences other than identity columns', keyed by `schema.sequence`.
    #[serde(default)]
    pub sequences: BTreeMap<String, RawSequence>,
    /// Enum types, keyed by `schema.type`.
    #[serde(default)]
    pub enums: BTreeMap<String, RawEnum>,
    /// Domains, keyed by `schema.domain`.
    #[serde(default)]
    pub domains: BTreeMap<String, RawDomain>,
    /// Owner and comment of composite and range types declared in `.sql` files
    /// (`CREATE TYPE s.t AS (…)`, `CREATE TYPE s.r AS RANGE (…)`), keyed by `schema.type`.
    #[serde(default)]
    pub types: BTreeMap<String, RawType>,
    /// Owner and comment of collations declared in `.sql` files (`CREATE COLLATION`),
    /// keyed by `schema.collation`.
    #[serde(default)]
    pub collations: BTreeMap<String, RawCollation>,
    /// Functions and procedures declared in `.sql` files, keyed by
    /// `schema.name(argument types)` (argument types as
    /// `pg_get_function_identity_arguments` prints them): owner, comment and grants.
    #[serde(default)]
    pub functions: BTreeMap<String, RawFunction>,
    /// Extensions, keyed by extension name (`CREATE EXTENSION`).
    #[serde(default)]
    pub extensions: BTreeMap<String, RawExtension>,
    /// Owner, comment, grants and column comments of views and materialized views, keyed
    /// by `schema.view`. The definition is a `CREATE [MATERIALIZED] VIEW` statement in a
    /// `.sql` file of the directory; an entry without one is an error.
    #[serde(default)]
    pub views: BTreeMap<String, RawView>,
    /// Assertions apply runs inside its transaction, before and/or after the steps
    /// (`[[check]]`, an array of tables). A failing check rolls the apply back.
    #[serde(default)]
    pub check: Vec<RawAssertion>,
}

/// A preflight/postflight assertion: a read-only query and what it must return. Exactly
/// one of `expect` and `rows`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAssertion {
    /// Unique name, shown in every message about the check.
    pub name: String,
    /// One read-only query: `SELECT`, `VALUES` or `WITH … SELECT` (no `INTO`, no
    /// data-modifying `WITH`). Runs in a savepoint that is rolled back.
    pub query: String,
    /// The query must return one row with one boolean column holding this value.
    pub expect: Option<bool>,
    /// The query must return exactly this many rows (e.g. `rows = 0`: no offending rows).
    #[schemars(range(min = 0))]
    pub rows: Option<u64>,
    /// When the check runs: before the steps, after them (before the commit), or both.
    /// Default "both".
    pub when: Option<RawAssertionWhen>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawAssertionWhen {
    Before,
    After,
    Both,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    /// Glob patterns of role names pgrecon owns: an undeclared role that matches is drift.
    #[serde(default)]
    pub owned_roles: Vec<String>,
    /// Glob patterns of schema names pgrecon owns: an undeclared schema that matches is drift.
    #[serde(default)]
    pub owned_schemas: Vec<String>,
    /// Glob patterns of extension names pgrecon owns: an undeclared extension that
    /// matches is drift.
    #[serde(default)]
    pub owned_extensions: Vec<String>,
    /// Role that receives the objects of a dropped owned role (must be declared).
    /// Default: the role running pgrecon.
    pub reassign_owned_to: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    /// Asserts the name of the database pgrecon is connected to.
    pub name: Option<String>,
    /// `COMMENT ON DATABASE`.
    pub comment: Option<String>,
    /// Privileges on the database (`CONNECT`, `CREATE`, `TEMPORARY`), by grantee.
    #[serde(default)]
    pub grants: RawGrants,
    /// `ALTER DATABASE … SET name = value`.
    #[serde(default)]
    pub settings: BTreeMap<String, RawSetting>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    /// Reference-only: the role exists and is never altered. Only `comment` may go with it.
    #[serde(default)]
    pub external: bool,
    /// `LOGIN`. Default false.
    #[serde(default)]
    pub login: bool,
    /// `SUPERUSER`. Default false.
    #[serde(default)]
    pub superuser: bool,
    /// `CREATEDB`. Default false.
    #[serde(default)]
    pub createdb: bool,
    /// `CREATEROLE`. Default false.
    #[serde(default)]
    pub createrole: bool,
    /// `REPLICATION`. Default false.
    #[serde(default)]
    pub replication: bool,
    /// `BYPASSRLS`. Default false.
    #[serde(default)]
    pub bypassrls: bool,
    /// `INHERIT`. Default true.
    #[serde(default = "default_true")]
    pub inherit: bool,
    /// `CONNECTION LIMIT`; -1 (the default) means no limit.
    #[serde(default = "default_connection_limit")]
    #[schemars(range(min = -1))]
    pub connection_limit: i32,
    /// `VALID UNTIL`: `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][offset]` (no offset: UTC), or
    /// `infinity`. Default: no expiry.
    pub valid_until: Option<String>,
    /// `COMMENT ON ROLE`.
    pub comment: Option<String>,
    /// Where the password comes from. Absent: the password is not managed.
    pub password: Option<RawPassword>,
    /// Roles this role is a member of: a name, or a table with membership options.
    #[serde(default)]
    pub member_of: Vec<RawMember>,
    /// Shorthand for `settings.search_path` (declaring both is an error).
    pub search_path: Option<RawList>,
    /// `ALTER ROLE … SET name = value` (every database).
    #[serde(default)]
    pub settings: BTreeMap<String, RawSetting>,
    /// `ALTER ROLE … IN DATABASE <current database> SET name = value`.
    #[serde(default)]
    pub database_settings: BTreeMap<String, RawSetting>,
    /// Schemas this role may reach; `pgrecon verify` proves it against the role's
    /// effective privileges, and `plan`/`apply` refuse a plan that would break it.
    pub confined_to: Option<Vec<String>>,
    /// Whether a confined role may own objects (inside its schemas). Default false:
    /// runtime roles own nothing.
    pub may_own: Option<bool>,
}

fn default_true() -> bool {
    true
}

fn default_connection_limit() -> i32 {
    -1
}

/// Exactly one source. Secrets never live in the desired state.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum RawPassword {
    /// Name of an environment variable holding the password. Unset: skipped with a warning.
    Env(String),
    /// Path of a file holding the password, relative to the TOML file (one trailing
    /// newline is trimmed).
    File(String),
    /// A SCRAM verifier: `SCRAM-SHA-256$<iterations>:<salt>$<storedkey>:<serverkey>`.
    Scram(String),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawMember {
    /// Name of the granted role.
    Name(String),
    Detailed(RawMembership),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMembership {
    /// Name of the granted role.
    pub role: String,
    /// `WITH ADMIN OPTION`. Default false.
    #[serde(default)]
    pub admin: bool,
    /// `WITH INHERIT` (PostgreSQL 16+). Default: the server's.
    pub inherit: Option<bool>,
    /// `WITH SET` (PostgreSQL 16+). Default: the server's.
    pub set: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSchema {
    /// Owner of the schema. Absent: the owner is not managed.
    pub owner: Option<String>,
    /// `COMMENT ON SCHEMA`.
    pub comment: Option<String>,
    /// Privileges on the schema itself (`USAGE`, `CREATE`), by grantee.
    #[serde(default)]
    pub grants: RawGrants,
    /// Privileges on every table of the schema, existing and future.
    #[serde(default)]
    pub table_grants: RawGrants,
    /// Privileges on every sequence of the schema, existing and future.
    #[serde(default)]
    pub sequence_grants: RawGrants,
    /// Privileges on every function of the schema, existing and future.
    #[serde(default)]
    pub function_grants: RawGrants,
    /// `USAGE` on every type (enum, domain, composite, range) of the schema, existing and
    /// future. When declared (even empty), the grants of every type of the schema are
    /// managed: `PUBLIC`'s default `USAGE` is revoked unless declared.
    pub type_grants: Option<RawGrants>,
    /// Roles whose future objects in this schema receive the `*_grants`
    /// (`ALTER DEFAULT PRIVILEGES FOR ROLE`). Default: the owner.
    pub default_privileges_for: Option<Vec<String>>,
    /// Extra future-object grants for one creator role.
    #[serde(default)]
    pub default_privileges: Vec<RawDefaultPrivileges>,
    /// Whether tables of this schema that are not declared are drift (reported, and
    /// dropped with `--prune`). Default: true when the desired state declares at least one
    /// table in this schema.
    pub manage_tables: Option<bool>,
    /// Whether the desired state is the whole truth of this schema: undeclared objects
    /// of every kind pgrecon manages (tables, sequences, enums, domains, composite and
    /// range types, collations, views, materialized views, functions and procedures)
    /// are drift, reported and dropped with `--prune`, and the grants of its types are
    /// managed (PostgreSQL's default `USAGE` for `PUBLIC` when none are declared).
    /// `import` writes it. Default false: a schema manages the kinds it declares
    /// objects of.
    pub manage_all: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDefaultPrivileges {
    /// The role whose future objects receive the grants.
    pub for_role: String,
    /// The kind of future objects.
    pub on: RawObjectKind,
    /// Privileges, by grantee.
    #[serde(default)]
    pub grants: RawGrants,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawObjectKind {
    Tables,
    Sequences,
    Functions,
    Types,
}

/// Privileges by grantee: a role name or `PUBLIC`.
pub type RawGrants = BTreeMap<String, RawGrant>;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawGrant {
    /// Privilege names (case-insensitive); `ALL` means every privilege of the object kind.
    Privileges(Vec<String>),
    Detailed(RawDetailedGrant),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDetailedGrant {
    /// Privilege names (case-insensitive); `ALL` means every privilege of the object kind.
    pub privileges: Vec<String>,
    /// `WITH GRANT OPTION` for every privilege listed. Default false.
    #[serde(default)]
    pub with_grant_option: bool,
    /// Further privileges held `WITH GRANT OPTION`, next to the plain ones in
    /// `privileges` (what `import` writes when a grantee has both).
    #[serde(default)]
    pub grantable: Vec<String>,
}

/// A parameter value. For list parameters (`search_path`, …) an array, or a string that
/// is split on commas; for the others a scalar (booleans become `on` / `off`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawSetting {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    List(Vec<String>),
}

/// A list of names, or one string of comma-separated names.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawList {
    List(Vec<String>),
    String(String),
}

/// The field names serde accepts for a struct (or the variant names of an enum), read
/// from the derived `Deserialize` impl so that they always match the raw types.
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut captured = None;
    let _ = T::deserialize(Capture(&mut captured));
    captured.unwrap_or(&[])
}

struct Capture<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> serde::Deserializer<'de> for Capture<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("field capture"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(serde::de::Error::custom("field capture"))
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(variants);
        Err(serde::de::Error::custom("field capture"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_come_from_serde() {
        assert!(fields_of::<RawRole>().contains(&"login"));
        assert!(fields_of::<RawFile>().contains(&"table_grants"));
        assert_eq!(fields_of::<RawPassword>(), &["env", "file", "scram"]);
        assert_eq!(
            fields_of::<RawObjectKind>(),
            &["tables", "sequences", "functions", "types"]
        );
    }
}
