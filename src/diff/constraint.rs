//! Constraints: primary keys, unique, checks, exclusions and foreign keys, including the
//! foreign keys that must be re-created around a replaced key.

use super::Cx;
use super::index::{index_def_eq, index_match, unique_index_columns};
use super::rename::{Found, find_live};
use super::shared::{mentions, same_set};
use super::tables::TableChange;
use crate::model::*;
use std::collections::BTreeSet;

pub(super) fn is_foreign_key(c: &Constraint) -> bool {
    matches!(c.kind, ConstraintKind::ForeignKey { .. })
}

/// Key columns of a primary key or unique constraint.
pub(super) fn key_columns(c: &Constraint) -> Option<&[String]> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            Some(columns)
        }
        _ => None,
    }
}

pub(super) fn primary_key(t: &Table) -> Option<&Constraint> {
    t.constraints
        .values()
        .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
}

/// The primary key, unique constraint or unique index of `table` on exactly `columns`.
fn key_for(table: &Table, columns: &[String]) -> Option<String> {
    table
        .constraints
        .values()
        .find(|c| key_columns(c).is_some_and(|k| same_set(k, columns)))
        .map(|c| c.name.clone())
        .or_else(|| {
            table
                .indexes
                .values()
                .find(|i| unique_index_columns(i).is_some_and(|k| same_set(&k, columns)))
                .map(|i| i.name.clone())
        })
}

/// Whether a (translated) live constraint involves one of `columns`.
fn constraint_uses(c: &Constraint, columns: &BTreeSet<String>) -> bool {
    if columns.is_empty() {
        return false;
    }
    let named = |list: &[String]| list.iter().any(|n| columns.contains(n));
    let said = |e: &str| columns.iter().any(|n| mentions(e, n));
    match &c.kind {
        ConstraintKind::PrimaryKey {
            columns: k,
            include,
        }
        | ConstraintKind::Unique {
            columns: k,
            include,
            ..
        } => named(k) || named(include),
        ConstraintKind::ForeignKey { columns: k, .. } => named(k),
        ConstraintKind::Check { expression, .. } => said(expression),
        ConstraintKind::Exclusion {
            elements,
            predicate,
            ..
        } => {
            elements.iter().any(|e| {
                e.column.as_ref().is_some_and(|n| columns.contains(n))
                    || e.expression.as_deref().is_some_and(said)
            }) || predicate.as_deref().is_some_and(said)
        }
    }
}

fn dropped_with(columns: &BTreeSet<String>) -> String {
    let names: Vec<String> = columns
        .iter()
        .map(|c| crate::sql::display_ident(c))
        .collect();
    format!(
        "re-created: dropped with re-created column {}",
        names.join(", ")
    )
}

impl Cx<'_> {
    /// The live key a live (translated) foreign key relies on.
    pub(super) fn live_referenced_key(&self, fk: &Constraint) -> Option<String> {
        let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &fk.kind
        else {
            return None;
        };
        let live_name = self.live_names.get(references).unwrap_or(references);
        key_for(self.live_table(live_name)?, referenced_columns)
    }

    /// The declared constraint a live one corresponds to (same name, or declared with
    /// `renamed_from` = its name while the new name does not exist live).
    pub(super) fn constraint_match<'b>(
        &self,
        want_t: &'b Table,
        have: &Constraint,
    ) -> Option<&'b Constraint> {
        if let Some(w) = want_t.constraints.get(&have.name) {
            return Some(w);
        }
        want_t.constraints.values().find(|w| {
            w.renamed_from.as_deref() == Some(have.name.as_str())
                && !want_t.constraints.contains_key(&have.name)
        })
    }

    /// A foreign key's referenced columns as PostgreSQL stores them: the referenced
    /// table's primary key when none are written.
    fn resolved_kind(&self, c: &Constraint) -> ConstraintKind {
        let mut kind = c.kind.clone();
        if let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &mut kind
            && referenced_columns.is_empty()
            && let Some(cols) = self
                .desired
                .tables
                .get(references)
                .and_then(primary_key)
                .and_then(key_columns)
        {
            *referenced_columns = cols.to_vec();
        }
        kind
    }

    pub(super) fn constraint_def_eq(&self, want: &Constraint, have: &Constraint) -> bool {
        self.resolved_kind(want) == have.kind
            && want.deferrable == have.deferrable
            && want.initially_deferred == have.initially_deferred
    }

    /// The name of the referenced table's primary key, unique constraint or unique index
    /// that a foreign key relies on (its creation must come first).
    pub(super) fn referenced_key(&self, fk: &Constraint) -> Option<String> {
        let ConstraintKind::ForeignKey { references, .. } = &fk.kind else {
            return None;
        };
        let ConstraintKind::ForeignKey {
            referenced_columns, ..
        } = self.resolved_kind(fk)
        else {
            return None;
        };
        key_for(self.desired.tables.get(references)?, &referenced_columns)
    }

    /// Live foreign keys (table, name) that must be dropped and added again because the
    /// primary key, unique constraint or unique index they reference is dropped or
    /// replaced (PostgreSQL refuses to drop a key a foreign key depends on).
    pub(super) fn foreign_keys_to_recreate(&self) -> BTreeSet<(QualifiedName, String)> {
        let mut going: Vec<(QualifiedName, Vec<String>)> = Vec::new();
        for want in self.desired.tables.values() {
            if !self.desired.schemas.contains_key(&want.name.schema) {
                continue;
            }
            let have = match find_live(want, self.desired, self.live) {
                Found::Same(h) | Found::Renamed(h) => self.live_table(&h.name).unwrap_or(h),
                Found::New => continue,
            };
            for c in have.constraints.values() {
                let Some(cols) = key_columns(c) else { continue };
                let kept = self
                    .constraint_match(want, c)
                    .is_some_and(|w| self.constraint_def_eq(w, c));
                if !kept {
                    going.push((want.name.clone(), cols.to_vec()));
                }
            }
            for i in have.indexes.values() {
                let Some(cols) = unique_index_columns(i) else {
                    continue;
                };
                let kept = index_match(want, i).is_some_and(|w| index_def_eq(w, i));
                if !kept {
                    going.push((want.name.clone(), cols));
                }
            }
        }
        let mut out = BTreeSet::new();
        for name in self.live.tables.keys() {
            let Some(t) = self.live_table(name) else {
                continue;
            };
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    references,
                    referenced_columns,
                    ..
                } = &c.kind
                    && going.iter().any(|(table, cols)| {
                        table == references && same_set(cols, referenced_columns)
                    })
                {
                    out.insert((name.clone(), c.name.clone()));
                }
            }
        }
        out
    }

    fn add_constraint(&mut self, want_t: &Table, c: &Constraint, reason: Option<String>) {
        let partitioned = want_t.partition_by.is_some();
        // Declared `not_valid`: added NOT VALID and never validated (existing rows stay
        // unchecked). Otherwise a check or foreign key is added NOT VALID and validated
        // next (a weaker lock while existing rows are scanned).
        let declared_not_valid = !c.validated;
        let not_valid = declared_not_valid
            || (!partitioned
                && matches!(
                    c.kind,
                    ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
                ));
        self.push_table(TableChange::AddConstraint {
            table: want_t.name.clone(),
            constraint: c.clone(),
            not_valid,
            new_table: false,
            referenced_key: self.referenced_key(c),
            reason,
        });
        if not_valid && !declared_not_valid {
            self.push_table(TableChange::ValidateConstraint {
                table: want_t.name.clone(),
                constraint: c.clone(),
            });
        }
    }

    pub(super) fn constraints(
        &mut self,
        want_t: &Table,
        have_t: &Table,
        mut drop_not_null: Vec<String>,
        recreate_fks: &BTreeSet<(QualifiedName, String)>,
        recreated: &BTreeSet<String>,
    ) {
        let t = &want_t.name;
        let mut matched: BTreeSet<&str> = BTreeSet::new();
        let mut adds: Vec<(&Constraint, Option<String>)> = Vec::new();
        // Constraints on a re-created column go with it (DROP COLUMN drops them).
        let gone = |c: &Constraint| constraint_uses(c, recreated);
        for want in want_t.constraints.values() {
            let have = have_t.constraints.get(&want.name).or_else(|| {
                let old = want.renamed_from.as_deref()?;
                if want_t.constraints.contains_key(old) {
                    return None;
                }
                have_t.constraints.get(old)
            });
            let Some(have) = have else {
                adds.push((want, None));
                continue;
            };
            matched.insert(have.name.as_str());
            if gone(have) {
                adds.push((want, Some(dropped_with(recreated))));
                continue;
            }
            let reason = if !self.constraint_def_eq(want, have) {
                Some(None)
            } else if recreate_fks.contains(&(have_t.name.clone(), have.name.clone())) {
                Some(Some(
                    "re-created: the key it references is replaced".to_string(),
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                let is_pk = matches!(have.kind, ConstraintKind::PrimaryKey { .. });
                self.push_table(TableChange::DropConstraint {
                    table: t.clone(),
                    constraint: have.clone(),
                    drop_not_null: if is_pk {
                        std::mem::take(&mut drop_not_null)
                    } else {
                        Vec::new()
                    },
                    referenced_key: self.live_referenced_key(have),
                    reason: reason.clone(),
                });
                adds.push((want, reason));
                continue;
            }
            if have.name != want.name {
                self.push_table(TableChange::RenameConstraint {
                    table: t.clone(),
                    from: have.name.clone(),
                    to: want.name.clone(),
                });
            }
            // Added NOT VALID and never validated: existing rows were never checked. A
            // live validated constraint declared `not_valid` is left as it is: it holds for
            // every row, and PostgreSQL cannot un-validate it in place (dropping and adding
            // it NOT VALID would weaken the schema for nothing).
            if want.validated && !have.validated {
                self.push_table(TableChange::ValidateConstraint {
                    table: t.clone(),
                    constraint: want.clone(),
                });
            }
            let object = ObjectRef::table_part(TablePart::Constraint, t, &want.name);
            self.comment(object, &want.comment, &have.comment);
        }
        for have in have_t.constraints.values() {
            if matched.contains(have.name.as_str()) || gone(have) {
                continue;
            }
            let is_pk = matches!(have.kind, ConstraintKind::PrimaryKey { .. });
            self.push_table(TableChange::DropConstraint {
                table: t.clone(),
                constraint: have.clone(),
                drop_not_null: if is_pk {
                    std::mem::take(&mut drop_not_null)
                } else {
                    Vec::new()
                },
                referenced_key: self.live_referenced_key(have),
                reason: None,
            });
        }
        for (want, reason) in adds {
            self.add_constraint(want_t, want, reason);
        }
    }
}
