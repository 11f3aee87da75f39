//! The relational layer: tables, with their columns, constraints, indexes and policies.
//!
//! Type names and SQL expressions are written as PostgreSQL accepts them; they are
//! syntax-checked offline and compared in the server's canonical form.

use super::*;

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
    /// `INHERITS`: the declared tables this one inherits from, `schema.table`, in order.
    /// The columns, CHECK constraints and NOT NULLs it inherits are the parents': not
    /// declared here (a column declared here too is also the table's own).
    #[serde(default)]
    pub inherits: Vec<String>,
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
    /// What TOML says about the table's triggers, by name: enabled state and comment.
    /// The trigger itself is a `CREATE TRIGGER … ON schema.table` statement in a `.sql`
    /// file; an entry here without one is an error. The triggers of a declared table
    /// are managed: undeclared ones are dropped.
    #[serde(default)]
    pub triggers: BTreeMap<String, RawTrigger>,
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
    /// Expression for `ALTER COLUMN … TYPE … USING` when the type changes. Default: a
    /// cast of the current value (`column::type`); where PostgreSQL has no such cast
    /// (`bigint` → `timestamp`), the plan refuses the change at this column until a
    /// `using` is declared.
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
    /// `NOT VALID`: existing rows are never checked (new and updated rows are). Added to
    /// an existing table `NOT VALID` and never validated; a live constraint that is already
    /// validated is left as it is. Default false.
    #[serde(default)]
    pub not_valid: bool,
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
    /// `NOT VALID`: existing rows are never checked (new and updated rows are). Added to
    /// an existing table `NOT VALID` and never validated; a live constraint that is already
    /// validated is left as it is. Default false.
    #[serde(default)]
    pub not_valid: bool,
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
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrigger {
    /// When the trigger fires (`ALTER TABLE … ENABLE/DISABLE TRIGGER`). Default `origin`.
    pub enabled: Option<RawTriggerEnabled>,
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
    /// The previous name of this trigger on the same table: when the trigger of that name
    /// exists and this one does not, the plan renames it (`ALTER TRIGGER … RENAME TO`) instead
    /// of dropping one and creating the other. Ignored once applied.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawTriggerEnabled {
    /// Fires unless `session_replication_role` is `replica` (`ENABLE TRIGGER`).
    Origin,
    /// Never fires (`DISABLE TRIGGER`).
    Disabled,
    /// Fires only when `session_replication_role` is `replica` (`ENABLE REPLICA TRIGGER`).
    Replica,
    /// Fires whatever `session_replication_role` is (`ENABLE ALWAYS TRIGGER`).
    Always,
}
