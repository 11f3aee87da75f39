//! Extensions.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub name: String,
    /// Schema it is installed in; `None` (desired) = the extension's default.
    pub schema: Option<String>,
    /// `None` (desired) = the default version, never upgraded implicitly.
    pub version: Option<String>,
    /// `COMMENT ON EXTENSION`. Desired: `None` leaves it alone (the extension's script
    /// usually sets one).
    pub comment: Option<String>,
}
