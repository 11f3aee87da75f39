//! Tables as a whole: create (without foreign keys, indexes, policies: separate changes),
//! rename, logged, partitioning, row-level security, owner; then each part of an existing
//! table through its own kind.

use super::constraint::is_foreign_key;
use super::identity_name::IdentityNames;
use super::rename::{Found, column_match, find_live};
use super::tables::TableChange;
use super::undeclared::{undeclared_sequences, undeclared_tables};
use super::{Cx, DiffOptions, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// Live and desired relation names whose grants the relational kinds plan (created,
/// renamed or pruned there), so that `objects()` neither grants on them nor calls them
/// missing.
pub(super) fn relations_with_own_grants(
    desired: &Catalog,
    live: &Catalog,
    options: &DiffOptions,
    identity_names: &IdentityNames<'_>,
) -> BTreeSet<QualifiedName> {
    let mut out = BTreeSet::new();
    for (name, want) in &desired.tables {
        if !desired.schemas.contains_key(&name.schema) {
            continue;
        }
        match find_live(want, desired, live) {
            Found::Same(have) => {
                for c in &want.columns {
                    let had_identity =
                        column_match(want, have, c).is_some_and(|h| h.identity.is_some());
                    if c.identity.is_some() && !had_identity {
                        out.insert(identity_names.sequence_for(name, &c.name));
                    }
                }
            }
            Found::Renamed(have) => {
                out.insert(have.name.clone());
                out.insert(name.clone());
            }
            Found::New => {
                out.insert(name.clone());
                if want.partition_of.is_none() {
                    for c in want.columns.iter().filter(|c| c.identity.is_some()) {
                        out.insert(identity_names.sequence_for(name, &c.name));
                    }
                }
            }
        }
    }
    for name in desired.sequences.keys() {
        if desired.schemas.contains_key(&name.schema) && !live.sequences.contains_key(name) {
            out.insert(name.clone());
        }
    }
    out.extend(super::view::views_with_own_grants(desired, live, options));
    if options.prune {
        out.extend(undeclared_tables(desired, live).map(|t| t.name.clone()));
        out.extend(undeclared_sequences(desired, live).map(|s| s.name.clone()));
    }
    out
}

impl Cx<'_> {
    pub(super) fn tables(&mut self) {
        let desired = self.desired;
        let recreate_fks = self.foreign_keys_to_recreate();
        for (name, want) in &desired.tables {
            if !self.desired.schemas.contains_key(&name.schema) {
                self.note(
                    NoteKind::Skipped,
                    want.object_ref(),
                    format!(
                        "declared in schema {} which is not declared; skipped",
                        crate::sql::display_ident(&name.schema)
                    ),
                );
                continue;
            }
            match find_live(want, self.desired, self.live) {
                Found::New => self.create_table(want),
                Found::Same(have) => {
                    let have = self.live_table(&have.name).unwrap_or(have);
                    self.alter_table(want, have, &recreate_fks);
                }
                Found::Renamed(have) => {
                    self.push_table(TableChange::RenameTable {
                        from: have.name.clone(),
                        to: name.name.clone(),
                    });
                    let have = self.live_table(&have.name).unwrap_or(have);
                    self.alter_table(want, have, &recreate_fks);
                }
            }
        }
    }

    fn create_table(&mut self, want: &Table) {
        let name = &want.name;
        let owner = self
            .desired
            .relations
            .get(name)
            .and_then(|r| r.owner.clone());
        let mut table = want.clone();
        // Foreign keys go after every table is created. A check declared `not_valid` goes
        // after the table too, added NOT VALID: inline in CREATE TABLE, PostgreSQL would
        // mark it validated (the table is empty), and the declared state says it is not.
        let added_after = |c: &Constraint| is_foreign_key(c) || !c.validated;
        let foreign_keys: Vec<Constraint> = table
            .constraints
            .values()
            .filter(|c| added_after(c))
            .cloned()
            .collect();
        table.constraints.retain(|_, c| !added_after(c));
        let indexes = std::mem::take(&mut table.indexes);
        let policies = std::mem::take(&mut table.policies);
        let triggers = std::mem::take(&mut table.triggers);
        let partition = want.partition_of.is_some();
        if partition {
            // A partition's columns are its parent's.
            table.columns.clear();
        }
        let identity_sequences: Vec<(String, QualifiedName)> = table
            .columns
            .iter()
            .filter(|c| c.identity.is_some())
            .map(|c| (c.name.clone(), self.identity_sequence_for(name, &c.name)))
            .collect();
        self.push_table(TableChange::CreateTable {
            table: Box::new(table),
            owner: owner.clone(),
            identity_sequences: identity_sequences.clone(),
        });
        for fk in foreign_keys {
            let referenced_key = self.referenced_key(&fk);
            self.push_table(TableChange::AddConstraint {
                table: name.clone(),
                not_valid: !fk.validated,
                constraint: fk,
                new_table: true,
                referenced_key,
                reason: None,
            });
        }
        for index in indexes.into_values() {
            self.push_table(TableChange::CreateIndex {
                table: name.clone(),
                index,
                concurrently: false,
                new_table: true,
            });
        }
        for policy in policies.into_values() {
            self.push_table(TableChange::CreatePolicy {
                table: name.clone(),
                policy,
            });
        }
        for trigger in triggers.values() {
            self.create_trigger(name, trigger);
        }
        let owner = self.new_owner(owner.as_ref()).map(str::to_string);
        let acl = self.wanted_acl(name, ObjectKind::Table);
        let from = self.created_acl(&name.schema, ObjectKind::Table);
        self.relation_acl(want.object_ref(), &acl, &from, owner.as_deref());
        for (_, seq) in identity_sequences {
            let acl = self.wanted_acl(&seq, ObjectKind::Sequence);
            let from = self.created_acl(&seq.schema, ObjectKind::Sequence);
            let object = ObjectRef::Relation {
                kind: RelationKind::Sequence,
                name: seq,
            };
            self.relation_acl(object, &acl, &from, owner.as_deref());
        }
        if !partition {
            let columns: Vec<(String, Acl, Acl)> = want
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.acl.clone(), Acl::default()))
                .collect();
            self.column_acls(name, None, &columns);
        }
    }

    fn alter_table(
        &mut self,
        want: &Table,
        have: &Table,
        recreate_fks: &BTreeSet<(QualifiedName, String)>,
    ) {
        let name = &want.name;
        let renamed = have.name != want.name;
        if want.unlogged != have.unlogged {
            self.push_table(TableChange::SetLogged {
                table: name.clone(),
                unlogged: want.unlogged,
            });
        }
        if want.partition_by != have.partition_by {
            self.note(
                NoteKind::Error,
                want.object_ref(),
                format!(
                    "cannot change how a table is partitioned in place ({} → {}); nothing \
                     planned for it",
                    have.partition_by.as_deref().unwrap_or("not partitioned"),
                    want.partition_by.as_deref().unwrap_or("not partitioned")
                ),
            );
        }
        if want.partition_of != have.partition_of {
            if let Some(h) = &have.partition_of {
                self.push_table(TableChange::DetachPartition {
                    table: name.clone(),
                    parent: h.parent.clone(),
                });
            }
            if let Some(w) = &want.partition_of {
                self.push_table(TableChange::AttachPartition {
                    table: name.clone(),
                    parent: w.parent.clone(),
                    bound: w.bound.clone(),
                });
            }
        }
        // Once the parents it loses are gone, what it inherited from them is its own.
        let after_no_inherit = self.inherits(want, have);
        let have = after_no_inherit.as_ref().unwrap_or(have);
        // A column also inherited takes its type from the parent.
        let following = self.follow_parents(want, have);
        let want = following.as_ref().unwrap_or(want);
        let partition = want.partition_of.is_some() || have.partition_of.is_some();
        let (drop_not_null, recreated) = self.columns(want, have, partition);
        self.constraints(want, have, drop_not_null, recreate_fks, &recreated);
        self.indexes(want, have, &recreated);
        let enable =
            (want.row_level_security != have.row_level_security).then_some(want.row_level_security);
        let force = (want.force_row_level_security != have.force_row_level_security)
            .then_some(want.force_row_level_security);
        if enable.is_some() || force.is_some() {
            self.push_table(TableChange::SetRowSecurity {
                table: name.clone(),
                enable,
                force,
            });
        }
        self.policies(want, have);
        self.triggers(want, have);
        self.comment(want.object_ref(), &want.comment, &have.comment);
        let want_owner = self
            .desired
            .relations
            .get(name)
            .and_then(|r| r.owner.as_ref());
        let have_rel = self.live.relations.get(&have.name);
        let have_owner = have_rel.and_then(|r| r.owner.as_ref());
        self.owner(want.object_ref(), want_owner, have_owner);
        if renamed {
            // `objects()` skips the old name: the grants follow the table here.
            let acl = self.wanted_acl(name, ObjectKind::Table);
            let have_acl = have_rel.map(|r| r.acl.clone()).unwrap_or_default();
            let owner = want_owner.or(have_owner).cloned();
            self.relation_acl(want.object_ref(), &acl, &have_acl, owner.as_deref());
        }
    }
}
