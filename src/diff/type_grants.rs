//! Grants on enums, domains, composite and range types (`USAGE`).
//!
//! A type's grants are managed only when declared: on the type itself (`grants`) or for
//! every type of its schema (`type_grants`), or when its schema is managed whole
//! (`manage_all`, where none declared means PostgreSQL's default). Then the declared set is the whole truth
//! (`PUBLIC`'s default `USAGE` is revoked unless declared); otherwise its ACL is left
//! alone. Runs after the types are diffed: a type created (or a range type dropped and
//! created again) here starts from PostgreSQL's default, a dropped one needs nothing.

use super::acl::builtin_default;
use super::tables::TableChange;
use super::user_types::TypeChange;
use super::{Change, Cx};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// One type on either side: its declared grants (desired) or its ACL (live), and owner.
struct Side<'a> {
    kind: TypeKind,
    acl: Option<&'a Acl>,
    owner: Option<&'a String>,
}

fn side<'a>(kind: TypeKind, acl: &'a Option<Acl>, owner: &'a Option<String>) -> Side<'a> {
    Side {
        kind,
        acl: acl.as_ref(),
        owner: owner.as_ref(),
    }
}

fn types_of(c: &Catalog) -> BTreeMap<&QualifiedName, Side<'_>> {
    let enums = c
        .enums
        .iter()
        .map(|(n, t)| (n, side(TypeKind::Enum, &t.acl, &t.owner)));
    let domains = c
        .domains
        .iter()
        .map(|(n, t)| (n, side(TypeKind::Domain, &t.acl, &t.owner)));
    let composites =
        (c.composite_types.iter()).map(|(n, t)| (n, side(TypeKind::Composite, &t.acl, &t.owner)));
    let ranges = (c.range_types.iter()).map(|(n, t)| (n, side(TypeKind::Range, &t.acl, &t.owner)));
    enums
        .chain(domains)
        .chain(composites)
        .chain(ranges)
        .collect()
}

impl Cx<'_> {
    /// The changes planned so far that create (or drop and create again) a type, and
    /// those that drop one.
    fn planned_types(&self) -> (BTreeSet<QualifiedName>, BTreeSet<QualifiedName>) {
        let (mut created, mut dropped) = (BTreeSet::new(), BTreeSet::new());
        for change in &self.out.changes {
            match change {
                Change::Table(t) => match &**t {
                    TableChange::CreateEnum { enum_type } => {
                        created.insert(enum_type.name.clone());
                    }
                    TableChange::CreateDomain { domain } => {
                        created.insert(domain.name.clone());
                    }
                    TableChange::DropType { name, .. } => {
                        dropped.insert(name.clone());
                    }
                    _ => {}
                },
                Change::Type(t) => match &**t {
                    TypeChange::CreateComposite { composite } => {
                        created.insert(composite.name.clone());
                    }
                    TypeChange::CreateRange { range } => {
                        created.insert(range.name.clone());
                    }
                    TypeChange::ReplaceRange { to, .. } => {
                        created.insert(to.name.clone());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        (created, dropped)
    }

    pub(super) fn type_grants(&mut self) {
        let (desired, live) = (self.desired, self.live);
        let (created, dropped) = self.planned_types();
        let wanted = types_of(desired);
        let have = types_of(live);
        let names: BTreeSet<&QualifiedName> = wanted.keys().chain(have.keys()).copied().collect();
        let builtin = builtin_default(ObjectKind::Type);
        // (schema, desired acl, acl it starts from, owner) → types, so identical changes
        // on several types become one statement.
        let mut groups: BTreeMap<(String, Acl, Acl, Option<String>), Vec<ObjectRef>> =
            BTreeMap::new();
        for name in names {
            let Some(schema) = desired.schemas.get(&name.schema) else {
                continue;
            };
            if dropped.contains(name) {
                continue;
            }
            let want = wanted.get(name);
            let base = schema.object_grants.get(&ObjectKind::Type);
            let own = want.and_then(|w| w.acl);
            let acl = match (base, own) {
                // Managed whole: no grants declared means PostgreSQL's default.
                (None, None) if schema.manage_all => builtin.clone(),
                (None, None) => continue,
                (Some(b), Some(o)) => b.union(o),
                (Some(one), None) | (None, Some(one)) => one.clone(),
            };
            let (kind, from, owner) = match (want, have.get(name)) {
                (Some(w), _) if created.contains(name) => {
                    let owner = self.new_owner(w.owner).map(str::to_string);
                    (
                        w.kind,
                        self.created_acl(&name.schema, ObjectKind::Type),
                        owner,
                    )
                }
                (Some(w), Some(h)) => (w.kind, h.acl.unwrap_or(&builtin).clone(), h.owner.cloned()),
                (None, Some(h)) => (h.kind, h.acl.unwrap_or(&builtin).clone(), h.owner.cloned()),
                // Declared but neither live nor created (its definition cannot be
                // changed): nothing to grant on.
                (_, None) => continue,
            };
            let object = ObjectRef::Type {
                kind,
                name: name.clone(),
            };
            let key = (name.schema.clone(), acl, from, owner);
            groups.entry(key).or_default().push(object);
        }
        for ((_, want, have, owner), objects) in groups {
            self.acl(ObjectKind::Type, &objects, &want, &have, owner.as_deref());
        }
    }
}
