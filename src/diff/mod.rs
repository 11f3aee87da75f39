//! desired × live → the closed set of typed changes. A pure function: no I/O, no clock,
//! output order fully determined by the inputs (everything is walked in `BTreeMap` order).
//!
//! One walker, `Cx`, pushes the changes; its methods live in one file per object kind
//! (`role.rs`, `schema.rs`, `table.rs`, `column.rs` …), and `diff` calls them in a fixed
//! order, which the plan keeps for its ties. The relational changes' types are in
//! `tables.rs`.

mod acl;
pub mod authority;
mod column;
mod comment;
mod constraint;
mod database;
mod domain;
mod enum_replace;
mod enum_type;
mod extension;
mod identity_name;
mod index;
mod inherits;
mod membership;
mod owner;
mod parameter;
pub mod password;
mod policy;
mod rename;
pub mod rename_objects;
mod role;
mod routine;
mod schema;
mod sequence;
mod shared;
mod table;
pub mod tables;
mod trigger;
mod type_grants;
mod undeclared;
pub mod user_types;
pub mod view;

pub use crate::compat::{NeedsNewerServer, fit as fit_to_server};
pub use acl::builtin_default;
pub use routine::RoutineChange;

use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Undeclared objects in the owned scope become drops.
    pub prune: bool,
}

/// Where a configuration parameter is set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParameterTarget {
    /// `ALTER ROLE r SET`
    Role { role: String },
    /// `ALTER ROLE r IN DATABASE d SET`
    RoleInDatabase { role: String, database: String },
    /// `ALTER DATABASE d SET`
    Database { database: String },
}

/// What a grant or revoke applies to: one or several objects of the same kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantTarget {
    pub kind: ObjectKind,
    pub objects: Vec<ObjectRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordReason {
    /// The role is being created.
    New,
    /// The role has no password.
    Missing,
    /// The stored verifier does not match.
    Differs,
    /// The stored verifier is in a form pgrecon cannot check.
    Unrecognised,
}

/// One difference between desired and live, typed. The set is closed: `plan` turns each
/// variant into exactly one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateRole {
        name: String,
        attributes: RoleAttributes,
    },
    AlterRole {
        name: String,
        from: RoleAttributes,
        to: RoleAttributes,
    },
    SetPassword {
        role: String,
        source: PasswordSource,
        reason: PasswordReason,
    },
    DropRole {
        name: String,
        reassign_to: Option<String>,
    },
    SetComment {
        object: ObjectRef,
        from: Option<String>,
        to: Option<String>,
    },
    GrantMembership {
        role: String,
        member: String,
        options: Membership,
    },
    AlterMembership {
        role: String,
        member: String,
        from: Membership,
        to: Membership,
    },
    RevokeMembership {
        role: String,
        member: String,
    },
    SetParameter {
        target: ParameterTarget,
        name: String,
        from: Option<SettingValue>,
        to: Option<SettingValue>,
    },
    CreateSchema {
        name: String,
        owner: Option<String>,
    },
    AlterOwner {
        object: ObjectRef,
        from: Option<String>,
        to: String,
    },
    DropSchema {
        name: String,
        /// Relations and functions that `CASCADE` would drop with it.
        contents: usize,
    },
    Grant {
        target: GrantTarget,
        grantee: Grantee,
        privileges: Vec<Privilege>,
        with_grant_option: bool,
    },
    Revoke {
        target: GrantTarget,
        grantee: Grantee,
        privileges: Vec<Privilege>,
        /// Only `REVOKE GRANT OPTION FOR`: the privilege itself stays.
        grant_option_only: bool,
    },
    AlterDefaultPrivileges {
        key: DefaultPrivilegeKey,
        grantee: Grantee,
        privileges: Vec<Privilege>,
        /// true: GRANT; false: REVOKE.
        grant: bool,
        /// GRANT: `WITH GRANT OPTION`; REVOKE: `GRANT OPTION FOR` only.
        grant_option: bool,
    },
    /// Tables, columns, constraints, indexes, policies, sequences, types, extensions.
    Table(Box<tables::TableChange>),
    /// Collations, composite types and range types.
    Type(Box<user_types::TypeChange>),
    /// Functions and procedures declared in `.sql` files.
    Routine(RoutineChange),
    /// Views and materialized views.
    View(Box<view::ViewChange>),
    /// A declared rename of a view, routine, trigger, composite or range type, or
    /// collation (tables and their parts: `TableChange`).
    Rename(Box<rename_objects::ObjectRename>),
}

/// Something the plan reports without changing it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Note {
    pub kind: NoteKind,
    pub object: ObjectRef,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Present in the owned scope but not declared; dropped only with `--prune`.
    Unexpected,
    /// Declared but cannot be acted on now (e.g. a grant on an object that does not exist).
    Skipped,
    /// Could not be compared (e.g. a password whose verifier is unreadable).
    Unverifiable,
    /// An object of a kind pgrecon does not manage (view, trigger, function body …) in a
    /// declared schema: reported, never altered.
    Unmanaged,
    /// A declared change that cannot be made in place (removing an enum label, changing a
    /// domain's base type …): nothing is planned for it, the desired state must change.
    Error,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DiffError {
    #[error(
        "role `{}` is declared external but does not exist on the server",
        crate::escape::text_line(.0)
    )]
    ExternalRoleMissing(String),
    #[error(
        "the desired state is for database `{}` but connected to `{}`",
        crate::escape::text_line(desired),
        crate::escape::text_line(live)
    )]
    WrongDatabase { desired: String, live: String },
    #[error("invalid owned pattern `{0}`")]
    BadPattern(String),
    #[error("the live catalog has no database information; it was not read by introspection")]
    NoLiveDatabase,
    #[error(transparent)]
    NeedsNewerServer(#[from] NeedsNewerServer),
}

#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Computes the changes that turn `live` into `desired`, within the scope `desired`
/// declares. Nothing outside that scope is ever part of the result.
pub fn diff(desired: &Catalog, live: &Catalog, options: &DiffOptions) -> Result<Diff, DiffError> {
    let live_db = live.database.as_ref().ok_or(DiffError::NoLiveDatabase)?;
    let db_name = live_db.name.clone().unwrap_or_default();
    let server_version = live.server.as_ref().map_or(150000, |s| s.version_num);
    let desired = &*crate::compat::fit(desired, server_version)?;
    // Every field named, so a field added to `Catalog` does not build until the diff
    // decides what to do with it (both sides are a `Catalog`: one pattern covers both).
    let Catalog {
        database: _,           // database.rs
        roles: _,              // role.rs, membership.rs, parameter.rs
        schemas: _,            // schema.rs; and the scope of every kind below
        relations: _,          // acl.rs, table.rs, sequence.rs: grants and owners
        functions: _,          // routine.rs: definitions; acl.rs: grants on functions
        tables: _,    // table.rs, column.rs, constraint.rs, index.rs, policy.rs, trigger.rs
        sequences: _, // sequence.rs
        enums: _,     // enum_type.rs
        domains: _,   // domain.rs
        extensions: _, // extension.rs
        collations: _, // user_types.rs
        composite_types: _, // user_types.rs
        range_types: _, // user_types.rs
        views: _,     // view.rs
        unmanaged: _, // undeclared.rs (live side)
        default_privileges: _, // acl.rs
        scope: _,     // role.rs, schema.rs: owned patterns
        renamed_from: _, // rename.rs: the live catalog as it reads after the renames
        server: _,    // live side: version (version.rs) and current user
    } = desired;
    // The kinds declared in `.sql` files: live as it reads after their renames.
    let (renames, renamed_live) = rename_objects::object_renames(desired, live);
    let live = renamed_live.as_ref().unwrap_or(live);
    let translated = rename::translated_tables(desired, live);
    let live_names = rename::renamed_tables(desired, live);
    let mut cx = Cx {
        desired,
        live,
        options,
        db_name,
        server_version,
        current_user: live.server.as_ref().map(|s| s.current_user.as_str()),
        translated: &translated,
        live_names: &live_names,
        identity_names: identity_name::IdentityNames::new(desired, live, options.prune),
        out: Diff::default(),
    };
    for r in renames {
        cx.push(Change::Rename(Box::new(r)));
    }
    cx.database(live_db)?;
    cx.roles()?;
    cx.owned_roles()?;
    cx.schemas();
    cx.owned_schemas()?;
    cx.objects();
    cx.default_privileges();
    cx.extensions();
    cx.owned_extensions()?;
    cx.collations();
    cx.enums();
    cx.range_types();
    cx.composite_types();
    cx.domains();
    cx.sequences();
    cx.tables();
    cx.views();
    cx.routines();
    cx.undeclared();
    cx.enum_replacements();
    cx.unmanaged();
    cx.undeclared_user_types();
    cx.type_grants();
    Ok(cx.out)
}

/// The walker: both catalogs, what is derived from them once, and the result so far.
/// Its methods live in the file of the object kind they diff.
struct Cx<'a> {
    desired: &'a Catalog,
    live: &'a Catalog,
    options: &'a DiffOptions,
    db_name: String,
    server_version: i32,
    current_user: Option<&'a str>,
    /// Live tables rewritten for the declared renames (`translated_tables`), by live name.
    translated: &'a BTreeMap<QualifiedName, Table>,
    /// Live name of each renamed table, by its declared name.
    live_names: &'a BTreeMap<QualifiedName, QualifiedName>,
    /// Names of the sequences of new identity columns.
    identity_names: identity_name::IdentityNames<'a>,
    out: Diff,
}

impl Cx<'_> {
    fn push(&mut self, change: Change) {
        self.out.changes.push(change);
    }

    fn push_table(&mut self, change: tables::TableChange) {
        self.out.changes.push(Change::Table(Box::new(change)));
    }

    fn note(&mut self, kind: NoteKind, object: ObjectRef, message: impl Into<String>) {
        self.out.notes.push(Note {
            kind,
            object,
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests;
