//! Declared renames (`renamed_from`): which live table or column a declared one is, and
//! the live tables rewritten as they will read once the renames are done, so that every
//! other kind compares against the new names.

use super::Cx;
use super::shared::map_columns;
use crate::model::*;
use std::collections::BTreeMap;

/// Old → new column names of one table.
pub(super) type ColumnRenames = BTreeMap<String, String>;

fn rename_list(names: &[String], renames: Option<&ColumnRenames>) -> Vec<String> {
    names
        .iter()
        .map(|n| renames.and_then(|r| r.get(n)).unwrap_or(n).clone())
        .collect()
}

pub(super) fn rename_expression(expression: &str, renames: Option<&ColumnRenames>) -> String {
    match renames {
        Some(r) if !r.is_empty() => map_columns(expression, &mut |n| r.get(n).cloned()),
        _ => expression.to_string(),
    }
}

/// The live tables as they will read once the declared renames are done: columns named
/// in constraints, indexes, policies, generated expressions and triggers' UPDATE OF, and
/// tables referenced by foreign keys and constraint triggers, carry their new names (the tables themselves keep their live names).
/// Only tables that change are returned.
pub(super) fn translated_tables(
    desired: &Catalog,
    live: &Catalog,
) -> BTreeMap<QualifiedName, Table> {
    let mut tables: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    let mut columns: BTreeMap<QualifiedName, ColumnRenames> = BTreeMap::new();
    for want in desired.tables.values() {
        if !desired.schemas.contains_key(&want.name.schema) {
            continue;
        }
        let have = match find_live(want, desired, live) {
            Found::Same(h) => h,
            Found::Renamed(h) => {
                tables.insert(h.name.clone(), want.name.clone());
                h
            }
            Found::New => continue,
        };
        let renames: ColumnRenames = want
            .columns
            .iter()
            .filter_map(|c| {
                let h = column_match(want, have, c)?;
                (h.name != c.name).then(|| (h.name.clone(), c.name.clone()))
            })
            .collect();
        if !renames.is_empty() {
            columns.insert(have.name.clone(), renames);
        }
    }
    if tables.is_empty() && columns.is_empty() {
        return BTreeMap::new();
    }
    let mut out = BTreeMap::new();
    for (name, t) in &live.tables {
        let own = columns.get(name);
        let references_renamed = t.constraints.values().any(|c| {
            matches!(&c.kind, ConstraintKind::ForeignKey { references, .. }
                if tables.contains_key(references) || columns.contains_key(references))
        }) || t.triggers.values().any(|tr| {
            tr.constraint
                .as_ref()
                .and_then(|c| c.referenced_table.as_ref())
                .is_some_and(|r| tables.contains_key(r))
        }) || t.inherits.iter().any(|p| tables.contains_key(p));
        if own.is_none() && !references_renamed {
            continue;
        }
        let mut t = t.clone();
        for p in &mut t.inherits {
            if let Some(new) = tables.get(p) {
                *p = new.clone();
            }
        }
        for c in &mut t.columns {
            if let Some(g) = &c.generated {
                c.generated = Some(rename_expression(g, own));
            }
        }
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    *columns = rename_list(columns, own);
                    *include = rename_list(include, own);
                }
                ConstraintKind::ForeignKey {
                    columns: cols,
                    references,
                    referenced_columns,
                    ..
                } => {
                    *cols = rename_list(cols, own);
                    *referenced_columns = rename_list(referenced_columns, columns.get(references));
                    if let Some(new) = tables.get(references) {
                        *references = new.clone();
                    }
                }
                ConstraintKind::Check { expression, .. } => {
                    *expression = rename_expression(expression, own);
                }
                ConstraintKind::Exclusion {
                    elements,
                    predicate,
                    ..
                } => {
                    for e in elements {
                        if let Some(c) = &e.column {
                            e.column = Some(rename_list(std::slice::from_ref(c), own).remove(0));
                        }
                        if let Some(x) = &e.expression {
                            e.expression = Some(rename_expression(x, own));
                        }
                    }
                    if let Some(p) = predicate {
                        *p = rename_expression(p, own);
                    }
                }
            }
        }
        for i in t.indexes.values_mut() {
            for k in &mut i.keys {
                if let Some(c) = &k.column {
                    k.column = Some(rename_list(std::slice::from_ref(c), own).remove(0));
                }
                if let Some(x) = &k.expression {
                    k.expression = Some(rename_expression(x, own));
                }
            }
            i.include = rename_list(&i.include, own);
            if let Some(p) = &i.predicate {
                i.predicate = Some(rename_expression(p, own));
            }
        }
        for p in t.policies.values_mut() {
            if let Some(u) = &p.using {
                p.using = Some(rename_expression(u, own));
            }
            if let Some(w) = &p.with_check {
                p.with_check = Some(rename_expression(w, own));
            }
        }
        // A trigger's UPDATE OF columns and FROM table follow their renames (the
        // server keeps them by number); its WHEN is compared as the server prints it.
        for tr in t.triggers.values_mut() {
            tr.update_columns = rename_list(&tr.update_columns, own);
            if let Some(r) = tr
                .constraint
                .as_mut()
                .and_then(|c| c.referenced_table.as_mut())
                && let Some(new) = tables.get(r)
            {
                *r = new.clone();
            }
        }
        out.insert(name.clone(), t);
    }
    out
}

/// Live name of each renamed table, by its declared name.
pub(super) fn renamed_tables(
    desired: &Catalog,
    live: &Catalog,
) -> BTreeMap<QualifiedName, QualifiedName> {
    desired
        .tables
        .values()
        .filter_map(|t| match find_live(t, desired, live) {
            Found::Renamed(h) => Some((t.name.clone(), h.name.clone())),
            _ => None,
        })
        .collect()
}

pub(super) enum Found<'a> {
    Same(&'a Table),
    Renamed(&'a Table),
    New,
}

/// The live table a declared one corresponds to: same name, or its `renamed_from` when
/// that exists, the new name does not, and the old name is not itself declared.
pub(super) fn find_live<'a>(want: &Table, desired: &Catalog, live: &'a Catalog) -> Found<'a> {
    if let Some(have) = live.tables.get(&want.name) {
        return Found::Same(have);
    }
    if let Some(old) = &want.renamed_from {
        let old = QualifiedName::new(want.name.schema.clone(), old.clone());
        if !desired.tables.contains_key(&old)
            && let Some(have) = live.tables.get(&old)
        {
            return Found::Renamed(have);
        }
    }
    Found::New
}

/// The live column a declared one corresponds to (same name, or `renamed_from`).
pub(super) fn column_match<'a>(
    want_t: &Table,
    have_t: &'a Table,
    c: &Column,
) -> Option<&'a Column> {
    if let Some(h) = have_t.column(&c.name) {
        return Some(h);
    }
    let old = c.renamed_from.as_deref()?;
    if want_t.column(old).is_some() {
        return None;
    }
    have_t.column(old)
}

impl<'a> Cx<'a> {
    /// A live table as it reads after the declared renames.
    pub(super) fn live_table(&self, live_name: &QualifiedName) -> Option<&'a Table> {
        self.translated
            .get(live_name)
            .or_else(|| self.live.tables.get(live_name))
    }
}
