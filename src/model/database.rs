//! The database object: owner, comment, grants, settings.

use super::{Acl, SettingValue};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Database {
    /// Desired: an optional assertion of the database name. Live: the name.
    pub name: Option<String>,
    pub owner: Option<String>,
    pub comment: Option<String>,
    /// Grants on the database, without the owner's implicit privileges.
    pub acl: Acl,
    /// `ALTER DATABASE d SET name = value`.
    pub settings: BTreeMap<String, SettingValue>,
}
