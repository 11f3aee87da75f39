//! Composite types (`CREATE TYPE … AS (…)`).

use super::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeType {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// In order.
    pub attributes: Vec<Attribute>,
    pub comment: Option<String>,
    /// `USAGE` grants, without the owner's. Live: always read (`acldefault` when never
    /// granted on: `PUBLIC` `USAGE`). Desired: `None` when no grants are declared for it
    /// (nor `type_grants` on its schema), and then its ACL is left alone.
    pub acl: Option<super::Acl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    /// Canonical `format_type`.
    pub type_name: String,
    /// Only when it differs from the type's own collation (`regcollation` text).
    pub collation: Option<String>,
}

impl CompositeType {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}
