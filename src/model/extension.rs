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
    /// Live only: the versions `ALTER EXTENSION … UPDATE TO` can reach from the installed
    /// one (`pg_extension_update_paths`). Not part of the fingerprint.
    #[serde(skip)]
    pub update_targets: Vec<String>,
    /// Live only: who installed it (only its owner may alter or drop it). Not part of
    /// the fingerprint.
    #[serde(skip)]
    pub owner: Option<String>,
}
