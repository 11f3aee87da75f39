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
    /// The previous name of this routine in the same schema, with the same argument types: when
    /// the routine of that name exists and this one does not, the plan renames it (`ALTER
    /// FUNCTION|PROCEDURE … RENAME TO`) instead of dropping one and creating the other. Ignored
    /// once applied.
    pub renamed_from: Option<String>,
}
