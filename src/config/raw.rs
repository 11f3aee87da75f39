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
    /// Extensions, keyed by extension name (`CREATE EXTENSION`).
    #[serde(default)]
    pub extensions: BTreeMap<String, RawExtension>,
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
}

// ---------------------------------------------------------------------------------------
// The relational layer. Type names and SQL expressions are written as PostgreSQL accepts
// them; they are syntax-checked offline and compared in the server's canonical form.

/// A table. Owner and grants are managed like every relation's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// The table's previous name in the same schema: turns drop + create into
    /// `ALTER TABLE … RENAME TO`.
    pub renamed_from: Option<String>,
    /// Owner of the table. Default: the owner of its schema (not managed when the schema
    /// declares none).
    pub owner: Option<String>,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// `UNLOGGED`. Default false.
    #[serde(default)]
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`. Default false.
    #[serde(default)]
    pub row_level_security: bool,
    /// `FORCE ROW LEVEL SECURITY` (applies the policies to the owner too). Default false.
    #[serde(default)]
    pub force_row_level_security: bool,
    /// Makes the table partitioned: the partition key, e.g. `RANGE (created_at)`.
    pub partition_by: Option<String>,
    /// Makes the table a partition of a declared partitioned table.
    pub partition_of: Option<RawPartitionOf>,
    /// Privileges on this table, by grantee, on top of the schema's `table_grants`.
    #[serde(default)]
    pub grants: RawGrants,
    /// `PRIMARY KEY`: the columns, or a table with the constraint's options. Default
    /// constraint name: `<table>_pkey`.
    pub primary_key: Option<RawPrimaryKey>,
    /// The columns, by name; the order written is the column order.
    #[serde(default)]
    pub columns: BTreeMap<String, RawColumn>,
    /// `UNIQUE` constraints, by name.
    #[serde(default)]
    pub unique: BTreeMap<String, RawUnique>,
    /// `FOREIGN KEY` constraints, by name.
    #[serde(default)]
    pub foreign_keys: BTreeMap<String, RawForeignKey>,
    /// `CHECK` constraints, by name: the expression, or a table with options.
    #[serde(default)]
    pub checks: BTreeMap<String, RawCheck>,
    /// `EXCLUDE` constraints, by name.
    #[serde(default)]
    pub exclusions: BTreeMap<String, RawExclusion>,
    /// Indexes (other than those behind constraints), by name.
    #[serde(default)]
    pub indexes: BTreeMap<String, RawIndex>,
    /// Row-level security policies, by name.
    #[serde(default)]
    pub policies: BTreeMap<String, RawPolicy>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPartitionOf {
    /// The partitioned table, `schema.table`; it must be declared with `partition_by`.
    pub parent: String,
    /// The partition bound: `FOR VALUES FROM (…) TO (…)`, `FOR VALUES IN (…)`,
    /// `FOR VALUES WITH (MODULUS m, REMAINDER r)` or `DEFAULT`.
    pub bound: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    /// The type, as PostgreSQL accepts it: `bigint`, `varchar(200)`, `numeric(10,2)`,
    /// `timestamptz(3)`, `text[]`, `general.mood`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// `NOT NULL`. Default false (identity and primary key columns are always NOT NULL).
    #[serde(default)]
    pub not_null: bool,
    /// `DEFAULT` expression, e.g. `now()`.
    pub default: Option<String>,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`: the kind, or a table with the
    /// sequence options.
    pub identity: Option<RawIdentity>,
    /// The name of the NOT NULL constraint (PostgreSQL 18+); implies `not_null`.
    /// Default: the name PostgreSQL chooses.
    pub not_null_name: Option<String>,
    /// `GENERATED ALWAYS AS (expression) STORED`.
    pub generated: Option<String>,
    /// With `generated`: `VIRTUAL` instead of `STORED` (PostgreSQL 18+; computed when
    /// read, never stored). Default false.
    #[serde(rename = "virtual")]
    pub generated_virtual: Option<bool>,
    /// `COLLATE`, e.g. `C`. Default: the type's.
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// The column's previous name: turns drop + add into `RENAME COLUMN`.
    pub renamed_from: Option<String>,
    /// Expression for `ALTER COLUMN … TYPE … USING` when the type changes. Default: the
    /// default cast.
    pub using: Option<String>,
    /// Column privileges (`SELECT`, `INSERT`, `UPDATE`, `REFERENCES`), by grantee.
    #[serde(default)]
    pub grants: RawGrants,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawIdentity {
    /// `always` or `by_default`, with the sequence's default options.
    Kind(RawIdentityKind),
    Detailed(RawIdentityOptions),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawIdentityKind {
    Always,
    ByDefault,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIdentityOptions {
    /// `always` or `by_default`.
    pub kind: RawIdentityKind,
    /// `START WITH`. Default: the minimum value (the maximum for a descending sequence).
    pub start: Option<i64>,
    /// `INCREMENT BY`. Default 1.
    pub increment: Option<i64>,
    /// `MINVALUE`. Default: 1 (the type's minimum for a descending sequence).
    pub min_value: Option<i64>,
    /// `MAXVALUE`. Default: the type's maximum (-1 for a descending sequence).
    pub max_value: Option<i64>,
    /// `CACHE`. Default 1.
    pub cache: Option<i64>,
    /// `CYCLE`. Default false.
    #[serde(default)]
    pub cycle: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawPrimaryKey {
    /// The key columns.
    Columns(Vec<String>),
    Detailed(RawPrimaryKeyOptions),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPrimaryKeyOptions {
    /// The key columns.
    pub columns: Vec<String>,
    /// Constraint name. Default: `<table>_pkey`.
    pub name: Option<String>,
    /// Non-key columns stored in the index (`INCLUDE`).
    #[serde(default)]
    pub include: Vec<String>,
    /// `DEFERRABLE`. Default false.
    #[serde(default)]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (requires `deferrable`). Default false.
    #[serde(default)]
    pub initially_deferred: bool,
    /// The constraint's previous name: turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUnique {
    /// The key columns.
    pub columns: Vec<String>,
    /// Non-key columns stored in the index (`INCLUDE`).
    #[serde(default)]
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15+). Default false.
    #[serde(default)]
    pub nulls_not_distinct: bool,
    /// `DEFERRABLE`. Default false.
    #[serde(default)]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (requires `deferrable`). Default false.
    #[serde(default)]
    pub initially_deferred: bool,
    /// The constraint's previous name: turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForeignKey {
    /// The referencing columns of this table.
    pub columns: Vec<String>,
    /// The referenced table, `schema.table`; it must be declared (foreign keys are checked
    /// offline).
    pub references: String,
    /// The referenced columns. Default: the referenced table's primary key.
    pub referenced_columns: Option<Vec<String>>,
    /// `ON DELETE` action. Default `no_action`.
    #[serde(default)]
    pub on_delete: RawForeignKeyAction,
    /// `ON UPDATE` action. Default `no_action`.
    #[serde(default)]
    pub on_update: RawForeignKeyAction,
    /// `MATCH SIMPLE` (default) or `MATCH FULL`.
    #[serde(default, rename = "match")]
    pub match_type: RawForeignKeyMatch,
    /// `DEFERRABLE`. Default false.
    #[serde(default)]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (requires `deferrable`). Default false.
    #[serde(default)]
    pub initially_deferred: bool,
    /// The constraint's previous name: turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawForeignKeyAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawForeignKeyMatch {
    #[default]
    Simple,
    Full,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawCheck {
    /// The boolean expression, e.g. `length(body) > 0`.
    Expression(String),
    Detailed(RawCheckOptions),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheckOptions {
    /// The boolean expression, e.g. `length(body) > 0`.
    pub expression: String,
    /// `NO INHERIT`. Default false.
    #[serde(default)]
    pub no_inherit: bool,
    /// The constraint's previous name: turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExclusion {
    /// Index method. Default `btree` (as in PostgreSQL); most exclusions use `gist`.
    pub method: Option<String>,
    /// The excluded elements: a column or an expression, each with its operator.
    pub elements: Vec<RawExclusionElement>,
    /// Partial exclusion: `WHERE` predicate.
    #[serde(rename = "where")]
    pub predicate: Option<String>,
    /// `DEFERRABLE`. Default false.
    #[serde(default)]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (requires `deferrable`). Default false.
    #[serde(default)]
    pub initially_deferred: bool,
    /// The constraint's previous name: turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExclusionElement {
    /// A column of the table (exactly one of `column` and `expression`).
    pub column: Option<String>,
    /// An expression, e.g. `tsrange(start_at, end_at)`.
    pub expression: Option<String>,
    /// The operator, e.g. `=` or `&&`.
    pub operator: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    /// The keys: column names, or tables with a column or an expression and options.
    pub columns: Vec<RawIndexKey>,
    /// `UNIQUE`. Default false.
    #[serde(default)]
    pub unique: bool,
    /// `NULLS NOT DISTINCT` (unique indexes, PostgreSQL 15+). Default false.
    #[serde(default)]
    pub nulls_not_distinct: bool,
    /// Index method: `btree` (default), `hash`, `gin`, `gist`, `brin`, `spgist`, …
    pub method: Option<String>,
    /// Non-key columns stored in the index (`INCLUDE`).
    #[serde(default)]
    pub include: Vec<String>,
    /// Partial index: `WHERE` predicate.
    #[serde(rename = "where")]
    pub predicate: Option<String>,
    /// Storage parameters (`WITH (fillfactor = 70)`).
    #[serde(default)]
    pub with: BTreeMap<String, RawStorageValue>,
    /// Build with `CREATE INDEX CONCURRENTLY`, outside the transaction. Default false.
    #[serde(default)]
    pub concurrently: bool,
    /// The index's previous name: turns drop + create into `ALTER INDEX … RENAME`.
    pub renamed_from: Option<String>,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawIndexKey {
    /// A column, ascending.
    Column(String),
    Detailed(RawIndexKeyOptions),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndexKeyOptions {
    /// A column of the table (exactly one of `column` and `expression`).
    pub column: Option<String>,
    /// An expression, e.g. `lower(email)`.
    pub expression: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<RawSortOrder>,
    /// `first` or `last`. Default: last for `asc`, first for `desc`.
    pub nulls: Option<RawNullsOrder>,
    /// Operator class, e.g. `text_pattern_ops`. Default: the type's.
    pub opclass: Option<String>,
    /// `COLLATE`. Default: the column's.
    pub collation: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawSortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawNullsOrder {
    First,
    Last,
}

/// A storage parameter value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawStorageValue {
    Integer(i64),
    Float(f64),
    Bool(bool),
    String(String),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// The command the policy applies to. Default `all`.
    #[serde(default)]
    pub command: RawPolicyCommand,
    /// `AS PERMISSIVE` (default true) or `AS RESTRICTIVE`.
    #[serde(default = "default_true")]
    pub permissive: bool,
    /// Roles the policy applies to (declared roles, or `PUBLIC`). Default `["PUBLIC"]`.
    pub roles: Option<Vec<String>>,
    /// `USING` expression: which existing rows are visible.
    pub using: Option<String>,
    /// `WITH CHECK` expression: which new rows are allowed.
    pub with_check: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawPolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

/// A sequence other than an identity column's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSequence {
    /// Data type. Default `bigint`.
    #[serde(rename = "type", default)]
    pub data_type: RawSequenceType,
    /// `START WITH`. Default: the minimum value (the maximum for a descending sequence).
    pub start: Option<i64>,
    /// `INCREMENT BY`. Default 1.
    pub increment: Option<i64>,
    /// `MINVALUE`. Default: 1 (the type's minimum for a descending sequence).
    pub min_value: Option<i64>,
    /// `MAXVALUE`. Default: the type's maximum (-1 for a descending sequence).
    pub max_value: Option<i64>,
    /// `CACHE`. Default 1.
    pub cache: Option<i64>,
    /// `CYCLE`. Default false.
    #[serde(default)]
    pub cycle: bool,
    /// `OWNED BY schema.table.column`: the column of a declared table in the same schema.
    pub owned_by: Option<String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON SEQUENCE`.
    pub comment: Option<String>,
    /// Privileges on this sequence, by grantee, on top of the schema's `sequence_grants`.
    #[serde(default)]
    pub grants: RawGrants,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawSequenceType {
    #[default]
    Bigint,
    Integer,
    Smallint,
}

/// An enum type. New labels are added in place; removing or reordering labels is refused.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    /// The labels, in sort order.
    pub values: Vec<String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDomain {
    /// The base type, e.g. `text`.
    #[serde(rename = "type")]
    pub base_type: String,
    /// `NOT NULL`. Default false.
    #[serde(default)]
    pub not_null: bool,
    /// `DEFAULT` expression.
    pub default: Option<String>,
    /// `COLLATE`. Default: the base type's.
    pub collation: Option<String>,
    /// `CHECK` constraints by name: expressions using `VALUE`.
    #[serde(default)]
    pub checks: BTreeMap<String, String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON DOMAIN`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExtension {
    /// Schema to install it in (declared, or `public`). Default: the extension's own.
    pub schema: Option<String>,
    /// Version to install. Default: the extension's default version; never upgraded
    /// implicitly.
    pub version: Option<String>,
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
            &["tables", "sequences", "functions"]
        );
    }
}
