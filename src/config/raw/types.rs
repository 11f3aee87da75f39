//! Enum and domain types; the owner and comment of composite and range types and of
//! collations (whose definitions are `CREATE` statements in `.sql` files).

use super::*;

/// An enum type. New labels are added in place; removing or reordering labels replaces
/// the type, a destructive step (its columns are converted through text).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    /// The labels, in sort order.
    pub values: Vec<String>,
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
    /// `USAGE` by grantee, on top of the schema's `type_grants`. Authoritative when
    /// declared: `PUBLIC`'s default `USAGE` is revoked unless declared. Absent (and no
    /// `type_grants` on the schema): the type's grants are left alone.
    pub grants: Option<RawGrants>,
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
    /// `USAGE` by grantee, on top of the schema's `type_grants`. Authoritative when
    /// declared: `PUBLIC`'s default `USAGE` is revoked unless declared. Absent (and no
    /// `type_grants` on the schema): the domain's grants are left alone.
    pub grants: Option<RawGrants>,
}

/// The owner, comment and grants of a composite or range type declared by a `CREATE
/// TYPE` statement in a `.sql` file (an entry without that statement is an error).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawType {
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
    /// `USAGE` by grantee, on top of the schema's `type_grants`. Authoritative when
    /// declared: `PUBLIC`'s default `USAGE` is revoked unless declared. Absent (and no
    /// `type_grants` on the schema): the type's grants are left alone.
    pub grants: Option<RawGrants>,
    /// The previous name of this type in the same schema (a range type's multirange follows
    /// it): when the type of that name exists and this one does not, the plan renames it
    /// (`ALTER TYPE … RENAME TO`) instead of dropping one and creating the other. Ignored once
    /// applied.
    pub renamed_from: Option<String>,
}

/// The owner and comment of a collation declared by a `CREATE COLLATION` statement in a
/// `.sql` file (an entry without that statement is an error).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCollation {
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON COLLATION`.
    pub comment: Option<String>,
    /// The previous name of this collation in the same schema: when the collation of that name
    /// exists and this one does not, the plan renames it (`ALTER COLLATION … RENAME TO`)
    /// instead of dropping one and creating the other. Ignored once applied.
    pub renamed_from: Option<String>,
}
