//! Enum types.

use super::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// Labels in sort order. New labels are added in place (`ADD VALUE … BEFORE/AFTER`);
    /// a removed or reordered label replaces the type (destructive; `diff/enum_replace.rs`).
    pub values: Vec<String>,
    pub comment: Option<String>,
    /// `USAGE` grants, without the owner's. Live: always read (`acldefault` when never
    /// granted on: `PUBLIC` `USAGE`). Desired: `None` when no grants are declared for it
    /// (nor `type_grants` on its schema), and then its ACL is left alone.
    pub acl: Option<super::Acl>,
}
