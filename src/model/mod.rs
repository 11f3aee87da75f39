//! The catalog: one type for both the desired state (built by `config`) and the live
//! state (built by `introspect`). Source spans are kept beside it (`config::Sources`),
//! never inside, so two catalogs compare on content alone.

mod acl;
mod collation;
mod column;
mod composite_type;
mod constraint;
mod database;
mod default_privileges;
mod domain;
mod enum_type;
mod extension;
mod function;
mod index;
mod object_ref;
mod policy;
mod range_type;
mod relation;
mod role;
mod schema;
mod sequence;
pub mod setting;
mod table;
mod trigger;
mod view;

pub use acl::{Acl, Grantee, ObjectKind, Privilege, PrivilegeSet};
pub use collation::*;
pub use column::*;
pub use composite_type::*;
pub use constraint::*;
pub use database::*;
pub use default_privileges::*;
pub use domain::*;
pub use enum_type::*;
pub use extension::*;
pub use function::*;
pub use index::*;
pub use object_ref::*;
pub use policy::*;
pub use range_type::*;
pub use relation::*;
pub use role::*;
pub use schema::*;
pub use sequence::*;
pub use setting::SettingValue;
pub use table::*;
pub use trigger::*;
pub use view::*;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Everything pgrecon knows about one database and the cluster-wide roles it uses.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The database-level object (grants, settings). Desired: `None` means the
    /// database object is not managed. Live: always `Some`.
    pub database: Option<Database>,
    pub roles: BTreeMap<String, Role>,
    pub schemas: BTreeMap<String, Schema>,
    /// Tables, views, sequences … keyed by schema-qualified name.
    pub relations: BTreeMap<QualifiedName, Relation>,
    pub functions: BTreeMap<FunctionId, Function>,
    /// Table definitions (owner and grants are in `relations`).
    pub tables: BTreeMap<QualifiedName, Table>,
    /// Sequences other than identity columns' (which belong to their column).
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    pub enums: BTreeMap<QualifiedName, EnumType>,
    pub domains: BTreeMap<QualifiedName, Domain>,
    pub extensions: BTreeMap<String, Extension>,
    pub collations: BTreeMap<QualifiedName, Collation>,
    pub composite_types: BTreeMap<QualifiedName, CompositeType>,
    pub range_types: BTreeMap<QualifiedName, RangeType>,
    /// View and materialized view definitions (owner and grants are in `relations`).
    pub views: BTreeMap<QualifiedName, View>,
    /// Live only: objects in non-system schemas pgrecon does not manage (views, triggers,
    /// functions' definitions, rules, other types …), reported as "unmanaged, left alone".
    pub unmanaged: Vec<UnmanagedObject>,
    /// `ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s` entries. Only the grants added
    /// on top of the built-in defaults, as PostgreSQL stores them in `pg_default_acl`.
    pub default_privileges: BTreeMap<DefaultPrivilegeKey, Acl>,
    /// What the desired state claims to own beyond what it declares (desired side only).
    pub scope: Scope,
    /// Desired side only: the declared renames of views, routines, triggers, composite
    /// and range types and collations (`renamed_from`), each object under its new name →
    /// its previous name (same schema; same table; same argument types). Tables and their
    /// parts carry theirs on the model.
    pub renamed_from: BTreeMap<ObjectRef, String>,
    /// Facts about the server the live catalog was read from (live side only).
    pub server: Option<ServerInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnmanagedObject {
    /// `view`, `materialized view`, `trigger`, `function`, `type`, `rule`, …
    pub kind: String,
    pub schema: String,
    /// Name as people read it (`notes_audit on general.notes` for a trigger).
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Glob patterns (`butler_*_app`) of role names the desired state owns: an undeclared
    /// role that matches is drift and, with `--prune`, is dropped.
    pub owned_role_patterns: Vec<String>,
    /// Glob patterns of schema names the desired state owns: an undeclared schema that
    /// matches is drift and, with `--prune`, is dropped.
    pub owned_schema_patterns: Vec<String>,
    /// Glob patterns of extension names the desired state owns: an undeclared extension
    /// that matches is drift and, with `--prune`, is dropped.
    pub owned_extension_patterns: Vec<String>,
    /// Role that receives the objects of a dropped owned role (`REASSIGN OWNED … TO`).
    /// `None` means the role running pgrecon.
    pub reassign_owned_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    pub version_num: i32,
    pub version: String,
    pub system_identifier: String,
    pub current_user: String,
    /// Whether `pg_authid.rolpassword` was readable, i.e. passwords can be compared.
    pub can_read_passwords: bool,
}

/// A key that orders by schema first (`QualifiedName`, `FunctionId`): the entries of one
/// schema are a contiguous range of a map keyed by it.
pub trait SchemaKey: Ord {
    fn schema(&self) -> &str;
    /// The least key in `schema`.
    fn first_in(schema: &str) -> Self;
}

/// The entries of `map` in `schema`, as a range (a walk over one schema, not the whole
/// catalog: per-schema passes stay linear with thousands of schemas).
pub fn in_schema<'a, K: SchemaKey, V>(
    map: &'a BTreeMap<K, V>,
    schema: &'a str,
) -> impl Iterator<Item = (&'a K, &'a V)> + 'a {
    map.range(K::first_in(schema)..)
        .take_while(move |(k, _)| k.schema() == schema)
}

impl SchemaKey for QualifiedName {
    fn schema(&self) -> &str {
        &self.schema
    }
    fn first_in(schema: &str) -> Self {
        QualifiedName::new(schema, "")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// Parses `schema.name` (each part may be double-quoted).
    pub fn parse(text: &str) -> Option<Self> {
        let parts = crate::sql::split_qualified(text)?;
        match parts.as_slice() {
            [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            crate::sql::display_ident(&self.schema),
            crate::sql::display_ident(&self.name)
        )
    }
}

/// Fixtures shared by the pure unit tests of the stages.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A live catalog with nothing in it but the database `app` (owned by `postgres`)
    /// on a PostgreSQL 15 server, as `introspect` would read an empty database.
    pub(crate) fn live_base() -> Catalog {
        Catalog {
            database: Some(Database {
                name: Some("app".into()),
                owner: Some("postgres".into()),
                ..Database::default()
            }),
            server: Some(ServerInfo {
                version_num: 150004,
                version: "15.4".into(),
                system_identifier: "1".into(),
                current_user: "postgres".into(),
                can_read_passwords: true,
            }),
            ..Catalog::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_schema_is_exactly_the_schema() {
        let names = [
            ("a", "z"),
            ("ab", "b"),
            ("a", ""),
            ("", "a"),
            ("b", "a"),
            ("a", "a"),
        ];
        let map: BTreeMap<QualifiedName, ()> = names
            .iter()
            .map(|(s, n)| (QualifiedName::new(*s, *n), ()))
            .collect();
        let found: Vec<&str> = in_schema(&map, "a").map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(found, ["", "a", "z"]);
        assert_eq!(in_schema(&map, "c").count(), 0);
        let functions: BTreeMap<FunctionId, ()> = [("s", "f"), ("t", "f"), ("s", "g")]
            .iter()
            .map(|(s, n)| {
                let id = FunctionId {
                    schema: s.to_string(),
                    name: n.to_string(),
                    arguments: String::new(),
                };
                (id, ())
            })
            .collect();
        assert_eq!(in_schema(&functions, "s").count(), 2);
    }
}
