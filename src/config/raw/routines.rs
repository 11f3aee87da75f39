//! Functions and procedures whose definition is a `CREATE FUNCTION|PROCEDURE` statement
//! in a `.sql` file.

use super::*;

/// Owner, comment and grants of a function or procedure declared in a `.sql` file, keyed
/// by `schema.name(argument types)`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    /// Owner. Default: the owner of its schema.
    pub owner: Option<String>,
    /// `COMMENT ON FUNCTION|PROCEDURE`.
    pub comment: Option<String>,
    /// `EXECUTE` by grantee, on top of the schema's `function_grants`. Authoritative:
    /// `PUBLIC`'s default `EXECUTE` is revoked unless declared.
    #[serde(default)]
    pub grants: RawGrants,
}
