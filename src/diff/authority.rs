//! What the role pgrecon runs as may do to roles, checked before anything runs: on a
//! managed cloud the most powerful role is not a superuser, and a change it may not make
//! must be refused at plan time, naming what is missing, rather than fail at apply.
//! Ownership of other objects is checked over the plan's steps (`plan::authority`).

use super::{Change, Diff, Note, NoteKind, ParameterTarget};
use crate::model::*;
use std::collections::BTreeSet;

/// The running role's powers over other roles, from the live catalog.
pub struct Authority<'a> {
    pub me: &'a str,
    pub superuser: bool,
    attributes: RoleAttributes,
    /// PostgreSQL 16 made `CREATEROLE` need the admin option on each role it manages.
    version: i32,
    /// Roles whose privileges the running role has: itself and, through memberships that
    /// inherit, the roles it is a member of.
    pub privileges_of: BTreeSet<String>,
    /// Roles it may `SET ROLE` to.
    pub can_set: BTreeSet<String>,
    /// Roles it holds the admin option on (through any chain of memberships), and
    /// the roles the plan creates: their creator holds it (16+).
    admin_of: BTreeSet<String>,
    /// Its `createrole_self_grant` setting (16+).
    self_grant: Option<String>,
}

impl<'a> Authority<'a> {
    /// What `me` may do; `None` when the live catalog does not know the role.
    pub fn of(live: &'a Catalog, me: &'a str) -> Option<Authority<'a>> {
        let server = live.server.as_ref()?;
        let role = live.roles.get(me)?;
        let mut a = Authority {
            me,
            superuser: role.attributes.superuser,
            attributes: role.attributes.clone(),
            version: server.version_num,
            privileges_of: BTreeSet::from([me.to_string()]),
            can_set: BTreeSet::from([me.to_string()]),
            admin_of: BTreeSet::new(),
            self_grant: role
                .settings
                .get("createrole_self_grant")
                .map(|v| v.to_string()),
        };
        // Breadth-first over memberships; a role not in the catalog (a `pg_*` role)
        // grants nothing pgrecon manages.
        let mut queue = vec![(me.to_string(), true, true)];
        let mut seen = BTreeSet::new();
        while let Some((name, inherits, sets)) = queue.pop() {
            if !seen.insert((name.clone(), inherits, sets)) {
                continue;
            }
            let Some(r) = live.roles.get(&name) else {
                continue;
            };
            for (granted, m) in &r.member_of {
                // Before 16 a membership inherits when the member role does, and
                // always allows SET ROLE.
                let inherit = m.inherit.unwrap_or(r.attributes.inherit) && inherits;
                let set = m.set.unwrap_or(true) && sets;
                if m.admin {
                    a.admin_of.insert(granted.clone());
                }
                if inherit {
                    a.privileges_of.insert(granted.clone());
                }
                if set {
                    a.can_set.insert(granted.clone());
                }
                queue.push((granted.clone(), inherit, set));
            }
        }
        // The database's owner has the privileges of `pg_database_owner` (which owns
        // `public` from PostgreSQL 15).
        if let Some(owner) = live.database.as_ref().and_then(|d| d.owner.as_ref())
            && a.privileges_of.contains(owner)
        {
            a.privileges_of.insert("pg_database_owner".to_string());
        }
        Some(a)
    }

    /// What managing role `name` needs beyond what the running role has, if anything.
    fn manage_role(&self, name: &str, live: &Catalog) -> Vec<String> {
        if live.roles.get(name).is_some_and(|r| r.attributes.superuser) {
            return vec![format!("superuser: role {} is a superuser", ident(name))];
        }
        let mut missing = Vec::new();
        if !self.attributes.createrole {
            missing.push("the CREATEROLE attribute".to_string());
        }
        if self.version >= 160000 && !self.admin_of.contains(name) {
            missing.push(self.admin_option(name));
        }
        missing
    }

    /// The roles the plan creates: their creator holds the admin option on them (16+),
    /// and, as far as its `createrole_self_grant` says, membership that inherits or may
    /// `SET ROLE`.
    pub fn add_created<'n>(&mut self, names: impl IntoIterator<Item = &'n String>) {
        let self_grant = (self.version >= 160000)
            .then(|| self.self_grant.clone())
            .flatten()
            .unwrap_or_default()
            .to_ascii_lowercase();
        for name in names {
            self.admin_of.insert(name.clone());
            if self_grant.contains("inherit") {
                self.privileges_of.insert(name.clone());
            }
            if self_grant.contains("set") {
                self.can_set.insert(name.clone());
            }
        }
    }

    fn admin_option(&self, name: &str) -> String {
        format!(
            "the admin option on role {} (`GRANT {} TO {} WITH ADMIN OPTION`)",
            ident(name),
            crate::sql::quote_ident(name),
            crate::sql::quote_ident(self.me),
        )
    }

    /// What giving a role these attributes (or taking them) needs beyond what the running
    /// role has.
    fn give_attributes(&self, to: &RoleAttributes, from: Option<&RoleAttributes>) -> Vec<String> {
        let off = RoleAttributes::default();
        let from = from.unwrap_or(&off);
        let mut missing = Vec::new();
        if to.superuser != from.superuser {
            missing.push("superuser, to give or take SUPERUSER".to_string());
        }
        // Before 16 only a superuser may give these; from 16 a role that has them may.
        let v16 = self.version >= 160000;
        let attributes = [
            (
                "REPLICATION",
                to.replication != from.replication,
                self.attributes.replication,
                false,
            ),
            (
                "BYPASSRLS",
                to.bypassrls != from.bypassrls,
                self.attributes.bypassrls,
                false,
            ),
            (
                "CREATEDB",
                to.createdb != from.createdb,
                self.attributes.createdb,
                true,
            ),
            (
                "CREATEROLE",
                to.createrole != from.createrole,
                self.attributes.createrole,
                true,
            ),
        ];
        for (what, changes, mine, before_16_too) in attributes {
            if !changes || (v16 && mine) || (!v16 && before_16_too) {
                continue;
            }
            missing.push(if v16 {
                format!("{what} itself (or superuser), to give or take {what}")
            } else {
                format!("superuser, to give or take {what}")
            });
        }
        missing
    }
}

fn ident(name: &str) -> String {
    crate::sql::display_ident(name)
}

/// Refuses, as `error` notes on `diff`, the role changes `role` may not make (the role
/// that applies: the connected one for `apply`, a named one for `plan --apply-as`).
pub fn refuse(diff: &mut Diff, live: &Catalog, role: &str) {
    let Some(mut a) = Authority::of(live, role) else {
        return;
    };
    a.add_created(diff.changes.iter().filter_map(|c| match c {
        Change::CreateRole { name, .. } => Some(name),
        _ => None,
    }));
    if a.superuser {
        return;
    }
    let mut refusals: Vec<(ObjectRef, String)> = Vec::new();
    let mut refuse = |role: &str, what: &str, missing: Vec<String>| {
        for m in missing {
            refusals.push((
                ObjectRef::role(role),
                format!("cannot {what} as {}: needs {m}", ident(a.me)),
            ));
        }
    };
    for change in &diff.changes {
        match change {
            Change::CreateRole { name, attributes } => {
                let mut missing = Vec::new();
                if !a.attributes.createrole {
                    missing.push("the CREATEROLE attribute".to_string());
                }
                missing.extend(a.give_attributes(attributes, None));
                refuse(name, "create this role", missing);
            }
            Change::AlterRole { name, from, to } => {
                let mut missing = a.manage_role(name, live);
                missing.extend(a.give_attributes(to, Some(from)));
                refuse(name, "alter this role", missing);
            }
            Change::DropRole { name, .. } => {
                refuse(name, "drop this role", a.manage_role(name, live));
            }
            Change::SetComment {
                object: ObjectRef::Role { name },
                ..
            } if name != a.me => {
                refuse(name, "comment on this role", a.manage_role(name, live));
            }
            Change::SetPassword { role, .. } if role != a.me => {
                refuse(role, "set this role's password", a.manage_role(role, live));
            }
            Change::SetParameter {
                target:
                    ParameterTarget::Role { role } | ParameterTarget::RoleInDatabase { role, .. },
                ..
            } if role != a.me => {
                refuse(
                    role,
                    "change this role's settings",
                    a.manage_role(role, live),
                );
            }
            Change::GrantMembership { role, .. }
            | Change::AlterMembership { role, .. }
            | Change::RevokeMembership { role, .. } => {
                // Before 16, CREATEROLE may grant any role but a superuser.
                let mut missing = if live.roles.get(role).is_some_and(|r| r.attributes.superuser) {
                    vec![format!("superuser: role {} is a superuser", ident(role))]
                } else if a.admin_of.contains(role)
                    || (a.version < 160000 && a.attributes.createrole)
                {
                    Vec::new()
                } else {
                    vec![a.admin_option(role)]
                };
                // From 16 a REVOKE removes only the grant its role made.
                if let Change::RevokeMembership { member, .. } = change
                    && a.version >= 160000
                {
                    let grantors = (live.roles.get(member))
                        .and_then(|m| m.granted_by.get(role))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let others: Vec<String> = (grantors.iter())
                        .filter(|g| g.as_str() != a.me)
                        .map(|g| ident(g))
                        .collect();
                    if !others.is_empty() {
                        missing.push(format!(
                            "to be the role that granted the membership of {} ({}): from \
                             PostgreSQL 16 a role revokes only the memberships it granted",
                            ident(member),
                            others.join(", ")
                        ));
                    }
                }
                refuse(role, "change the members of this role", missing);
            }
            // Only for roles whose privileges it has.
            Change::AlterDefaultPrivileges { key, .. }
                if !a.privileges_of.contains(&key.for_role) =>
            {
                let role = &key.for_role;
                let missing = vec![format!(
                    "the privileges of {} (`GRANT {} TO {}`)",
                    ident(role),
                    crate::sql::quote_ident(role),
                    crate::sql::quote_ident(a.me),
                )];
                refuse(role, "change this role's default privileges", missing);
            }
            _ => {}
        }
    }
    for (object, message) in refusals {
        diff.notes.push(Note {
            kind: NoteKind::Error,
            object,
            message,
        });
    }
}
