//! What a declared schema holds but the desired state does not declare: tables,
//! sequences, enums and domains (reported, dropped with `--prune`) and objects of kinds
//! pgrecon does not manage (reported only).

use super::rename::{Found, find_live};
use super::tables::TableChange;
use super::{Change, Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// Live tables in schemas whose tables are managed that nothing declared accounts for.
pub(super) fn undeclared_tables<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
) -> impl Iterator<Item = &'a Table> {
    let renamed: BTreeSet<QualifiedName> = desired
        .tables
        .values()
        .filter_map(|t| match find_live(t, desired, live) {
            Found::Renamed(h) => Some(h.name.clone()),
            _ => None,
        })
        .collect();
    live.tables.values().filter(move |t| {
        desired
            .schemas
            .get(&t.name.schema)
            .is_some_and(|s| s.manage_tables)
            && !desired.tables.contains_key(&t.name)
            && !renamed.contains(&t.name)
    })
}

/// Undeclared sequences in schemas whose tables are managed. A sequence owned by a
/// column goes with it when the column or its table is not declared; one owned by a
/// declared column (a serial column's) is undeclared unless a declared default still
/// calls it.
pub(super) fn undeclared_sequences<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
) -> impl Iterator<Item = &'a Sequence> {
    live.sequences.values().filter(move |s| {
        let owner_kept = match &s.owned_by {
            None => true,
            Some((table, column)) => {
                desired
                    .tables
                    .get(table)
                    .is_some_and(|t| t.columns.iter().any(|c| &c.name == column))
                    && !called(desired, &s.name)
            }
        };
        owner_kept
            && desired
                .schemas
                .get(&s.name.schema)
                .is_some_and(|d| d.manage_tables)
            && !desired.sequences.contains_key(&s.name)
    })
}

/// Whether a declared column default names `sequence` (`nextval('s.seq'::regclass)`).
fn called(desired: &Catalog, sequence: &QualifiedName) -> bool {
    let name = crate::sql::qualified(&sequence.schema, &sequence.name);
    desired
        .tables
        .values()
        .flat_map(|t| &t.columns)
        .filter_map(|c| c.default.as_deref())
        .any(|d| d.contains(&name))
}

impl Cx<'_> {
    /// Undeclared tables, sequences, enums and domains in schemas whose tables are
    /// managed: reported, or dropped with `--prune`.
    pub(super) fn undeclared(&mut self) {
        let tables: Vec<&Table> = undeclared_tables(self.desired, self.live).collect();
        let pruned: BTreeSet<&QualifiedName> = tables.iter().map(|t| &t.name).collect();
        let dropped_keys: BTreeSet<(QualifiedName, String)> = (self.out.changes.iter())
            .filter_map(|c| match c {
                Change::Table(t) => match &**t {
                    TableChange::DropConstraint {
                        table, constraint, ..
                    } => Some((table.clone(), constraint.name.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for t in &tables {
            if !self.options.prune {
                let what = if t.partition_by.is_some() {
                    "partitioned table"
                } else {
                    "table"
                };
                self.note(
                    NoteKind::Unexpected,
                    t.object_ref(),
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
                continue;
            }
            // Foreign keys between dropped tables go first, so that any two can be
            // dropped in any order (and cycles need no CASCADE); so do those on a key
            // the plan drops from a table it keeps (the key's drop cannot wait for the
            // table's).
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                    && references != &t.name
                    && (pruned.contains(references)
                        || self
                            .live_referenced_key(c)
                            .is_some_and(|k| dropped_keys.contains(&(references.clone(), k))))
                {
                    self.push_table(TableChange::DropConstraint {
                        table: t.name.clone(),
                        constraint: c.clone(),
                        drop_not_null: Vec::new(),
                        referenced_key: self.live_referenced_key(c),
                        reason: Some("its table is dropped".into()),
                    });
                }
            }
            self.push_table(TableChange::DropTable {
                table: Box::new((*t).clone()),
            });
        }
        let sequences: Vec<(QualifiedName, Option<(QualifiedName, String)>)> =
            undeclared_sequences(self.desired, self.live)
                .map(|s| (s.name.clone(), s.owned_by.clone()))
                .collect();
        for (name, owned_by) in sequences {
            if self.options.prune {
                self.push_table(TableChange::DropSequence { name, owned_by });
            } else {
                let object = ObjectRef::Relation {
                    kind: RelationKind::Sequence,
                    name,
                };
                self.note(
                    NoteKind::Unexpected,
                    object,
                    "sequence is not declared; left alone (use --prune to drop it)",
                );
            }
        }
        let managed = |n: &QualifiedName| {
            self.desired
                .schemas
                .get(&n.schema)
                .is_some_and(|s| s.manage_tables)
        };
        let mut types: Vec<(QualifiedName, TypeKind)> = Vec::new();
        for name in self.live.enums.keys() {
            if managed(name) && !self.desired.enums.contains_key(name) {
                types.push((name.clone(), TypeKind::Enum));
            }
        }
        for name in self.live.domains.keys() {
            if managed(name) && !self.desired.domains.contains_key(name) {
                types.push((name.clone(), TypeKind::Domain));
            }
        }
        for (name, kind) in types {
            if self.options.prune {
                let uses = super::tables::TypeUses::of(self.live, &name, kind);
                self.push_table(TableChange::DropType { name, kind, uses });
            } else {
                let what = match kind {
                    TypeKind::Enum => "enum",
                    TypeKind::Domain => "domain",
                    TypeKind::Composite => "composite type",
                    TypeKind::Range => "range type",
                };
                self.note(
                    NoteKind::Unexpected,
                    ObjectRef::Type { kind, name },
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
            }
        }
    }

    /// Objects pgrecon does not manage, in declared schemas.
    pub(super) fn unmanaged(&mut self) {
        let live = self.live;
        let routines = super::routine::routine_schemas(self.desired);
        for u in &live.unmanaged {
            if !self.desired.schemas.contains_key(&u.schema) {
                continue;
            }
            // Routines of a schema that declares some are its own (`routine.rs`).
            if matches!(u.kind.as_str(), "function" | "procedure")
                && routines.contains(u.schema.as_str())
            {
                continue;
            }
            // Names come display-quoted (`notes_audit on general.notes`, `f(integer)`).
            let what = if u.name.contains(" on ") {
                format!("{} {}", u.kind, u.name)
            } else {
                format!(
                    "{} {}.{}",
                    u.kind,
                    crate::sql::display_ident(&u.schema),
                    u.name
                )
            };
            self.note(NoteKind::Unmanaged, ObjectRef::schema(&u.schema), what);
        }
        // Views of declared schemas that declare none (the others are `view.rs`'s).
        for v in live.views.values() {
            let schema = &v.name.schema;
            if self.desired.schemas.contains_key(schema)
                && !super::view::views_managed(self.desired, schema)
            {
                let what = format!("{} {}", v.kind().describe(), v.name);
                self.note(NoteKind::Unmanaged, ObjectRef::schema(schema), what);
            }
        }
    }
}
