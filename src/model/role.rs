//! Roles: attributes, memberships, passwords and the declared confinement.

use super::SettingValue;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

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
    /// Live only: who granted each membership (granted role → grantors). From
    /// PostgreSQL 16 a non-superuser revokes only what it granted.
    pub granted_by: BTreeMap<String, Vec<String>>,
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
            granted_by: BTreeMap::new(),
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

/// True for the roles PostgreSQL creates itself (`pg_*`): they can always be referenced
/// and are never managed.
pub fn is_builtin_role(name: &str) -> bool {
    name.starts_with("pg_")
}
