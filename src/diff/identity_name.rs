//! The name of a new identity column's sequence: the one PostgreSQL would choose for an
//! implicit sequence, given what the schema holds once the plan has run.

use super::column::object_name;
use super::constraint::key_columns;
use super::undeclared::{undeclared_sequences, undeclared_tables};
use crate::model::*;
use std::collections::BTreeSet;

/// PostgreSQL's `ChooseRelationName(table, column, "seq")`: `<table>_<column>_seq`, or
/// `…_seq1`, `…_seq2`, … while a relation keeps the name: one the desired state declares
/// (table, view, sequence, index or key constraint), or a live one the plan leaves in
/// place. A live one the plan drops frees its name (the drop runs first).
pub fn identity_sequence_for(
    desired: &Catalog,
    live: &Catalog,
    prune: bool,
    table: &QualifiedName,
    column: &str,
) -> QualifiedName {
    let schema = &table.schema;
    let taken = taken_names(desired, live, prune, schema);
    let mut label = "seq".to_string();
    let mut pass = 0;
    loop {
        let name = object_name(&table.name, column, &label);
        if !taken.contains(name.as_str()) {
            return QualifiedName::new(schema.clone(), name);
        }
        pass += 1;
        label = format!("seq{pass}");
    }
}

fn taken_names(desired: &Catalog, live: &Catalog, prune: bool, schema: &str) -> BTreeSet<String> {
    let mut taken = BTreeSet::new();
    let in_schema = |n: &QualifiedName| n.schema == schema;
    // A sequence the desired state only grants on is not declared: it is either live
    // (counted below) or an identity's own sequence, whose name is the one being chosen.
    let declared_relations = desired
        .relations
        .values()
        .filter(|r| r.kind != RelationKind::Sequence)
        .map(|r| &r.name);
    taken.extend(
        declared_relations
            .chain(desired.tables.keys())
            .chain(desired.sequences.keys())
            .chain(desired.views.keys())
            .filter(|n| in_schema(n))
            .map(|n| n.name.clone()),
    );
    for t in desired.tables.values().filter(|t| in_schema(&t.name)) {
        taken.extend(t.indexes.keys().cloned());
        taken.extend(
            t.constraints
                .values()
                .filter(|c| {
                    key_columns(c).is_some() || matches!(c.kind, ConstraintKind::Exclusion { .. })
                })
                .map(|c| c.name.clone()),
        );
    }
    // Live relations the plan drops: undeclared tables and sequences with --prune, and
    // the indexes of tables that are declared (what they keep is declared).
    let mut dropped: BTreeSet<&QualifiedName> = BTreeSet::new();
    if prune {
        dropped.extend(undeclared_tables(desired, live).map(|t| &t.name));
        dropped.extend(undeclared_sequences(desired, live).map(|s| &s.name));
    }
    taken.extend(
        live.relations
            .keys()
            .filter(|n| in_schema(n) && !dropped.contains(n))
            .map(|n| n.name.clone()),
    );
    for t in live.tables.values().filter(|t| in_schema(&t.name)) {
        if dropped.contains(&t.name) || desired.tables.contains_key(&t.name) {
            continue;
        }
        taken.extend(t.indexes.keys().cloned());
        taken.extend(
            t.constraints
                .values()
                .filter(|c| {
                    key_columns(c).is_some() || matches!(c.kind, ConstraintKind::Exclusion { .. })
                })
                .map(|c| c.name.clone()),
        );
    }
    taken
}
