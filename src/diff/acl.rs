//! Grants and revokes: object ACLs (the schema's object grants plus per-object grants
//! are the whole truth), default privileges, and column privileges.

use super::table::relations_with_own_grants;
use super::tables::TableChange;
use super::{Change, Cx, GrantTarget, NoteKind};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

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

/// `have` without what `revokes` take away (a privilege, or only its grant option).
fn after_revokes(have: &Acl, revokes: &[(Grantee, bool, Vec<Privilege>)]) -> Acl {
    let mut out = have.clone();
    for (grantee, option_only, privileges) in revokes {
        let Some(held) = out.0.get_mut(grantee) else {
            continue;
        };
        for p in privileges {
            if !*option_only {
                held.remove(p);
            } else if let Some(grantable) = held.get_mut(p) {
                *grantable = false;
            }
        }
    }
    out.normalized()
}

/// Grants PostgreSQL gives every new object of a kind when no default privilege says
/// otherwise (`acldefault`, owner excluded): `EXECUTE` to `PUBLIC` on functions, `USAGE`
/// to `PUBLIC` on types.
pub fn builtin_default(kind: ObjectKind) -> Acl {
    let mut acl = Acl::default();
    match kind {
        ObjectKind::Function => acl.grant(Grantee::Public, Privilege::Execute, false),
        ObjectKind::Type => acl.grant(Grantee::Public, Privilege::Usage, false),
        _ => {}
    }
    acl
}

fn relation_ref(r: &Relation) -> ObjectRef {
    ObjectRef::Relation {
        kind: r.kind,
        name: r.name.clone(),
    }
}

impl Cx<'_> {
    /// ACLs of relations and functions inside managed schemas: the schema's object grants
    /// plus per-object grants are the whole truth.
    pub(super) fn objects(&mut self) {
        let empty = Acl::default();
        // (kind, schema, desired acl, live acl, owner) → objects, so identical changes on
        // many objects become one statement.
        let mut groups: BTreeMap<AclGroup, Vec<ObjectRef>> = BTreeMap::new();
        // Relations the relational layer renames, creates or drops: it owns their grants.
        let handled =
            relations_with_own_grants(self.desired, self.live, self.options, &self.identity_names);
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
        let rebuilt =
            super::routine::functions_with_own_grants(self.desired, self.live, self.options);
        for (id, have) in &self.live.functions {
            let Some(schema) = self.desired.schemas.get(&id.schema) else {
                continue;
            };
            if rebuilt.contains(id) {
                continue;
            }
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
        for (id, d) in &self.desired.functions {
            if d.definition.is_none() && !self.live.functions.contains_key(id) {
                let message = "grants declared on a function that does not exist; skipped";
                let object = ObjectRef::Function { id: id.clone() };
                self.note(NoteKind::Skipped, object, message);
            }
        }
    }

    pub(super) fn default_privileges(&mut self) {
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

    pub(super) fn acl(
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

    /// Grants and revokes that take one relation's ACL from `have` to `want`.
    pub(super) fn relation_acl(
        &mut self,
        object: ObjectRef,
        want: &Acl,
        have: &Acl,
        owner: Option<&str>,
    ) {
        let ObjectRef::Relation { kind, .. } = &object else {
            return;
        };
        let kind = kind.object_kind();
        let changes = acl_changes(kind, vec![object], want, have, owner);
        self.out.changes.extend(changes);
    }

    /// The ACL PostgreSQL gives an object of `kind` that this plan creates in `schema`:
    /// the built-in grants plus the schema's live default privileges of the role that
    /// creates it (the connected role; its own entry becomes the owner's, left out).
    /// The plan's default privilege changes run after every create, so the live ones
    /// are those in effect.
    pub(super) fn created_acl(&self, schema: &str, kind: ObjectKind) -> Acl {
        let builtin = builtin_default(kind);
        let Some(creator) = self.current_user else {
            return builtin;
        };
        let key = DefaultPrivilegeKey {
            for_role: creator.to_string(),
            schema: schema.to_string(),
            kind,
        };
        match self.live.default_privileges.get(&key) {
            Some(defaults) => builtin
                .union(
                    &defaults
                        .clone()
                        .without(&Grantee::Role(creator.to_string())),
                )
                .normalized(),
            None => builtin,
        }
    }

    /// The ACL a relation must carry: its schema's grants for the kind plus its own.
    pub(super) fn wanted_acl(&self, name: &QualifiedName, kind: ObjectKind) -> Acl {
        let base = self
            .desired
            .schemas
            .get(&name.schema)
            .and_then(|s| s.object_grants.get(&kind))
            .cloned()
            .unwrap_or_default();
        match self.desired.relations.get(name) {
            Some(d) if d.kind.object_kind() == kind => base.union(&d.acl),
            _ => base,
        }
    }

    /// Column grants and revokes, grouped per (grantee, privileges, option) into one
    /// statement over several columns.
    /// A table-level `REVOKE` takes the privilege off every column too: `live` names the
    /// existing table (as it is before a rename), whose column privileges are read as
    /// they are after this plan's table-level revokes, so a kept one is granted again
    /// (after the revoke, see the plan's ordering).
    pub(super) fn column_acls(
        &mut self,
        table: &QualifiedName,
        live: Option<&QualifiedName>,
        columns: &[(String, Acl, Acl)],
    ) {
        type Group = (Grantee, bool, Vec<Privilege>);
        let mut grants: BTreeMap<Group, Vec<String>> = BTreeMap::new();
        let mut revokes: BTreeMap<Group, Vec<String>> = BTreeMap::new();
        let table_revokes = live.map_or_else(Vec::new, |l| self.table_revokes(table, l));
        for (column, want, have) in columns {
            let have = &after_revokes(have, &table_revokes);
            for (g, wgo, ps) in acl_grants(want, have) {
                grants.entry((g, wgo, ps)).or_default().push(column.clone());
            }
            for (g, only, ps) in acl_revokes(want, have) {
                revokes
                    .entry((g, only, ps))
                    .or_default()
                    .push(column.clone());
            }
        }
        for ((grantee, with_grant_option, privileges), columns) in grants {
            self.push_table(TableChange::GrantColumns {
                table: table.clone(),
                columns,
                grantee,
                privileges,
                with_grant_option,
            });
        }
        for ((grantee, grant_option_only, privileges), columns) in revokes {
            self.push_table(TableChange::RevokeColumns {
                table: table.clone(),
                columns,
                grantee,
                privileges,
                grant_option_only,
            });
        }
    }

    /// The table-level revokes that take the live table `live` to the ACL `table` must
    /// carry (as `objects()` or a rename plans them).
    fn table_revokes(
        &self,
        table: &QualifiedName,
        live: &QualifiedName,
    ) -> Vec<(Grantee, bool, Vec<Privilege>)> {
        let Some(have) = self.live.relations.get(live) else {
            return Vec::new();
        };
        if have.kind.object_kind() != ObjectKind::Table {
            return Vec::new();
        }
        let want = self.wanted_acl(table, ObjectKind::Table);
        let owner = (self.desired.relations.get(table))
            .and_then(|r| r.owner.as_ref())
            .or(have.owner.as_ref());
        let (want, have) = match owner {
            Some(o) => {
                let o = Grantee::Role(o.clone());
                (want.without(&o), have.acl.clone().without(&o))
            }
            None => (want, have.acl.clone()),
        };
        acl_revokes(&want, &have)
    }

    /// Grants on the sequence of an identity column this plan creates.
    pub(super) fn identity_sequence_acl(&mut self, table: &QualifiedName, sequence: QualifiedName) {
        let owner = self
            .desired
            .relations
            .get(table)
            .and_then(|r| r.owner.clone())
            .or_else(|| self.live.relations.get(table).and_then(|r| r.owner.clone()))
            .or_else(|| self.current_user.map(str::to_string));
        let acl = self.wanted_acl(&sequence, ObjectKind::Sequence);
        let from = self.created_acl(&sequence.schema, ObjectKind::Sequence);
        let object = ObjectRef::Relation {
            kind: RelationKind::Sequence,
            name: sequence,
        };
        self.relation_acl(object, &acl, &from, owner.as_deref());
    }
}
