//! The catalog: one type for both the desired state (built by `config`) and the live
//! state (built by `introspect`). Source spans are kept beside it (`config::Sources`),
//! never inside, so two catalogs compare on content alone.

mod acl;
pub mod setting;
mod table;

pub use acl::{Acl, Grantee, ObjectKind, Privilege, PrivilegeSet};
pub use setting::SettingValue;
pub use table::*;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

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
    /// Live only: objects in non-system schemas pgrecon does not manage (views, triggers,
    /// functions' definitions, rules, other types …), reported as "unmanaged, left alone".
    pub unmanaged: Vec<UnmanagedObject>,
    /// `ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s` entries. Only the grants added
    /// on top of the built-in defaults, as PostgreSQL stores them in `pg_default_acl`.
    pub default_privileges: BTreeMap<DefaultPrivilegeKey, Acl>,
    /// What the desired state claims to own beyond what it declares (desired side only).
    pub scope: Scope,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    /// Declared only so that it may be referenced; pgrecon never alters it.
    pub external: bool,
    pub attributes: RoleAttributes,
    pub comment: Option<String>,
    pub password: Password,
    /// Roles this role is a member of, keyed by the granted role.
    pub member_of: BTreeMap<String, Membership>,
    /// `ALTER ROLE r SET` (every database).
    pub settings: BTreeMap<String, SettingValue>,
    /// `ALTER ROLE r IN DATABASE <this database> SET`.
    pub database_settings: BTreeMap<String, SettingValue>,
    /// Desired only: where this role may reach; `verify` proves it.
    pub confinement: Option<Confinement>,
}

/// A declared confinement: the schemas a role may reach, checked against its effective
/// privileges (memberships, PUBLIC, ownership, role attributes, default privileges,
/// search_path) by `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confinement {
    /// Schemas the role may use. `public` may always be on its search_path and carry
    /// USAGE; objects inside `public` count only if it is listed.
    pub schemas: Vec<String>,
    /// Whether the role may own objects (inside its schemas). Runtime roles own nothing.
    pub may_own: bool,
}

impl Role {
    pub fn new(name: impl Into<String>) -> Self {
        Role {
            name: name.into(),
            external: false,
            attributes: RoleAttributes::default(),
            comment: None,
            password: Password::Unmanaged,
            member_of: BTreeMap::new(),
            settings: BTreeMap::new(),
            database_settings: BTreeMap::new(),
            confinement: None,
        }
    }
}

/// Role attributes with PostgreSQL's own defaults (`CREATE ROLE r` with no options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleAttributes {
    pub login: bool,
    pub superuser: bool,
    pub createdb: bool,
    pub createrole: bool,
    pub inherit: bool,
    pub replication: bool,
    pub bypassrls: bool,
    /// -1 means no limit.
    pub connection_limit: i32,
    /// Canonical `timestamptz` text (ISO, UTC), `None` for no expiry.
    pub valid_until: Option<String>,
}

impl Default for RoleAttributes {
    fn default() -> Self {
        RoleAttributes {
            login: false,
            superuser: false,
            createdb: false,
            createrole: false,
            inherit: true,
            replication: false,
            bypassrls: false,
            connection_limit: -1,
            valid_until: None,
        }
    }
}

/// Membership options. `inherit` and `set` exist on PostgreSQL 16+; `None` means the
/// server default (and is what an older server reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Membership {
    pub admin: bool,
    pub inherit: Option<bool>,
    pub set: Option<bool>,
}

/// Where a desired password comes from. Never holds the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordSource {
    Env(String),
    File(PathBuf),
    /// A SCRAM-SHA-256 verifier written in the desired state (not a secret by itself,
    /// but still never printed).
    Verifier,
}

impl fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordSource::Env(var) => write!(f, "set from env {var}"),
            PasswordSource::File(path) => write!(f, "set from file {}", path.display()),
            PasswordSource::Verifier => write!(f, "set from a SCRAM verifier"),
        }
    }
}

/// The password of a role, as desired or as found.
#[derive(Debug, Clone)]
pub enum Password {
    /// Desired: no `password` key, pgrecon leaves it alone. Live: not applicable.
    Unmanaged,
    /// Desired: declared. `secret` is `None` when the source could not be read (env var
    /// unset): the password is then skipped with a warning.
    Desired {
        source: PasswordSource,
        secret: Option<SecretString>,
    },
    /// Live: the stored verifier could not be read (not superuser).
    Unreadable,
    /// Live: no password set.
    Absent,
    /// Live: the stored verifier (`SCRAM-SHA-256$…` or `md5…`). Never printed.
    Stored(SecretString),
}

impl PartialEq for Password {
    /// Passwords never take part in catalog equality; the diff compares them explicitly.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}
impl Eq for Password {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    /// Desired only: whether undeclared tables in this schema are drift (reported, and
    /// dropped with `--prune`). True when the desired state declares any table in it,
    /// or when `manage_tables = true`.
    pub manage_tables: bool,
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
            owner: None,
            comment: None,
            acl: Acl::default(),
            object_grants: BTreeMap::new(),
        }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
    Sequence,
}

impl RelationKind {
    /// The privilege class the relation belongs to (GRANT … ON TABLE vs ON SEQUENCE).
    pub fn object_kind(self) -> ObjectKind {
        match self {
            RelationKind::Sequence => ObjectKind::Sequence,
            _ => ObjectKind::Table,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::PartitionedTable => "partitioned table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized view",
            RelationKind::ForeignTable => "foreign table",
            RelationKind::Sequence => "sequence",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub name: QualifiedName,
    pub kind: RelationKind,
    /// `None` (desired) means the owner is not managed.
    pub owner: Option<String>,
    /// Desired: grants declared on this object, added to the schema's object grants.
    /// Live: the object's grants without the owner's implicit privileges.
    pub acl: Acl,
}

/// A function or procedure, identified as PostgreSQL does: name and argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionId {
    pub schema: String,
    pub name: String,
    /// Argument types only, as `oidvectortypes(proargtypes)` prints them: `integer, text`
    /// (parameter names and modes are not part of a function's identity).
    pub arguments: String,
}

impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}({})",
            crate::sql::display_ident(&self.schema),
            crate::sql::display_ident(&self.name),
            self.arguments
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: FunctionId,
    pub is_procedure: bool,
    pub owner: Option<String>,
    pub acl: Acl,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DefaultPrivilegeKey {
    /// The role whose future objects receive the grants.
    pub for_role: String,
    pub schema: String,
    pub kind: ObjectKind,
}

/// A reference to any object that can be created, altered, granted on or dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObjectRef {
    Database {
        name: String,
    },
    Role {
        name: String,
    },
    Schema {
        name: String,
    },
    Relation {
        kind: RelationKind,
        name: QualifiedName,
    },
    Function {
        id: FunctionId,
    },
    /// A column, constraint, index or policy of a table.
    TablePart {
        part: TablePart,
        table: QualifiedName,
        name: String,
    },
    Type {
        kind: TypeKind,
        name: QualifiedName,
    },
    Extension {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TablePart {
    Column,
    Constraint,
    Index,
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    Enum,
    Domain,
}

impl ObjectRef {
    pub fn role(name: &str) -> Self {
        ObjectRef::Role {
            name: name.to_string(),
        }
    }
    pub fn schema(name: &str) -> Self {
        ObjectRef::Schema {
            name: name.to_string(),
        }
    }
    /// A column, constraint, index or policy of `table`.
    pub fn table_part(part: TablePart, table: &QualifiedName, name: &str) -> Self {
        ObjectRef::TablePart {
            part,
            table: table.clone(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::sql::display_ident;
        match self {
            ObjectRef::Database { name } => write!(f, "database {}", display_ident(name)),
            ObjectRef::Role { name } => write!(f, "role {}", display_ident(name)),
            ObjectRef::Schema { name } => write!(f, "schema {}", display_ident(name)),
            ObjectRef::Relation { kind, name } => write!(f, "{} {name}", kind.describe()),
            ObjectRef::Function { id } => write!(f, "function {id}"),
            ObjectRef::TablePart { part, table, name } => {
                let what = match part {
                    TablePart::Column => "column",
                    TablePart::Constraint => "constraint",
                    TablePart::Index => "index",
                    TablePart::Policy => "policy",
                };
                write!(f, "{what} {} on {table}", display_ident(name))
            }
            ObjectRef::Type { kind, name } => {
                let what = match kind {
                    TypeKind::Enum => "enum",
                    TypeKind::Domain => "domain",
                };
                write!(f, "{what} {name}")
            }
            ObjectRef::Extension { name } => write!(f, "extension {}", display_ident(name)),
        }
    }
}

/// True for the roles PostgreSQL creates itself (`pg_*`): they can always be referenced
/// and are never managed.
pub fn is_builtin_role(name: &str) -> bool {
    name.starts_with("pg_")
}

/// True for schemas PostgreSQL owns and pgrecon never manages.
pub fn is_system_schema(name: &str) -> bool {
    name == "information_schema" || name.starts_with("pg_")
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
