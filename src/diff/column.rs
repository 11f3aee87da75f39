//! Columns of existing tables: renames, additions, type changes in one rewrite,
//! generated and identity columns, defaults, NOT NULL, drops.

use super::constraint::{key_columns, primary_key};
use super::rename::column_match;
use super::sequence::effective_sequence;
use super::shared::mentions;
use super::tables::{ColumnTypeChange, RecreatedColumn, TableChange};
use super::{Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// The name pgrecon gives an identity column's sequence (`SEQUENCE NAME`), as PostgreSQL
/// would choose it: `<table>_<column>_seq`, the longer part shortened to fit 63 bytes.
pub fn identity_sequence_name(table: &QualifiedName, column: &str) -> QualifiedName {
    QualifiedName::new(
        table.schema.clone(),
        object_name(&table.name, column, "seq"),
    )
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, truncating the longer name first.
pub(super) fn object_name(name1: &str, name2: &str, label: &str) -> String {
    const MAX: usize = 63;
    let overhead = label.len() + 2;
    let (mut l1, mut l2) = (name1.len(), name2.len());
    while l1 + l2 + overhead > MAX {
        if l1 > l2 {
            l1 -= 1;
        } else {
            l2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    format!("{}_{}_{label}", clip(name1, l1), clip(name2, l2))
}

impl Cx<'_> {
    /// The name of a new identity column's sequence (see `identity_name`).
    pub(super) fn identity_sequence_for(
        &self,
        table: &QualifiedName,
        column: &str,
    ) -> QualifiedName {
        self.identity_names.sequence_for(table, column)
    }

    /// Column changes of an existing table. Returns the (live) names of columns whose
    /// NOT NULL goes with the live primary key when that is dropped.
    ///
    /// Order: renames and new columns; generated columns that become ordinary; every
    /// type change of the table in one statement (one rewrite), with the generated
    /// columns that use a changed column (or whose expression changes) dropped before and
    /// added after inside it, as PostgreSQL refuses to change the type of a column a
    /// generated column uses; then identity, default and NOT NULL changes; comments and
    /// column grants last; dropped columns.
    pub(super) fn columns(
        &mut self,
        want_t: &Table,
        have_t: &Table,
        partition: bool,
    ) -> (Vec<String>, BTreeSet<String>) {
        let t = &want_t.name;
        let want_pk: BTreeSet<&String> = primary_key(want_t)
            .and_then(key_columns)
            .into_iter()
            .flatten()
            .collect();
        let live_pk = primary_key(have_t);
        let live_pk_kept = live_pk.is_some_and(|pk| {
            self.constraint_match(want_t, pk)
                .is_some_and(|w| self.constraint_def_eq(w, pk))
        });
        let live_pk_cols: BTreeSet<&String> = live_pk
            .and_then(key_columns)
            .into_iter()
            .flatten()
            .collect();
        let mut drop_with_pk = Vec::new();
        let mut acls = Vec::new();

        // Pairs (declared, live); new columns are added after the type changes (their
        // defaults and expressions are written for the new types).
        let mut pairs: Vec<(&Column, &Column)> = Vec::new();
        let mut added: Vec<&Column> = Vec::new();
        for want in &want_t.columns {
            match column_match(want_t, have_t, want) {
                Some(have) => {
                    if have.name != want.name {
                        self.push_table(TableChange::RenameColumn {
                            table: t.clone(),
                            from: have.name.clone(),
                            to: want.name.clone(),
                        });
                    }
                    pairs.push((want, have));
                }
                None if partition => {}
                None => added.push(want),
            }
        }

        if partition {
            // Inherited from the parent: only what a partition may set itself.
            for (want, have) in pairs {
                if want.default != have.default {
                    self.push_table(TableChange::SetColumnDefault {
                        table: t.clone(),
                        column: want.name.clone(),
                        from: have.default.clone(),
                        to: want.default.clone(),
                    });
                }
                let column = ObjectRef::table_part(TablePart::Column, t, &want.name);
                self.comment(column, &want.comment, &have.comment);
                acls.push((want.name.clone(), want.acl.clone(), have.acl.clone()));
            }
            self.column_acls(t, Some(&have_t.name), &acls);
            return (drop_with_pk, BTreeSet::new());
        }

        // Generated → ordinary first: it keeps the values and frees the columns it used.
        for (want, have) in &pairs {
            if want.generated.is_none() && have.generated.is_some() {
                self.push_table(TableChange::DropExpression {
                    table: t.clone(),
                    column: want.name.clone(),
                });
            }
        }
        for (want, have) in pairs
            .iter()
            .filter(|(w, h)| w.needs_using && w.type_name != h.type_name)
        {
            self.note(
                NoteKind::Error,
                ObjectRef::table_part(TablePart::Column, t, &want.name),
                format!(
                    "cannot change the type from {} to {} without a conversion: PostgreSQL \
                     has no cast between them; declare `using` on the column with \
                     an expression that converts the old value; nothing planned",
                    have.type_name, want.type_name
                ),
            );
        }
        let type_changes: Vec<ColumnTypeChange> = pairs
            .iter()
            .filter(|(w, h)| !(w.needs_using && w.type_name != h.type_name))
            .filter(|(w, h)| w.type_name != h.type_name || w.collation != h.collation)
            .map(|(want, have)| ColumnTypeChange {
                column: want.name.clone(),
                from_type: have.type_name.clone(),
                to_type: want.type_name.clone(),
                from_collation: have.collation.clone(),
                to_collation: want.collation.clone(),
                using: want.using.clone(),
                drop_default: have.default.is_some(),
                set_default: want.default.clone(),
                rebuilt_views: Vec::new(),
                off_replaced_enum: false,
            })
            .collect();
        let retyped: Vec<&str> = type_changes
            .iter()
            .map(|c| {
                pairs
                    .iter()
                    .find(|(w, _)| w.name == c.column)
                    .map_or(c.column.as_str(), |(_, h)| h.name.as_str())
            })
            .collect();
        let mut recreated: Vec<RecreatedColumn> = Vec::new();
        for (want, have) in &pairs {
            let Some(expression) = &want.generated else {
                continue;
            };
            let uses_retyped = have
                .generated
                .as_deref()
                .into_iter()
                .chain(Some(expression.as_str()))
                .any(|e| retyped.iter().any(|c| mentions(e, c)));
            let retypes = want.type_name != have.type_name || want.collation != have.collation;
            // Stored ↔ virtual cannot be altered in place: the column is re-created.
            let kind_changes = want.generated_virtual != have.generated_virtual;
            if have.generated.as_ref() != Some(expression)
                || uses_retyped
                || retypes
                || kind_changes
            {
                recreated.push(RecreatedColumn {
                    column: (*want).clone(),
                    from_generated: have.generated.clone(),
                    from_virtual: have.generated_virtual,
                });
            }
        }
        let recreated_names: BTreeSet<String> =
            recreated.iter().map(|r| r.column.name.clone()).collect();
        // A re-created column gets its new type from its ADD.
        let type_changes: Vec<ColumnTypeChange> = type_changes
            .into_iter()
            .filter(|c| !recreated_names.contains(&c.column))
            .collect();
        if type_changes.is_empty() {
            for r in recreated {
                self.push_table(TableChange::RecreateColumn {
                    table: t.clone(),
                    column: r.column,
                    from_generated: r.from_generated,
                    from_virtual: r.from_virtual,
                });
            }
        } else {
            self.push_table(TableChange::AlterColumnTypes {
                table: t.clone(),
                columns: type_changes.clone(),
                recreate_generated: recreated,
            });
        }
        let retyped_names: BTreeSet<&str> =
            type_changes.iter().map(|c| c.column.as_str()).collect();
        for want in added {
            let identity_sequence = want
                .identity
                .as_ref()
                .map(|_| self.identity_sequence_for(t, &want.name));
            self.push_table(TableChange::AddColumn {
                table: t.clone(),
                column: want.clone(),
                identity_sequence: identity_sequence.clone(),
                heirs: super::inherits::heirs(self.desired, t, &want.name),
            });
            acls.push((want.name.clone(), want.acl.clone(), Acl::default()));
            if let Some(seq) = identity_sequence {
                self.identity_sequence_acl(t, seq);
            }
        }

        for (want, have) in &pairs {
            let column = ObjectRef::table_part(TablePart::Column, t, &want.name);
            if recreated_names.contains(&want.name) {
                // Added again with its declared comment; its grants start from nothing.
                acls.push((want.name.clone(), want.acl.clone(), Acl::default()));
                continue;
            }
            if have.identity.is_some() && want.identity.is_none() {
                self.push_table(TableChange::DropIdentity {
                    table: t.clone(),
                    column: want.name.clone(),
                    sequence: have.identity_sequence.clone(),
                });
            }
            if !retyped_names.contains(want.name.as_str()) && want.default != have.default {
                self.push_table(TableChange::SetColumnDefault {
                    table: t.clone(),
                    column: want.name.clone(),
                    from: have.default.clone(),
                    to: want.default.clone(),
                });
            }
            let declared_not_null = want.not_null || want.identity.is_some();
            let want_not_null = declared_not_null || want_pk.contains(&want.name);
            // Only a new primary key wants it: ADD PRIMARY KEY sets it itself.
            if declared_not_null && !have.not_null {
                self.push_table(TableChange::SetNotNull {
                    table: t.clone(),
                    column: want.name.clone(),
                    partitioned: want_t.partition_by.is_some(),
                    name: want.not_null_name.clone(),
                });
            } else if let Some(to) = &want.not_null_name
                && have.not_null
                && want.not_null_name != have.not_null_name
            {
                // Undeclared, the name is not managed: PostgreSQL keeps a constraint's
                // name when its table or column is renamed.
                let from = have
                    .not_null_name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_not_null", have_t.name.name, have.name));
                self.push_table(TableChange::RenameNotNull {
                    table: t.clone(),
                    column: want.name.clone(),
                    from,
                    to: to.clone(),
                });
            }
            match (&want.identity, &have.identity) {
                (Some(w), None) => {
                    let sequence = self.identity_sequence_for(t, &want.name);
                    self.push_table(TableChange::AddIdentity {
                        table: t.clone(),
                        column: want.name.clone(),
                        type_name: want.type_name.clone(),
                        identity: w.clone(),
                        sequence: sequence.clone(),
                    });
                    self.identity_sequence_acl(t, sequence);
                }
                (Some(w), Some(h))
                    if w.kind != h.kind
                        || effective_sequence(&w.options, &want.type_name)
                            != effective_sequence(&h.options, &want.type_name) =>
                {
                    self.push_table(TableChange::AlterIdentity {
                        table: t.clone(),
                        column: want.name.clone(),
                        type_name: want.type_name.clone(),
                        from: h.clone(),
                        to: w.clone(),
                    });
                }
                _ => {}
            }
            if !want_not_null && have.not_null {
                if live_pk_cols.contains(&have.name) && !live_pk_kept {
                    drop_with_pk.push(have.name.clone());
                } else {
                    self.push_table(TableChange::DropNotNull {
                        table: t.clone(),
                        column: want.name.clone(),
                    });
                }
            }
            self.comment(column, &want.comment, &have.comment);
            acls.push((want.name.clone(), want.acl.clone(), have.acl.clone()));
        }
        let matched: BTreeSet<&str> = pairs.iter().map(|(_, h)| h.name.as_str()).collect();
        for have in &have_t.columns {
            if !matched.contains(have.name.as_str()) {
                self.push_table(TableChange::DropColumn {
                    table: t.clone(),
                    column: have.clone(),
                    heirs: super::inherits::heirs(self.live, &have_t.name, &have.name),
                });
            }
        }
        self.column_acls(t, Some(&have_t.name), &acls);
        (drop_with_pk, recreated_names)
    }
}
