//! Row-level security policies.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`.
    pub command: String,
    /// Role names, or `PUBLIC`; sorted.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
}
