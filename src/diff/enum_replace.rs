//! Enums whose labels are removed or reordered: PostgreSQL cannot do it in place, so the
//! type is replaced (`TableChange::ReplaceEnum`): a new type under a temporary name, every
//! column moved to it through text (`USING c::text::new`, which fails, rolling the apply
//! back, on a value whose label is removed), the old type dropped, the new one renamed.
//! The step deletes the labels for good: it needs the destructive approval.
//!
//! What moves: the columns of tables (arrays of the enum too; a partitioned table's
//! columns through the parent). What is rebuilt: the declared views that read such a
//! column or return the type (`view.rs`, `Why::EnumReplaced`). What cannot be moved
//! this way is refused at plan time, naming the object: domains, composite and range
//! types over the enum, routines whose signature or SQL-standard body uses it, checks,
//! indexes and partition keys that name it, a table or column renamed in the same plan.

use super::shared::mentions;
use super::tables::{MovedColumn, TableChange};
use super::{Change, Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// Declared enums that exist live with labels removed or out of order.
pub(super) fn replaced_enums(desired: &Catalog, live: &Catalog) -> BTreeSet<QualifiedName> {
    desired
        .enums
        .iter()
        .filter(|(name, _)| desired.schemas.contains_key(&name.schema))
        .filter(|(name, want)| {
            live.enums.get(*name).is_some_and(|have| {
                super::enum_type::enum_additions(&have.values, &want.values).is_none()
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether a canonical type name is `e` or an array of it.
pub(super) fn uses_enum(type_name: &str, e: &QualifiedName) -> bool {
    let mut t = type_name.trim();
    while let Some(s) = t.strip_suffix("[]") {
        t = s.trim_end();
    }
    crate::sql::split_qualified(t).is_some_and(|parts| {
        matches!(parts.as_slice(), [schema, name] if *schema == e.schema && *name == e.name)
    })
}

/// Whether canonical SQL text names the type `e` (schema-qualified, as it is read with
/// an empty `search_path`). A false positive only refuses a plan.
pub(super) fn names_type(text: &str, e: &QualifiedName) -> bool {
    let needle = crate::sql::qualified(&e.schema, &e.name);
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '"';
    text.match_indices(&needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

/// The temporary name of the new type: `<name>_pgrecon_new`, shortened to 63 bytes, and
/// numbered when a type or relation of the schema (live or declared) has it.
pub(super) fn temp_name(desired: &Catalog, live: &Catalog, e: &QualifiedName) -> String {
    let taken = |name: &str| {
        let qn = QualifiedName::new(&e.schema, name);
        [desired, live].iter().any(|c| {
            c.enums.contains_key(&qn)
                || c.domains.contains_key(&qn)
                || c.composite_types.contains_key(&qn)
                || c.range_types.contains_key(&qn)
                || c.range_types.values().any(|r| r.multirange == qn)
                || c.relations.contains_key(&qn)
                || c.tables.contains_key(&qn)
                || c.views.contains_key(&qn)
                || c.sequences.contains_key(&qn)
        })
    };
    (0..)
        .map(|n| match n {
            0 => super::column::object_name(&e.name, "pgrecon", "new"),
            n => super::column::object_name(&e.name, &format!("pgrecon{n}"), "new"),
        })
        .find(|name| !taken(name))
        .expect("a free name")
}

/// What moving the columns of a replaced enum needs from the rest of the plan.
#[derive(Default)]
struct Planned {
    dropped_tables: BTreeSet<QualifiedName>,
    dropped_columns: BTreeSet<(QualifiedName, String)>,
}

impl Cx<'_> {
    /// Fills each `ReplaceEnum` with the columns it moves, once every other change is
    /// known, and refuses what cannot be moved.
    pub(super) fn enum_replacements(&mut self) {
        let replaced = replaced_enums(self.desired, self.live);
        if replaced.is_empty() {
            return;
        }
        let mut planned = Planned::default();
        for change in &self.out.changes {
            if let Change::Table(t) = change {
                match &**t {
                    TableChange::DropTable { table } => {
                        planned.dropped_tables.insert(table.name.clone());
                    }
                    TableChange::DropColumn { table, column, .. } => {
                        planned
                            .dropped_columns
                            .insert((table.clone(), column.name.clone()));
                    }
                    _ => {}
                }
            }
        }
        for e in &replaced {
            let columns = self.moved_columns(e, &planned);
            self.refuse_unmovable(e, &planned);
            for change in &mut self.out.changes {
                if let Change::Table(t) = change
                    && let TableChange::ReplaceEnum {
                        enum_type,
                        columns: cs,
                        ..
                    } = t.as_mut()
                    && enum_type.name == *e
                {
                    *cs = columns.clone();
                }
            }
        }
        self.split_type_changes(&replaced);
    }

    /// A table's type changes run in one statement; one that leaves a replaced enum runs
    /// before the replacement, so the columns that join a replaced enum in it are split
    /// off into a change of their own, which runs after.
    fn split_type_changes(&mut self, replaced: &BTreeSet<QualifiedName>) {
        let mut split = Vec::new();
        for (i, change) in self.out.changes.iter_mut().enumerate() {
            let Change::Table(t) = change else { continue };
            let TableChange::AlterColumnTypes { table, columns, .. } = t.as_mut() else {
                continue;
            };
            if !columns.iter().any(|c| c.off_replaced_enum) {
                continue;
            }
            let (joining, kept): (Vec<_>, Vec<_>) = columns.drain(..).partition(|c| {
                !c.off_replaced_enum && replaced.iter().any(|e| uses_enum(&c.to_type, e))
            });
            *columns = kept;
            if !joining.is_empty() {
                let change = TableChange::AlterColumnTypes {
                    table: table.clone(),
                    columns: joining,
                    recreate_generated: Vec::new(),
                };
                split.push((i + 1, change));
            }
        }
        for (i, change) in split.into_iter().rev() {
            self.out.changes.insert(i, Change::Table(Box::new(change)));
        }
    }

    /// The live columns of `e` that stay: moved by the replacement, whose default it sets
    /// (the declared one); a column retyped away from it is changed before it instead.
    fn moved_columns(&mut self, e: &QualifiedName, planned: &Planned) -> Vec<MovedColumn> {
        let (live, desired) = (self.live, self.desired);
        let mut out = Vec::new();
        for (name, have_t) in &live.tables {
            if planned.dropped_tables.contains(name) || have_t.partition_of.is_some() {
                continue;
            }
            let renamed_to = self
                .live_names
                .iter()
                .find(|(to, from)| *from == name && *to != name)
                .map(|(to, _)| to.clone());
            let want_t = match &renamed_to {
                Some(_) => None,
                None => desired.tables.get(name),
            };
            for have in have_t.columns.iter().filter(|c| uses_enum(&c.type_name, e)) {
                let key = (name.clone(), have.name.clone());
                if planned.dropped_columns.contains(&key) {
                    continue;
                }
                let object = ObjectRef::table_part(TablePart::Column, name, &have.name);
                let renamed = renamed_to.is_some()
                    || want_t.is_some_and(|t| {
                        t.columns
                            .iter()
                            .any(|c| c.renamed_from.as_deref() == Some(have.name.as_str()))
                    });
                if renamed {
                    self.note(
                        NoteKind::Error,
                        object,
                        format!(
                            "is of type {e}, which this plan replaces (labels removed or \
                             reordered), and its table or itself is renamed in the same \
                             plan: apply the rename first, then the labels; nothing planned"
                        ),
                    );
                    continue;
                }
                if let Some(by) = have_t.partition_by.as_deref()
                    && (mentions(by, &have.name) || names_type(by, e))
                {
                    self.note(
                        NoteKind::Error,
                        object,
                        format!(
                            "is in the partition key of its table and of type {e}, whose \
                             labels are removed or reordered: PostgreSQL cannot change the \
                             type of a partition key column; declare the labels so that \
                             they are only added"
                        ),
                    );
                    continue;
                }
                let want = want_t.and_then(|t| t.column(&have.name));
                if let Some(w) = want
                    && w.type_name != have.type_name
                {
                    self.retype_first(name, &have.name);
                    continue;
                }
                let set_default = match (want_t, want) {
                    (Some(_), Some(w)) => w.default.clone(),
                    _ => have.default.clone(),
                };
                self.out.changes.retain(|c| {
                    !matches!(c, Change::Table(t) if matches!(&**t,
                        TableChange::SetColumnDefault { table, column, .. }
                            if *table == key.0 && *column == key.1))
                });
                out.push(MovedColumn {
                    table: name.clone(),
                    column: have.name.clone(),
                    type_name: have.type_name.clone(),
                    drop_default: have.default.is_some(),
                    set_default,
                });
            }
        }
        out
    }

    /// Marks the type change of a column leaving a replaced enum to run first.
    fn retype_first(&mut self, table: &QualifiedName, column: &str) {
        for change in &mut self.out.changes {
            if let Change::Table(t) = change
                && let TableChange::AlterColumnTypes {
                    table: name,
                    columns,
                    ..
                } = t.as_mut()
                && name == table
            {
                for c in columns.iter_mut().filter(|c| c.column == column) {
                    c.off_replaced_enum = true;
                }
            }
        }
    }

    /// Error notes on what uses `e` and cannot be moved to the new type.
    fn refuse_unmovable(&mut self, e: &QualifiedName, planned: &Planned) {
        let live = self.live;
        let why = format!(
            "uses type {e}, whose labels are removed or reordered (the type is replaced), \
             and cannot be moved to the new type"
        );
        let help = "drop it first, or declare the labels so that they are only added";
        let mut refused: Vec<(ObjectRef, String)> = Vec::new();
        for d in live.domains.values() {
            if uses_enum(&d.base_type, e) {
                refused.push((
                    domain_ref(&d.name),
                    format!("{why} (a domain over it); {help}"),
                ));
            }
        }
        for c in live.composite_types.values() {
            if c.attributes.iter().any(|a| uses_enum(&a.type_name, e)) {
                let object = ObjectRef::Type {
                    kind: TypeKind::Composite,
                    name: c.name.clone(),
                };
                refused.push((object, format!("{why} (an attribute); {help}")));
            }
        }
        for r in live.range_types.values() {
            if uses_enum(&r.subtype, e) {
                let object = ObjectRef::Type {
                    kind: TypeKind::Range,
                    name: r.name.clone(),
                };
                refused.push((object, format!("{why} (its subtype); {help}")));
            }
        }
        for f in live.functions.values() {
            let definition = f.definition.as_ref();
            let uses = names_type(&f.id.arguments, e)
                || definition
                    .and_then(|d| d.result.as_deref())
                    .is_some_and(|r| names_type(r, e))
                || definition
                    .and_then(|d| d.sql_body())
                    .is_some_and(|b| names_type(&b, e));
            if uses {
                let object = ObjectRef::Function { id: f.id.clone() };
                refused.push((object, format!("{why} (its signature or body); {help}")));
            }
        }
        for (name, t) in &live.tables {
            if planned.dropped_tables.contains(name) {
                continue;
            }
            for (c, constraint) in &t.constraints {
                let text = match &constraint.kind {
                    ConstraintKind::Check { expression, .. } => expression.clone(),
                    ConstraintKind::Exclusion {
                        elements,
                        predicate,
                        ..
                    } => elements
                        .iter()
                        .filter_map(|el| el.expression.clone())
                        .chain(predicate.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => continue,
                };
                if names_type(&text, e) {
                    let object = ObjectRef::table_part(TablePart::Constraint, name, c);
                    refused.push((object, format!("{why} (in its expression); {help}")));
                }
            }
            for (i, index) in &t.indexes {
                let text = index
                    .keys
                    .iter()
                    .filter_map(|k| k.expression.clone())
                    .chain(index.predicate.clone())
                    .collect::<Vec<_>>()
                    .join(" ");
                if names_type(&text, e) {
                    let object = ObjectRef::table_part(TablePart::Index, name, i);
                    refused.push((object, format!("{why} (in its expression); {help}")));
                }
            }
        }
        // A view that names the type without reading a column of it or returning it
        // would not be ordered around the replacement.
        let rebuilt = super::view::enum_dependents(live, e);
        for v in live.views.values() {
            if !rebuilt.contains(&v.name) && names_type(&v.definition, e) {
                refused.push((v.object_ref(), format!("{why} (in its query); {help}")));
            }
        }
        for (object, message) in refused {
            self.note(NoteKind::Error, object, message);
        }
    }
}

fn domain_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Type {
        kind: TypeKind::Domain,
        name: name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_matched_whole() {
        let e = QualifiedName::new("public", "e");
        assert!(uses_enum("public.e", &e));
        assert!(uses_enum("public.e[]", &e));
        assert!(!uses_enum("public.e2", &e));
        assert!(names_type("('a'::public.e = c)", &e));
        assert!(names_type("ARRAY['a'::public.e[]]", &e));
        assert!(!names_type("'a'::public.ex", &e));
        assert!(!names_type("'a'::xpublic.e", &e));
    }
}
