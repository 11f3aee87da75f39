//! Views and materialized views: what TOML says about a view whose definition is in a
//! `.sql` file.

use super::*;

/// A view or materialized view declared by `CREATE [MATERIALIZED] VIEW` in a `.sql` file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawView {
    /// Owner of the view. Default: the owner of its schema (not managed when the schema
    /// declares none).
    pub owner: Option<String>,
    /// `COMMENT ON VIEW` / `COMMENT ON MATERIALIZED VIEW`.
    pub comment: Option<String>,
    /// Privileges on this view (`GRANT … ON TABLE`), by grantee, on top of the schema's
    /// `table_grants`.
    #[serde(default)]
    pub grants: RawGrants,
    /// `COMMENT ON COLUMN`, by column name.
    #[serde(default)]
    pub column_comments: BTreeMap<String, String>,
    /// Materialized views: `COMMENT ON INDEX`, by the name of an index declared on it
    /// (`CREATE INDEX … ON s.v` in a `.sql` file).
    #[serde(default)]
    pub index_comments: BTreeMap<String, String>,
    /// The previous name of this view in the same schema: when the view of that name exists and
    /// this one does not, the plan renames it (`ALTER VIEW … RENAME TO`) instead of dropping
    /// one and creating the other. Ignored once applied.
    pub renamed_from: Option<String>,
    /// What TOML says about the view's triggers, by name: their comment. The trigger
    /// itself is a `CREATE TRIGGER … INSTEAD OF … ON schema.view` (or a statement-level
    /// trigger) in a `.sql` file; an entry here without one is an error. The triggers of
    /// a declared view are managed: undeclared ones are unexpected, dropped with `--prune`.
    #[serde(default)]
    pub triggers: BTreeMap<String, RawViewTrigger>,
}

/// A trigger of a view. PostgreSQL cannot disable a view's trigger, so it has no
/// `enabled` state.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawViewTrigger {
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
}
