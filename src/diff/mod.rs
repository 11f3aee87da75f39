//! desired × live → the closed set of typed changes. A pure function: no I/O, no clock,
//! output order fully determined by the inputs (everything is walked in `BTreeMap` order).

pub mod password;
pub mod tables;
mod version;

pub use version::{NeedsNewerServer, fit as fit_to_server};

use crate::model::*;
use globset::{Glob, GlobSet, GlobSetBuilder};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
        crate::render::escape::text_line(.0)
    )]
    ExternalRoleMissing(String),
    #[error(
        "the desired state is for database `{}` but connected to `{}`",
        crate::render::escape::text_line(desired),
        crate::render::escape::text_line(live)
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
    let desired = &*version::fit(desired, server_version)?;
    let translated = tables::translated_tables(desired, live);
    let live_names = tables::renamed_tables(desired, live);
    let mut cx = Cx {
        desired,
        live,
        options,
        db_name,
        server_version,
        current_user: live.server.as_ref().map(|s| s.current_user.as_str()),
        translated: &translated,
        live_names: &live_names,
        out: Diff::default(),
    };
    cx.database(live_db)?;
    cx.roles()?;
    cx.owned_roles()?;
    cx.schemas();
    cx.owned_schemas()?;
    cx.objects();
    cx.default_privileges();
    cx.extensions();
    cx.enums();
    cx.domains();
    cx.sequences();
    cx.tables();
    cx.undeclared();
    cx.unmanaged();
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
    out: Diff,
}

impl<'a> Cx<'a> {
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

    fn database(&mut self, live_db: &Database) -> Result<(), DiffError> {
        let Some(want) = &self.desired.database else {
            return Ok(());
        };
        if let Some(name) = &want.name
            && Some(name) != live_db.name.as_ref()
        {
            return Err(DiffError::WrongDatabase {
                desired: name.clone(),
                live: self.db_name.clone(),
            });
        }
        let object = ObjectRef::Database {
            name: self.db_name.clone(),
        };
        self.comment(object.clone(), &want.comment, &live_db.comment);
        let owner = live_db.owner.as_deref();
        self.acl(
            ObjectKind::Database,
            &[object],
            &want.acl,
            &live_db.acl,
            owner,
        );
        let target = ParameterTarget::Database {
            database: self.db_name.clone(),
        };
        self.parameters(target, &want.settings, &live_db.settings);
        Ok(())
    }

    fn roles(&mut self) -> Result<(), DiffError> {
        for (name, want) in &self.desired.roles {
            if is_builtin_role(name) {
                continue;
            }
            let have = self.live.roles.get(name);
            if want.external {
                if have.is_none() {
                    return Err(DiffError::ExternalRoleMissing(name.clone()));
                }
                continue;
            }
            match have {
                None => {
                    self.push(Change::CreateRole {
                        name: name.clone(),
                        attributes: want.attributes.clone(),
                    });
                    self.comment(ObjectRef::role(name), &want.comment, &None);
                }
                Some(have) => {
                    if want.attributes != have.attributes {
                        self.push(Change::AlterRole {
                            name: name.clone(),
                            from: have.attributes.clone(),
                            to: want.attributes.clone(),
                        });
                    }
                    self.comment(ObjectRef::role(name), &want.comment, &have.comment);
                }
            }
            self.password(want, have);
            self.memberships(want, have);
            let empty = BTreeMap::new();
            let target = ParameterTarget::Role { role: name.clone() };
            self.parameters(target, &want.settings, have.map_or(&empty, |h| &h.settings));
            let target = ParameterTarget::RoleInDatabase {
                role: name.clone(),
                database: self.db_name.clone(),
            };
            let have_db = have.map_or(&empty, |h| &h.database_settings);
            self.parameters(target, &want.database_settings, have_db);
        }
        Ok(())
    }

    fn password(&mut self, want: &Role, have: Option<&Role>) {
        let Password::Desired { source, secret } = &want.password else {
            return;
        };
        let object = ObjectRef::role(&want.name);
        let Some(secret) = secret else {
            let message = match source {
                PasswordSource::Env(var) => {
                    format!("password not managed this run: environment variable {var} is not set")
                }
                other => format!("password not managed this run: {other} is not available"),
            };
            self.note(NoteKind::Skipped, object, message);
            return;
        };
        let reason = match have.map(|h| &h.password) {
            None => Some(PasswordReason::New),
            Some(Password::Absent) => Some(PasswordReason::Missing),
            Some(Password::Stored(stored)) => {
                match password::matches(secret.expose_secret(), stored.expose_secret(), &want.name)
                {
                    Some(true) => None,
                    Some(false) => Some(PasswordReason::Differs),
                    None => Some(PasswordReason::Unrecognised),
                }
            }
            Some(_) => {
                let message = "password cannot be checked: the stored verifier is not readable \
                               by this user (needs superuser); not re-set"
                    .to_string();
                self.note(NoteKind::Unverifiable, object, message);
                None
            }
        };
        if let Some(reason) = reason {
            self.push(Change::SetPassword {
                role: want.name.clone(),
                source: source.clone(),
                reason,
            });
        }
    }

    /// PostgreSQL 16+ fills unset membership options with defaults; resolve ours the same
    /// way so an omitted option never shows as a difference.
    fn effective_membership(&self, member: &Role, m: &Membership) -> Membership {
        if self.server_version < 160000 {
            return Membership {
                admin: m.admin,
                inherit: None,
                set: None,
            };
        }
        Membership {
            admin: m.admin,
            inherit: Some(m.inherit.unwrap_or(member.attributes.inherit)),
            set: Some(m.set.unwrap_or(true)),
        }
    }

    fn memberships(&mut self, want: &Role, have: Option<&Role>) {
        let empty = BTreeMap::new();
        let have_of = have.map_or(&empty, |h| &h.member_of);
        for (role, options) in &want.member_of {
            let wanted = self.effective_membership(want, options);
            match have_of.get(role) {
                None => self.push(Change::GrantMembership {
                    role: role.clone(),
                    member: want.name.clone(),
                    options: wanted,
                }),
                Some(current) => {
                    let current = self.effective_membership(want, current);
                    if current != wanted {
                        self.push(Change::AlterMembership {
                            role: role.clone(),
                            member: want.name.clone(),
                            from: current,
                            to: wanted,
                        });
                    }
                }
            }
        }
        for role in have_of.keys() {
            if !want.member_of.contains_key(role) {
                self.push(Change::RevokeMembership {
                    role: role.clone(),
                    member: want.name.clone(),
                });
            }
        }
    }

    fn parameters(
        &mut self,
        target: ParameterTarget,
        want: &BTreeMap<String, SettingValue>,
        have: &BTreeMap<String, SettingValue>,
    ) {
        let names: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
        for name in names {
            let (w, h) = (want.get(name), have.get(name));
            if w != h {
                self.push(Change::SetParameter {
                    target: target.clone(),
                    name: name.clone(),
                    from: h.cloned(),
                    to: w.cloned(),
                });
            }
        }
    }

    fn comment(&mut self, object: ObjectRef, want: &Option<String>, have: &Option<String>) {
        if want != have {
            self.push(Change::SetComment {
                object,
                from: have.clone(),
                to: want.clone(),
            });
        }
    }

    fn owned_roles(&mut self) -> Result<(), DiffError> {
        let patterns = globs(&self.desired.scope.owned_role_patterns)?;
        if patterns.is_empty() {
            return Ok(());
        }
        for (name, have) in &self.live.roles {
            if self.desired.roles.contains_key(name)
                || is_builtin_role(name)
                || !patterns.is_match(name)
                || self
                    .live
                    .server
                    .as_ref()
                    .is_some_and(|s| &s.current_user == name)
            {
                continue;
            }
            if self.options.prune {
                self.push(Change::DropRole {
                    name: name.clone(),
                    reassign_to: self.desired.scope.reassign_owned_to.clone(),
                });
            } else {
                let login = if have.attributes.login { "login " } else { "" };
                let message = format!(
                    "{login}role matches an owned pattern but is not declared; left alone \
                     (use --prune to drop it)"
                );
                self.note(NoteKind::Unexpected, ObjectRef::role(name), message);
            }
        }
        Ok(())
    }

    fn schemas(&mut self) {
        for (name, want) in &self.desired.schemas {
            let object = ObjectRef::schema(name);
            match self.live.schemas.get(name) {
                None => {
                    self.push(Change::CreateSchema {
                        name: name.clone(),
                        owner: want.owner.clone(),
                    });
                    self.comment(object.clone(), &want.comment, &None);
                    let owner = want.owner.as_deref();
                    self.acl(
                        ObjectKind::Schema,
                        &[object],
                        &want.acl,
                        &Acl::default(),
                        owner,
                    );
                }
                Some(have) => {
                    if let Some(owner) = &want.owner
                        && have.owner.as_ref() != Some(owner)
                    {
                        self.push(Change::AlterOwner {
                            object: object.clone(),
                            from: have.owner.clone(),
                            to: owner.clone(),
                        });
                    }
                    self.comment(object.clone(), &want.comment, &have.comment);
                    // Strip whichever owner will hold the schema after the plan.
                    let owner = want.owner.as_deref().or(have.owner.as_deref());
                    self.acl(ObjectKind::Schema, &[object], &want.acl, &have.acl, owner);
                }
            }
        }
    }

    fn owned_schemas(&mut self) -> Result<(), DiffError> {
        let patterns = globs(&self.desired.scope.owned_schema_patterns)?;
        if patterns.is_empty() {
            return Ok(());
        }
        for name in self.live.schemas.keys() {
            if self.desired.schemas.contains_key(name) || !patterns.is_match(name) {
                continue;
            }
            let contents = self
                .live
                .relations
                .keys()
                .filter(|r| &r.schema == name)
                .count()
                + self
                    .live
                    .functions
                    .keys()
                    .filter(|f| &f.schema == name)
                    .count();
            if self.options.prune {
                self.push(Change::DropSchema {
                    name: name.clone(),
                    contents,
                });
            } else {
                let message = format!(
                    "schema matches an owned pattern but is not declared ({contents} objects); \
                     left alone (use --prune to drop it)"
                );
                self.note(NoteKind::Unexpected, ObjectRef::schema(name), message);
            }
        }
        Ok(())
    }

    /// ACLs of relations and functions inside managed schemas: the schema's object grants
    /// plus per-object grants are the whole truth.
    fn objects(&mut self) {
        let empty = Acl::default();
        // (kind, schema, desired acl, live acl, owner) → objects, so identical changes on
        // many objects become one statement.
        let mut groups: BTreeMap<AclGroup, Vec<ObjectRef>> = BTreeMap::new();
        // Relations the relational layer renames, creates or drops: it owns their grants.
        let handled = tables::relations_with_own_grants(self.desired, self.live, self.options);
        for (name, have) in &self.live.relations {
            let Some(schema) = self.desired.schemas.get(&name.schema) else {
                continue;
            };
            if handled.contains(name) {
                continue;
            }
            let kind = have.kind.object_kind();
            let declared = self.desired.relations.get(name);
            if let Some(d) = declared
                && d.kind.object_kind() != kind
            {
                let message = format!(
                    "declared as a {} but it is a {}; its per-object grants are ignored",
                    d.kind.describe(),
                    have.kind.describe()
                );
                let object = relation_ref(have);
                self.note(NoteKind::Skipped, object, message);
            }
            let base = schema.object_grants.get(&kind).unwrap_or(&empty);
            let want = match declared {
                Some(d) if d.kind.object_kind() == kind => base.union(&d.acl),
                _ => base.clone(),
            };
            let key = (
                kind,
                name.schema.clone(),
                want,
                have.acl.clone(),
                have.owner.clone(),
            );
            groups.entry(key).or_default().push(relation_ref(have));
        }
        for (id, have) in &self.live.functions {
            let Some(schema) = self.desired.schemas.get(&id.schema) else {
                continue;
            };
            let base = schema
                .object_grants
                .get(&ObjectKind::Function)
                .unwrap_or(&empty);
            let want = match self.desired.functions.get(id) {
                Some(d) => base.union(&d.acl),
                None => base.clone(),
            };
            let key = (
                ObjectKind::Function,
                id.schema.clone(),
                want,
                have.acl.clone(),
                have.owner.clone(),
            );
            groups
                .entry(key)
                .or_default()
                .push(ObjectRef::Function { id: id.clone() });
        }
        for ((kind, _, want, have, owner), objects) in groups {
            self.acl(kind, &objects, &want, &have, owner.as_deref());
        }
        for (name, d) in &self.desired.relations {
            if !self.live.relations.contains_key(name) && !handled.contains(name) {
                let message = "grants declared on an object that does not exist; skipped";
                let object = ObjectRef::Relation {
                    kind: d.kind,
                    name: name.clone(),
                };
                self.note(NoteKind::Skipped, object, message);
            }
        }
        for id in self.desired.functions.keys() {
            if !self.live.functions.contains_key(id) {
                let message = "grants declared on a function that does not exist; skipped";
                let object = ObjectRef::Function { id: id.clone() };
                self.note(NoteKind::Skipped, object, message);
            }
        }
    }

    fn default_privileges(&mut self) {
        let empty = Acl::default();
        let keys: BTreeSet<&DefaultPrivilegeKey> = self
            .desired
            .default_privileges
            .keys()
            .chain(self.live.default_privileges.keys())
            .filter(|k| self.desired.schemas.contains_key(&k.schema))
            .collect();
        for key in keys {
            let want = self.desired.default_privileges.get(key).unwrap_or(&empty);
            let have = self.live.default_privileges.get(key).unwrap_or(&empty);
            let owner = Grantee::Role(key.for_role.clone());
            // New objects get the built-in grants anyway; a schema-level default only
            // ever adds to them, so they are neither granted nor revoked here.
            let builtin = builtin_default(key.kind);
            let want = want.clone().without(&owner).minus(&builtin).normalized();
            let have = have.clone().without(&owner).minus(&builtin).normalized();
            for (grantee, grant_option, privileges) in acl_grants(&want, &have) {
                self.push(Change::AlterDefaultPrivileges {
                    key: key.clone(),
                    grantee,
                    privileges,
                    grant: true,
                    grant_option,
                });
            }
            for (grantee, grant_option_only, privileges) in acl_revokes(&want, &have) {
                self.push(Change::AlterDefaultPrivileges {
                    key: key.clone(),
                    grantee,
                    privileges,
                    grant: false,
                    grant_option: grant_option_only,
                });
            }
        }
    }

    fn acl(
        &mut self,
        kind: ObjectKind,
        objects: &[ObjectRef],
        want: &Acl,
        have: &Acl,
        owner: Option<&str>,
    ) {
        let changes = acl_changes(kind, objects.to_vec(), want, have, owner);
        self.out.changes.extend(changes);
    }
}

/// The grants and revokes that take the ACL of `objects` from `have` to `want`, leaving
/// the owner's implicit privileges out of both.
pub(crate) fn acl_changes(
    kind: ObjectKind,
    objects: Vec<ObjectRef>,
    want: &Acl,
    have: &Acl,
    owner: Option<&str>,
) -> Vec<Change> {
    let (want, have) = match owner {
        Some(o) => {
            let o = Grantee::Role(o.to_string());
            (want.clone().without(&o), have.clone().without(&o))
        }
        None => (want.clone(), have.clone()),
    };
    let target = GrantTarget { kind, objects };
    let mut out = Vec::new();
    for (grantee, with_grant_option, privileges) in acl_grants(&want, &have) {
        out.push(Change::Grant {
            target: target.clone(),
            grantee,
            privileges,
            with_grant_option,
        });
    }
    for (grantee, grant_option_only, privileges) in acl_revokes(&want, &have) {
        out.push(Change::Revoke {
            target: target.clone(),
            grantee,
            privileges,
            grant_option_only,
        });
    }
    out
}

/// Objects sharing (kind, schema, desired ACL, live ACL, owner) get one statement.
type AclGroup = (ObjectKind, String, Acl, Acl, Option<String>);

/// Grants needed to go from `have` to `want`: (grantee, with grant option, privileges).
fn acl_grants(want: &Acl, have: &Acl) -> Vec<(Grantee, bool, Vec<Privilege>)> {
    let missing = want.minus(have);
    let mut out = Vec::new();
    for (grantee, privs) in &missing.0 {
        for grantable in [false, true] {
            let ps: Vec<Privilege> = privs
                .iter()
                .filter(|(_, g)| **g == grantable)
                .map(|(p, _)| *p)
                .collect();
            if !ps.is_empty() {
                out.push((grantee.clone(), grantable, ps));
            }
        }
    }
    out
}

/// Revokes needed to go from `have` to `want`: (grantee, grant option only, privileges).
fn acl_revokes(want: &Acl, have: &Acl) -> Vec<(Grantee, bool, Vec<Privilege>)> {
    let mut out = Vec::new();
    for (grantee, privs) in &have.0 {
        let wanted = want.0.get(grantee);
        let mut full = Vec::new();
        let mut option_only = Vec::new();
        for (p, grantable) in privs {
            match wanted.and_then(|w| w.get(p)) {
                None => full.push(*p),
                Some(false) if *grantable => option_only.push(*p),
                Some(_) => {}
            }
        }
        if !full.is_empty() {
            out.push((grantee.clone(), false, full));
        }
        if !option_only.is_empty() {
            out.push((grantee.clone(), true, option_only));
        }
    }
    out
}

/// Grants PostgreSQL gives every new object of a kind when no default privilege says
/// otherwise (`acldefault`, owner excluded): `EXECUTE` to `PUBLIC` on functions.
pub fn builtin_default(kind: ObjectKind) -> Acl {
    let mut acl = Acl::default();
    if kind == ObjectKind::Function {
        acl.grant(Grantee::Public, Privilege::Execute, false);
    }
    acl
}

fn relation_ref(r: &Relation) -> ObjectRef {
    ObjectRef::Relation {
        kind: r.kind,
        name: r.name.clone(),
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet, DiffError> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|_| DiffError::BadPattern(p.clone()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| DiffError::BadPattern(e.to_string()))
}

#[cfg(test)]
mod tests;
