//! Indexes.

use serde::Serialize;
use std::collections::BTreeMap;

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

pub(super) fn is_true(b: &bool) -> bool {
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
