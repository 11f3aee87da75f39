//! Indexes: created, dropped, replaced when their definition changes, renamed, storage
//! parameters altered in place.

use super::Cx;
use super::shared::mentions;
use super::tables::TableChange;
use crate::model::*;
use std::collections::BTreeSet;

/// Key columns of a unique index that a foreign key can reference (no predicate, no
/// expression).
pub(super) fn unique_index_columns(i: &Index) -> Option<Vec<String>> {
    if !i.unique || i.predicate.is_some() {
        return None;
    }
    i.keys.iter().map(|k| k.column.clone()).collect()
}

/// An index key with NULLS ordering resolved (`None` = the direction's default).
fn index_key_eq(a: &IndexKey, b: &IndexKey) -> bool {
    a.column == b.column
        && a.expression == b.expression
        && a.opclass == b.opclass
        && a.collation == b.collation
        && a.descending == b.descending
        && a.nulls_first.unwrap_or(a.descending) == b.nulls_first.unwrap_or(b.descending)
}

/// Definition equality of two indexes: everything but the name, the storage parameters
/// (altered in place) and the desired-only fields.
pub(super) fn index_def_eq(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.method == b.method
        && a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| index_key_eq(x, y))
        && a.include == b.include
        && a.predicate == b.predicate
}

/// Whether a (translated) live index involves one of `columns`.
fn index_uses(i: &Index, columns: &BTreeSet<String>) -> bool {
    if columns.is_empty() {
        return false;
    }
    let said = |e: &str| columns.iter().any(|n| mentions(e, n));
    i.keys.iter().any(|k| {
        k.column.as_ref().is_some_and(|n| columns.contains(n))
            || k.expression.as_deref().is_some_and(said)
    }) || i.include.iter().any(|n| columns.contains(n))
        || i.predicate.as_deref().is_some_and(said)
}

/// The declared index a live one corresponds to.
pub(super) fn index_match<'b>(want_t: &'b Table, have: &Index) -> Option<&'b Index> {
    if let Some(w) = want_t.indexes.get(&have.name) {
        return Some(w);
    }
    want_t.indexes.values().find(|w| {
        w.renamed_from.as_deref() == Some(have.name.as_str())
            && !want_t.indexes.contains_key(&have.name)
    })
}

impl Cx<'_> {
    pub(super) fn indexes(&mut self, want_t: &Table, have_t: &Table, recreated: &BTreeSet<String>) {
        let t = &want_t.name;
        let mut matched: BTreeSet<&str> = BTreeSet::new();
        // Indexes that call a routine dropped and created again are built again with it.
        let calls_rebuilt: BTreeSet<String> =
            super::routine::rebuilt_indexes(self.desired, self.live)
                .into_iter()
                .filter(|u| &u.table == t)
                .map(|u| u.name)
                .collect();
        // Indexes on a re-created column go with it (DROP COLUMN drops them).
        let gone = |i: &Index| index_uses(i, recreated);
        for want in want_t.indexes.values() {
            let have = have_t.indexes.get(&want.name).or_else(|| {
                let old = want.renamed_from.as_deref()?;
                if want_t.indexes.contains_key(old) {
                    return None;
                }
                have_t.indexes.get(old)
            });
            let Some(have) = have else {
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            };
            matched.insert(have.name.as_str());
            if gone(have) {
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            }
            // An invalid index (an interrupted concurrent build) is never used by the
            // planner: drop it and build it again.
            if !index_def_eq(want, have) || !have.valid || calls_rebuilt.contains(&have.name) {
                self.push_table(TableChange::DropIndex {
                    table: t.clone(),
                    index: have.clone(),
                });
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            }
            if have.name != want.name {
                self.push_table(TableChange::RenameIndex {
                    table: t.clone(),
                    from: have.name.clone(),
                    to: want.name.clone(),
                });
            }
            if want.with != have.with {
                self.push_table(TableChange::SetIndexStorage {
                    table: t.clone(),
                    index: want.name.clone(),
                    from: have.with.clone(),
                    to: want.with.clone(),
                });
            }
            let object = ObjectRef::table_part(TablePart::Index, t, &want.name);
            self.comment(object, &want.comment, &have.comment);
        }
        for have in have_t.indexes.values() {
            if !matched.contains(have.name.as_str()) && !gone(have) {
                self.push_table(TableChange::DropIndex {
                    table: t.clone(),
                    index: have.clone(),
                });
            }
        }
    }
}
