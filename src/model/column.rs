//! Columns, with identity.

use super::{Acl, QualifiedName, SequenceOptions};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// Desired only: the column's previous name; turns drop + add into a RENAME.
    pub renamed_from: Option<String>,
    /// Canonical `format_type(atttypid, atttypmod)`.
    pub type_name: String,
    /// Desired only: expression for `ALTER COLUMN … TYPE … USING` when the type changes.
    pub using: Option<String>,
    /// Desired only, set by canonicalisation: PostgreSQL has no cast from the live
    /// column's type to this one and no `using` is declared, so the change is refused at
    /// plan time.
    #[serde(skip)]
    pub needs_using: bool,
    /// Collation name when it differs from the type's default (`"C"`, `"en_US"`).
    pub collation: Option<String>,
    pub not_null: bool,
    /// The name of the column's NOT NULL constraint (PostgreSQL 18+), when it is not
    /// the one PostgreSQL chooses (`<table>_<column>_not_null`).
    pub not_null_name: Option<String>,
    /// Canonical default expression; `None` for identity and generated columns.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// Live only: the sequence of an identity column (its name is taken until the
    /// identity is dropped).
    #[serde(skip)]
    pub identity_sequence: Option<QualifiedName>,
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
            needs_using: false,
            collation: None,
            not_null: false,
            not_null_name: None,
            default: None,
            identity: None,
            identity_sequence: None,
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
