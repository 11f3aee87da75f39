//! The relational layer: tables, their columns, constraints, indexes and policies, and
//! the types they need (sequences, enums, domains, extensions).
//!
//! Canonical text: type names are `format_type` output (`integer`, `character
//! varying(20)`, `timestamp(3) with time zone`, `general.mood`, `integer[]`), and SQL
//! expressions are `pg_get_expr` output read with `search_path = ''` (so every
//! non-`pg_catalog` name is schema-qualified). The live side reads them that way; the
//! desired side is brought to the same form by `canon` (server-side, in a transaction
//! that is rolled back). Fields marked "desired only" are instructions, not state, and are
//! ignored when comparing.

use super::{Acl, QualifiedName};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    /// Desired only: the table's previous name in the same schema; turns drop + create
    /// into `ALTER TABLE … RENAME TO`.
    pub renamed_from: Option<String>,
    // Owner and table-level grants live in `Catalog.relations` like every relation's.
    pub comment: Option<String>,
    pub unlogged: bool,
    /// In declared order (live: `attnum` order, dropped columns skipped).
    pub columns: Vec<Column>,
    /// Primary key, unique, foreign key, check and exclusion constraints by name. NOT NULL
    /// is a column property, not listed here.
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that do not back a constraint, by name.
    pub indexes: BTreeMap<String, Index>,
    pub row_level_security: bool,
    pub force_row_level_security: bool,
    pub policies: BTreeMap<String, Policy>,
    /// Set when this table is partitioned: `RANGE (created_at)`, as
    /// `pg_get_partkeydef` prints it.
    pub partition_by: Option<String>,
    /// Set when this table is a partition. A partition's `columns`, and the constraints
    /// and indexes it inherits, are empty on both sides: they belong to the parent.
    pub partition_of: Option<PartitionOf>,
}

impl Table {
    pub fn new(name: QualifiedName) -> Self {
        Table {
            name,
            renamed_from: None,
            comment: None,
            unlogged: false,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            row_level_security: false,
            force_row_level_security: false,
            policies: BTreeMap::new(),
            partition_by: None,
            partition_of: None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table as an object reference (partitioned or not).
    pub fn object_ref(&self) -> super::ObjectRef {
        super::ObjectRef::Relation {
            kind: if self.partition_by.is_some() {
                super::RelationKind::PartitionedTable
            } else {
                super::RelationKind::Table
            },
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// `FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')` / `DEFAULT`, as
    /// `pg_get_expr(relpartbound)` prints it.
    pub bound: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// Desired only: the column's previous name; turns drop + add into a RENAME.
    pub renamed_from: Option<String>,
    /// Canonical `format_type(atttypid, atttypmod)`.
    pub type_name: String,
    /// Desired only: expression for `ALTER COLUMN … TYPE … USING` when the type changes.
    pub using: Option<String>,
    /// Collation name when it differs from the type's default (`"C"`, `"en_US"`).
    pub collation: Option<String>,
    pub not_null: bool,
    /// The name of the column's NOT NULL constraint (PostgreSQL 18+), when it is not
    /// the one PostgreSQL chooses (`<table>_<column>_not_null`).
    pub not_null_name: Option<String>,
    /// Canonical default expression; `None` for identity and generated columns.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the canonical expression.
    pub generated: Option<String>,
    /// With `generated`: `VIRTUAL` (PostgreSQL 18+, computed when read) instead of
    /// `STORED`.
    pub generated_virtual: bool,
    pub comment: Option<String>,
    /// Column-level grants (`GRANT SELECT (col) …`), authoritative like table grants.
    pub acl: Acl,
}

impl Column {
    pub fn new(name: impl Into<String>, type_name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            renamed_from: None,
            type_name: type_name.into(),
            using: None,
            collation: None,
            not_null: false,
            not_null_name: None,
            default: None,
            identity: None,
            generated: None,
            generated_virtual: false,
            comment: None,
            acl: Acl::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Always,
    ByDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub kind: IdentityKind,
    /// Options of the backing sequence; `None` = PostgreSQL's default for the type.
    pub options: SequenceOptions,
}

/// Sequence options; each `None` means the PostgreSQL default for the data type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SequenceOptions {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    /// Desired only: previous name; turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for a check or foreign key added `NOT VALID` and never validated (existing
    /// rows unchecked). Desired constraints are always validated, so a live one that is
    /// not is drift, repaired with `VALIDATE CONSTRAINT`.
    #[serde(skip_serializing_if = "is_true")]
    pub validated: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        include: Vec<String>,
        nulls_not_distinct: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        references: QualifiedName,
        referenced_columns: Vec<String>,
        on_update: ForeignKeyAction,
        on_delete: ForeignKeyAction,
        match_full: bool,
    },
    Check {
        /// Canonical expression (`pg_get_expr(conbin)`), without the `CHECK (…)` wrapper.
        expression: String,
        no_inherit: bool,
    },
    Exclusion {
        /// Index method: `gist`, `btree`, …
        method: String,
        elements: Vec<ExclusionElement>,
        /// Canonical `WHERE` predicate.
        predicate: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExclusionElement {
    /// A plain column, or …
    pub column: Option<String>,
    /// … a canonical expression, printed as an index key is (see `IndexKey`).
    pub expression: Option<String>,
    /// Operator, schema-qualified when not in `pg_catalog` (`=`, `&&`).
    pub operator: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignKeyAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ForeignKeyAction {
    pub fn as_sql(self) -> &'static str {
        match self {
            ForeignKeyAction::NoAction => "NO ACTION",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::SetNull => "SET NULL",
            ForeignKeyAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: String,
    /// Desired only: previous name; turns drop + create into `ALTER INDEX … RENAME`.
    pub renamed_from: Option<String>,
    pub unique: bool,
    pub nulls_not_distinct: bool,
    /// `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`.
    pub method: String,
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    /// Canonical partial-index predicate.
    pub predicate: Option<String>,
    /// Storage parameters (`fillfactor = "70"`), as stored in `reloptions`.
    pub with: BTreeMap<String, String>,
    /// Desired only: build with `CREATE INDEX CONCURRENTLY`, outside the transaction.
    pub concurrently: bool,
    /// False for an index a failed or interrupted `CREATE INDEX CONCURRENTLY` left
    /// behind (`indisvalid`): it is maintained but never used, so it is drift, rebuilt.
    #[serde(skip_serializing_if = "is_true")]
    pub valid: bool,
    pub comment: Option<String>,
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexKey {
    /// A plain column, or …
    pub column: Option<String>,
    /// … a canonical expression as `pg_get_indexdef(index, k, true)` prints a key: a
    /// function call bare (`lower(email)`), anything else in parentheses
    /// (`(price * 2::numeric)`).
    pub expression: Option<String>,
    /// Operator class when not the default for the type (`text_pattern_ops`).
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
    /// `None` = the default for the direction (NULLS LAST for ASC, FIRST for DESC).
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`.
    pub command: String,
    /// Role names, or `PUBLIC`; sorted.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

/// A sequence that is not an identity column's (standalone, or `OWNED BY` a column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// `bigint` (default), `integer` or `smallint`.
    pub data_type: String,
    pub options: SequenceOptions,
    /// `OWNED BY table.column` (serial columns).
    pub owned_by: Option<(QualifiedName, String)>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// Labels in sort order. New labels are added in place (`ADD VALUE … BEFORE/AFTER`);
    /// a removed or reordered label cannot be changed in place and is an error.
    pub values: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// Canonical `format_type` of the base type.
    pub base_type: String,
    pub collation: Option<String>,
    pub not_null: bool,
    pub default: Option<String>,
    /// Check constraints by name: canonical expression (using `VALUE`).
    pub checks: BTreeMap<String, String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub name: String,
    /// Schema it is installed in; `None` (desired) = the extension's default.
    pub schema: Option<String>,
    /// `None` (desired) = the default version, never upgraded implicitly.
    pub version: Option<String>,
}
