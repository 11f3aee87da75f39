//! Extensions.

use super::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExtension {
    /// Schema to install it in (declared, or `public`). Default: the extension's own.
    pub schema: Option<String>,
    /// Version to install. Default: the extension's default version; never upgraded
    /// implicitly.
    pub version: Option<String>,
    /// `COMMENT ON EXTENSION`. Default: left as it is (an extension's install script
    /// usually sets one).
    pub comment: Option<String>,
}
