//! Domains.

use super::QualifiedName;
use serde::Serialize;
use std::collections::BTreeMap;

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
