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
    /// `USAGE` grants, without the owner's. Live: always read (`acldefault` when never
    /// granted on: `PUBLIC` `USAGE`). Desired: `None` when no grants are declared for it
    /// (nor `type_grants` on its schema), and then its ACL is left alone.
    pub acl: Option<super::Acl>,
}
