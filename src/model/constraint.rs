//! Table constraints.

use super::QualifiedName;
use super::index::is_true;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    /// Desired only: previous name; turns drop + add into `RENAME CONSTRAINT`.
    pub renamed_from: Option<String>,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for a check or foreign key added `NOT VALID` and never validated (existing
    /// rows unchecked). Desired: false when declared `not_valid`. A live one that is not
    /// validated but is declared without `not_valid` is validated (`VALIDATE CONSTRAINT`);
    /// a live validated one declared `not_valid` is left as it is (it holds for every row,
    /// and PostgreSQL cannot un-validate it in place).
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
