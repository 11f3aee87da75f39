//! Default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s`).

use super::ObjectKind;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DefaultPrivilegeKey {
    /// The role whose future objects receive the grants.
    pub for_role: String,
    pub schema: String,
    pub kind: ObjectKind,
}
