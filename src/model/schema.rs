//! Schemas.

use super::{Acl, ObjectKind};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    /// Desired only: whether undeclared tables in this schema are drift (reported, and
    /// dropped with `--prune`). True when the desired state declares any table in it,
    /// or when `manage_tables = true`.
    pub manage_tables: bool,
    /// Desired only: the desired state is the whole truth of this schema (`manage_all =
    /// true`, which `import` writes): undeclared objects of every kind pgrecon manages
    /// are drift, and the grants of its types are managed (PostgreSQL's default when
    /// none are declared). Implies `manage_tables`.
    pub manage_all: bool,
    /// `None` (desired) means the owner is not managed.
    pub owner: Option<String>,
    pub comment: Option<String>,
    /// Grants on the schema itself, without the owner's implicit privileges.
    pub acl: Acl,
    /// Desired only: grants every object of the kind in this schema must carry
    /// (tables, sequences, functions), on top of per-object grants.
    pub object_grants: BTreeMap<ObjectKind, Acl>,
}

impl Schema {
    pub fn new(name: impl Into<String>) -> Self {
        Schema {
            name: name.into(),
            manage_tables: false,
            manage_all: false,
            owner: None,
            comment: None,
            acl: Acl::default(),
            object_grants: BTreeMap::new(),
        }
    }
}

/// True for schemas PostgreSQL owns and pgrecon never manages.
pub fn is_system_schema(name: &str) -> bool {
    name == "information_schema" || name.starts_with("pg_")
}
