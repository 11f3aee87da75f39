//! Enum types.

use super::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// Labels in sort order. New labels are added in place (`ADD VALUE … BEFORE/AFTER`);
    /// a removed or reordered label cannot be changed in place and is an error.
    pub values: Vec<String>,
    pub comment: Option<String>,
}
