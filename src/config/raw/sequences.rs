//! Sequences other than identity columns'.

use super::*;

/// A sequence other than an identity column's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSequence {
    /// Data type. Default `bigint`.
    #[serde(rename = "type", default)]
    pub data_type: RawSequenceType,
    /// `START WITH`. Default: the minimum value (the maximum for a descending sequence).
    pub start: Option<i64>,
    /// `INCREMENT BY`. Default 1.
    pub increment: Option<i64>,
    /// `MINVALUE`. Default: 1 (the type's minimum for a descending sequence).
    pub min_value: Option<i64>,
    /// `MAXVALUE`. Default: the type's maximum (-1 for a descending sequence).
    pub max_value: Option<i64>,
    /// `CACHE`. Default 1.
    pub cache: Option<i64>,
    /// `CYCLE`. Default false.
    #[serde(default)]
    pub cycle: bool,
    /// `OWNED BY schema.table.column`: the column of a declared table in the same schema.
    pub owned_by: Option<String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON SEQUENCE`.
    pub comment: Option<String>,
    /// Privileges on this sequence, by grantee, on top of the schema's `sequence_grants`.
    #[serde(default)]
    pub grants: RawGrants,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawSequenceType {
    #[default]
    Bigint,
    Integer,
    Smallint,
}
