//! Enum and domain types.

use super::*;

/// An enum type. New labels are added in place; removing or reordering labels is refused.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    /// The labels, in sort order.
    pub values: Vec<String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDomain {
    /// The base type, e.g. `text`.
    #[serde(rename = "type")]
    pub base_type: String,
    /// `NOT NULL`. Default false.
    #[serde(default)]
    pub not_null: bool,
    /// `DEFAULT` expression.
    pub default: Option<String>,
    /// `COLLATE`. Default: the base type's.
    pub collation: Option<String>,
    /// `CHECK` constraints by name: expressions using `VALUE`.
    #[serde(default)]
    pub checks: BTreeMap<String, String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON DOMAIN`.
    pub comment: Option<String>,
}
