//! Sequences and their options (shared with identity columns).

use super::QualifiedName;
use serde::Serialize;

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
