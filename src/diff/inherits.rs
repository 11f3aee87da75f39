//! Table inheritance (`INHERITS`): a child lists only its own columns and CHECK
//! constraints; those it inherits are its parents'. Parents removed are `NO INHERIT`
//! (what the child inherited from them becomes its own), parents added are `INHERIT`,
//! which PostgreSQL allows only when the child already has the parent's columns and
//! CHECK constraints, so they must be declared on the child too; otherwise the change is
//! refused with an `error` note.

use super::tables::TableChange;
use super::{Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// Every column of table `name` in `catalog`, those it inherits first (parent by
/// parent, as PostgreSQL orders them), then its own.
pub(super) fn all_columns(catalog: &Catalog, name: &QualifiedName) -> Vec<Column> {
    let mut out = Vec::new();
    collect_columns(catalog, name, &mut out, &mut BTreeSet::new());
    out
}

fn collect_columns(
    catalog: &Catalog,
    name: &QualifiedName,
    out: &mut Vec<Column>,
    seen: &mut BTreeSet<QualifiedName>,
) {
    if !seen.insert(name.clone()) {
        return;
    }
    let Some(t) = catalog.tables.get(name) else {
        return;
    };
    for p in &t.inherits {
        collect_columns(catalog, p, out, seen);
    }
    for c in &t.columns {
        if !out.iter().any(|o| o.name == c.name) {
            out.push(c.clone());
        }
    }
}

/// The CHECK constraints (inheritable ones) of table `name` and of its ancestors.
fn all_checks(catalog: &Catalog, name: &QualifiedName) -> Vec<Constraint> {
    let mut out: Vec<Constraint> = Vec::new();
    let mut pending = vec![name.clone()];
    let mut seen = BTreeSet::new();
    while let Some(n) = pending.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(t) = catalog.tables.get(&n) else {
            continue;
        };
        for c in t.constraints.values() {
            let inheritable = matches!(
                c.kind,
                ConstraintKind::Check {
                    no_inherit: false,
                    ..
                }
            );
            if inheritable && !out.iter().any(|o| o.name == c.name) {
                out.push(c.clone());
            }
        }
        pending.extend(t.inherits.iter().cloned());
    }
    out
}

/// The tables of `catalog` that inherit column `column` from `table` (directly or
/// through other tables) without having it as their own: adding or dropping it on
/// `table` adds or drops it there too.
pub(super) fn heirs(catalog: &Catalog, table: &QualifiedName, column: &str) -> Vec<QualifiedName> {
    let mut out = Vec::new();
    let mut pending = vec![table.clone()];
    while let Some(p) = pending.pop() {
        for (name, t) in &catalog.tables {
            if t.inherits.contains(&p) && t.column(column).is_none() && !out.contains(name) {
                out.push(name.clone());
                pending.push(name.clone());
            }
        }
    }
    out.sort();
    out
}

impl Cx<'_> {
    /// `INHERIT` / `NO INHERIT` for the parents that change, and the live table as it is
    /// once the removed parents are gone (what it inherited from them is its own then),
    /// when that differs from `have`.
    pub(super) fn inherits(&mut self, want: &Table, have: &Table) -> Option<Table> {
        if want.partition_of.is_some() || have.partition_of.is_some() {
            return None;
        }
        let name = &want.name;
        let removed: Vec<&QualifiedName> = have
            .inherits
            .iter()
            .filter(|p| !want.inherits.contains(p))
            .collect();
        let added: Vec<&QualifiedName> = want
            .inherits
            .iter()
            .filter(|p| !have.inherits.contains(p))
            .collect();
        for parent in &added {
            self.inherit(want, parent);
        }
        if removed.is_empty() {
            return None;
        }
        let kept: Vec<Column> = have
            .inherits
            .iter()
            .filter(|p| want.inherits.contains(p))
            .flat_map(|p| all_columns(self.live, p))
            .collect();
        let kept_checks: Vec<Constraint> = have
            .inherits
            .iter()
            .filter(|p| want.inherits.contains(p))
            .flat_map(|p| all_checks(self.live, p))
            .collect();
        let mut after = have.clone();
        for parent in removed {
            self.push_table(TableChange::NoInherit {
                table: name.clone(),
                parent: parent.clone(),
            });
            for c in all_columns(self.live, parent) {
                if after.column(&c.name).is_none() && !kept.iter().any(|k| k.name == c.name) {
                    let mut own = c.clone();
                    own.acl = Acl::default();
                    own.comment = None;
                    after.columns.push(own);
                }
            }
            for c in all_checks(self.live, parent) {
                if !after.constraints.contains_key(&c.name)
                    && !kept_checks.iter().any(|k| k.name == c.name)
                {
                    let mut own = c.clone();
                    own.comment = None;
                    after.constraints.insert(c.name.clone(), own);
                }
            }
        }
        Some(after)
    }

    /// The declared table with the type and collation of each column that is both its
    /// own and inherited from a parent it keeps set to the live ones: such a column
    /// takes its type from the parent (`ALTER TABLE parent … TYPE` changes it here too,
    /// PostgreSQL refuses it on the child). A declared type other than the parent's is
    /// an `error` note. `None` when no column is both.
    pub(super) fn follow_parents(&mut self, want: &Table, have: &Table) -> Option<Table> {
        let kept: Vec<&QualifiedName> = have
            .inherits
            .iter()
            .filter(|p| want.inherits.contains(p))
            .collect();
        if kept.is_empty() || want.partition_of.is_some() {
            return None;
        }
        let live_inherited: Vec<Column> = kept
            .iter()
            .flat_map(|p| all_columns(self.live, p))
            .collect();
        let declared: Vec<Column> = kept
            .iter()
            .flat_map(|p| all_columns(self.desired, p))
            .collect();
        let mut out = want.clone();
        let mut changed = false;
        for c in &mut out.columns {
            let Some(h) = have.column(&c.name) else {
                continue;
            };
            if !live_inherited.iter().any(|l| l.name == c.name) {
                continue;
            }
            if (&c.type_name, &c.collation) == (&h.type_name, &h.collation) {
                continue;
            }
            match declared.iter().find(|d| d.name == c.name) {
                Some(d) if (&d.type_name, &d.collation) == (&c.type_name, &c.collation) => {}
                _ => self.note(
                    NoteKind::Error,
                    ObjectRef::table_part(TablePart::Column, &want.name, &c.name),
                    format!(
                        "column {} of {} is inherited: its type follows the parent's; \
                         declare the same type and collation on the parent",
                        crate::sql::display_ident(&c.name),
                        want.name
                    ),
                ),
            }
            c.type_name = h.type_name.clone();
            c.collation = h.collation.clone();
            changed = true;
        }
        changed.then_some(out)
    }

    /// `INHERIT parent`, or an `error` note naming what the table must declare first.
    fn inherit(&mut self, want: &Table, parent: &QualifiedName) {
        let columns: Vec<String> = all_columns(self.desired, parent)
            .into_iter()
            .map(|c| c.name)
            .collect();
        let checks: Vec<String> = all_checks(self.desired, parent)
            .into_iter()
            .map(|c| c.name)
            .collect();
        let missing: Vec<String> = columns
            .iter()
            .filter(|c| want.column(c).is_none())
            .map(|c| format!("column {}", crate::sql::display_ident(c)))
            .chain(
                checks
                    .iter()
                    .filter(|c| !want.constraints.contains_key(*c))
                    .map(|c| format!("check {}", crate::sql::display_ident(c))),
            )
            .collect();
        if !missing.is_empty() {
            self.note(
                NoteKind::Error,
                want.object_ref(),
                format!(
                    "cannot make the existing table inherit from {parent} in place: it lacks \
                     the parent's {}, which PostgreSQL requires it to have first (they then \
                     stay its own); declare them on the table too, or drop the table and \
                     create it again with `inherits`",
                    missing.join(", ")
                ),
            );
            return;
        }
        self.push_table(TableChange::Inherit {
            table: want.name.clone(),
            parent: parent.clone(),
            columns,
            checks,
        });
    }
}
