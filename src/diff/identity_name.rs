//! The name of a new identity column's sequence: the one PostgreSQL would choose for an
//! implicit sequence, given what the schema holds once the plan has run.

use super::column::object_name;
use super::constraint::key_columns;
use super::undeclared::{undeclared_sequences, undeclared_tables};
use crate::model::*;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

/// PostgreSQL's `ChooseRelationName(table, column, "seq")`: `<table>_<column>_seq`, or
/// `…_seq1`, `…_seq2`, … while a relation keeps the name: one the desired state declares
/// (table, view, sequence, index or key constraint), or a live one the plan leaves in
/// place. A live one the plan drops frees its name (the drop runs first).
///
/// The names taken are gathered once, for every schema in one walk of both catalogs, on
/// the first call: a plan creating thousands of identity columns asks thousands of times.
pub struct IdentityNames<'a> {
    desired: &'a Catalog,
    live: &'a Catalog,
    prune: bool,
    taken: OnceCell<HashMap<&'a str, HashSet<&'a str>>>,
}

impl<'a> IdentityNames<'a> {
    pub fn new(desired: &'a Catalog, live: &'a Catalog, prune: bool) -> Self {
        IdentityNames {
            desired,
            live,
            prune,
            taken: OnceCell::new(),
        }
    }

    /// The sequence PostgreSQL names for a new identity column `column` of `table`.
    pub fn sequence_for(&self, table: &QualifiedName, column: &str) -> QualifiedName {
        let schema = &table.schema;
        let taken = self
            .taken
            .get_or_init(|| taken_names(self.desired, self.live, self.prune));
        let in_schema = taken.get(schema.as_str());
        let mut label = "seq".to_string();
        let mut pass = 0;
        loop {
            let name = object_name(&table.name, column, &label);
            if !in_schema.is_some_and(|t| t.contains(name.as_str())) {
                return QualifiedName::new(schema.clone(), name);
            }
            pass += 1;
            label = format!("seq{pass}");
        }
    }
}

/// Relation names taken in each schema once the plan has run.
fn taken_names<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
    prune: bool,
) -> HashMap<&'a str, HashSet<&'a str>> {
    let mut taken: HashMap<&'a str, HashSet<&'a str>> = HashMap::new();
    let mut take = |n: &'a QualifiedName| {
        taken
            .entry(n.schema.as_str())
            .or_default()
            .insert(n.name.as_str());
    };
    // A sequence the desired state only grants on is not declared: it is either live
    // (counted below) or an identity's own sequence, whose name is the one being chosen.
    let declared_relations = desired
        .relations
        .values()
        .filter(|r| r.kind != RelationKind::Sequence)
        .map(|r| &r.name);
    declared_relations
        .chain(desired.tables.keys())
        .chain(desired.sequences.keys())
        .chain(desired.views.keys())
        .for_each(&mut take);
    let take_keys = |taken: &mut HashMap<&'a str, HashSet<&'a str>>, t: &'a Table| {
        let names = taken.entry(t.name.schema.as_str()).or_default();
        names.extend(t.indexes.keys().map(String::as_str));
        names.extend(
            t.constraints
                .values()
                .filter(|c| {
                    key_columns(c).is_some() || matches!(c.kind, ConstraintKind::Exclusion { .. })
                })
                .map(|c| c.name.as_str()),
        );
    };
    for t in desired.tables.values() {
        take_keys(&mut taken, t);
    }
    // Live relations the plan drops: undeclared tables and sequences with --prune, and
    // the indexes of tables that are declared (what they keep is declared).
    let mut dropped: HashSet<&QualifiedName> = HashSet::new();
    if prune {
        dropped.extend(undeclared_tables(desired, live).map(|t| &t.name));
        dropped.extend(undeclared_sequences(desired, live).map(|s| &s.name));
    }
    for n in live.relations.keys().filter(|n| !dropped.contains(n)) {
        taken
            .entry(n.schema.as_str())
            .or_default()
            .insert(n.name.as_str());
    }
    for t in live.tables.values() {
        if dropped.contains(&t.name) || desired.tables.contains_key(&t.name) {
            continue;
        }
        take_keys(&mut taken, t);
    }
    taken
}
