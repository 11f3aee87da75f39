//! Views and materialized views: create, `CREATE OR REPLACE` (same columns, or columns
//! appended), drop and create (anything else, and every materialized view change), the
//! views that read a re-created one (re-created with it), refresh, prune; owners,
//! comments and grants of the views this walk creates (the grants of the others are
//! `acl.rs`'s, like every relation's).
//!
//! A schema that declares a view manages every view in it: undeclared ones are
//! unexpected (dropped with `--prune`); elsewhere views stay unmanaged, listed only.

use super::tables::TableChange;
use super::{Change, Cx, DiffOptions, NoteKind};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// One view change; `plan` makes one step of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewChange {
    /// `CREATE [MATERIALIZED] VIEW`, with its owner, comments and (materialized) indexes.
    Create {
        view: Box<View>,
        owner: Option<String>,
        /// Why it is (re-)created, when it existed: shown in the plan.
        reason: Option<String>,
    },
    /// `CREATE OR REPLACE VIEW`: same columns, or columns appended.
    Replace { from: Box<View>, to: Box<View> },
    /// `DROP [MATERIALIZED] VIEW`. `pruned`: undeclared, gone for good (destructive);
    /// otherwise it is created again by this plan.
    Drop {
        view: Box<View>,
        pruned: bool,
        reason: Option<String>,
    },
    /// `REFRESH MATERIALIZED VIEW`: declared `WITH DATA`, not populated.
    Refresh { name: QualifiedName },
    /// An index of a materialized view that is not re-created.
    CreateIndex {
        view: QualifiedName,
        name: String,
        definition: String,
    },
    DropIndex {
        view: QualifiedName,
        name: String,
        definition: String,
    },
}

/// Whether `schema` manages its views: the desired state declares a view in it, or
/// manages all of it.
pub fn views_managed(desired: &Catalog, schema: &str) -> bool {
    desired
        .schemas
        .get(schema)
        .is_some_and(|s| s.manage_all || desired.views.keys().any(|n| n.schema == schema))
}

/// How a declared view differs from its live self.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Differs {
    No,
    /// `CREATE OR REPLACE VIEW` can do it.
    Replace,
    Recreate,
}

fn columns_match(want: &[ViewColumn], have: &[ViewColumn]) -> bool {
    want.len() == have.len()
        && want.iter().zip(have).all(|(w, h)| {
            w.name == h.name && (w.type_name.is_empty() || w.type_name == h.type_name)
        })
}

fn differs(want: &View, have: &View) -> Differs {
    if want.materialized != have.materialized {
        return Differs::Recreate;
    }
    let same_query =
        want.definition == have.definition && columns_match(&want.columns, &have.columns);
    let same_options = want.security_barrier == have.security_barrier
        && want.security_invoker == have.security_invoker
        && want.check_option == have.check_option
        && want.storage == have.storage;
    if same_query && same_options {
        return Differs::No;
    }
    if want.materialized {
        return Differs::Recreate;
    }
    // PostgreSQL keeps the existing columns (names and types) and appends new ones.
    let prefix = have.columns.len() <= want.columns.len()
        && columns_match(&want.columns[..have.columns.len()], &have.columns);
    if prefix {
        Differs::Replace
    } else {
        Differs::Recreate
    }
}

/// Live views that read `name` (directly).
fn readers<'a>(live: &'a Catalog, name: &'a QualifiedName) -> impl Iterator<Item = &'a View> {
    live.views
        .values()
        .filter(move |v| v.reads.iter().any(|(r, _)| r == name))
}

/// Why a live view is dropped and created again.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    /// Its own definition cannot be replaced in place.
    Changed(String),
    /// It reads a view that is re-created.
    Reads(QualifiedName),
    /// It reads a column whose type changes (PostgreSQL refuses the change while it
    /// exists).
    Retyped(QualifiedName, String),
    /// It calls a routine that is dropped and created again.
    Calls(FunctionId),
    /// It reads a relation that is dropped and created again as another kind (a table
    /// that becomes a view, or the reverse).
    Replaced(QualifiedName),
    /// It reads a column of an enum that is replaced, or returns one.
    EnumReplaced(QualifiedName),
}

impl Why {
    fn reason(&self) -> String {
        match self {
            Why::Changed(why) => why.clone(),
            Why::Reads(name) => format!("it reads {name}, which is re-created"),
            Why::Retyped(t, c) => format!(
                "it reads column {}.{}, whose type changes",
                t,
                crate::sql::display_ident(c)
            ),
            Why::Calls(f) => format!("it calls {f}, which is dropped and created again"),
            Why::Replaced(name) => format!(
                "it reads {name}, which is dropped and created again as another kind of relation"
            ),
            Why::EnumReplaced(e) => {
                format!("it uses type {e}, which is replaced (labels removed or reordered)")
            }
        }
    }

    /// The error note of an undeclared view that would have to be re-created.
    fn undeclared(&self) -> String {
        let then = "but is not declared: declare it so that it can be re-created";
        match self {
            Why::Retyped(..) | Why::Calls(_) | Why::Replaced(_) | Why::EnumReplaced(_) => format!(
                "{}, {then} (PostgreSQL refuses the change while it exists)",
                self.reason().trim_start_matches("it ")
            ),
            _ => format!(
                "reads a view this plan re-creates ({}), {then}",
                self.reason()
            ),
        }
    }
}

/// A column of a table: (table, column).
pub(super) type TableColumn = (QualifiedName, String);

/// Columns of declared tables whose type or collation changes, and those dropped, as
/// (table, column) by their live names (a renamed table or column is not followed).
pub(super) fn changed_columns(
    desired: &Catalog,
    live: &Catalog,
) -> (BTreeSet<TableColumn>, BTreeSet<TableColumn>) {
    let (mut retyped, mut dropped) = (BTreeSet::new(), BTreeSet::new());
    for (name, want) in &desired.tables {
        let Some(have) = live.tables.get(name) else {
            continue;
        };
        if !desired.schemas.contains_key(&name.schema) {
            continue;
        }
        for h in &have.columns {
            let renamed = want
                .columns
                .iter()
                .any(|w| w.renamed_from.as_deref() == Some(h.name.as_str()));
            match want.columns.iter().find(|w| w.name == h.name) {
                Some(w) if w.type_name != h.type_name || w.collation != h.collation => {
                    retyped.insert((name.clone(), h.name.clone()));
                }
                None if !renamed => {
                    dropped.insert((name.clone(), h.name.clone()));
                }
                _ => {}
            }
        }
    }
    (retyped, dropped)
}

/// Live views that are dropped and created again, with why: their definition cannot be
/// replaced in place, they read a column whose type changes or call a routine that is
/// re-created, or they read one that is re-created. Undeclared ones among them are
/// errors (they cannot be re-created).
fn recreated_why(desired: &Catalog, live: &Catalog) -> BTreeMap<QualifiedName, Why> {
    let mut out: BTreeMap<QualifiedName, Why> = BTreeMap::new();
    let mut pending = Vec::new();
    for (name, want) in &desired.views {
        if let Some(have) = live.views.get(name)
            && differs(want, have) == Differs::Recreate
        {
            let why = if want.materialized {
                "its definition changed".to_string()
            } else {
                "its columns change in a way CREATE OR REPLACE cannot do".to_string()
            };
            out.insert(name.clone(), Why::Changed(why));
            pending.push(name.clone());
        }
    }
    let (retyped, _) = changed_columns(desired, live);
    let rebuilt = super::routine::rebuilt_routines(desired, live);
    // Relations that change kind: the views reading them go before the drop and come
    // back after the create.
    let replaced: BTreeSet<&QualifiedName> = live
        .tables
        .keys()
        .filter(|n| desired.views.contains_key(*n))
        .chain(
            live.views
                .keys()
                .filter(|n| desired.tables.contains_key(*n)),
        )
        .collect();
    for e in super::enum_replace::replaced_enums(desired, live) {
        for name in enum_dependents(live, &e) {
            if !out.contains_key(&name) {
                out.insert(name.clone(), Why::EnumReplaced(e.clone()));
                pending.push(name);
            }
        }
    }
    for v in live.views.values() {
        if out.contains_key(&v.name) {
            continue;
        }
        let column = v.reads.iter().find_map(|(t, c)| {
            let c = c.as_ref()?;
            retyped
                .contains(&(t.clone(), c.clone()))
                .then(|| Why::Retyped(t.clone(), c.clone()))
        });
        let call = || v.calls.iter().find(|f| rebuilt.contains(*f)).cloned();
        let relation = || {
            v.reads
                .iter()
                .find(|(r, _)| replaced.contains(r))
                .map(|(r, _)| Why::Replaced(r.clone()))
        };
        if let Some(why) = column.or_else(|| call().map(Why::Calls)).or_else(relation) {
            out.insert(v.name.clone(), why);
            pending.push(v.name.clone());
        }
    }
    while let Some(name) = pending.pop() {
        for r in readers(live, &name) {
            if !out.contains_key(&r.name) {
                out.insert(r.name.clone(), Why::Reads(name.clone()));
                pending.push(r.name.clone());
            }
        }
    }
    out
}

/// Live views that read a column of type `e` (or an array of it) or return one.
pub(super) fn enum_dependents(live: &Catalog, e: &QualifiedName) -> BTreeSet<QualifiedName> {
    use super::enum_replace::uses_enum;
    live.views
        .values()
        .filter(|v| {
            v.columns.iter().any(|c| uses_enum(&c.type_name, e))
                || v.reads.iter().any(|(t, c)| {
                    let column = c
                        .as_ref()
                        .and_then(|c| live.tables.get(t).and_then(|t| t.column(c)));
                    column.is_some_and(|c| uses_enum(&c.type_name, e))
                })
        })
        .map(|v| v.name.clone())
        .collect()
}

/// Declared views that are dropped and created again, with why.
fn recreated(desired: &Catalog, live: &Catalog) -> BTreeMap<QualifiedName, String> {
    recreated_why(desired, live)
        .into_iter()
        .map(|(name, why)| (name, why.reason()))
        .collect()
}

/// The declared views re-created that read a column whose type changes, by (table,
/// column), and those that call a routine re-created, by routine (whatever else makes
/// them re-created).
pub(super) fn rebuilt_around(
    desired: &Catalog,
    live: &Catalog,
) -> (
    BTreeMap<TableColumn, Vec<QualifiedName>>,
    BTreeMap<FunctionId, Vec<QualifiedName>>,
) {
    let (retyped, _) = changed_columns(desired, live);
    let rebuilt = super::routine::rebuilt_routines(desired, live);
    let (mut columns, mut routines) = (BTreeMap::new(), BTreeMap::new());
    for name in recreated_why(desired, live).into_keys() {
        let Some(v) = live.views.get(&name) else {
            continue;
        };
        if !desired.views.contains_key(&name) {
            continue;
        }
        for (t, c) in &v.reads {
            if let Some(c) = c
                && retyped.contains(&(t.clone(), c.clone()))
            {
                let list: &mut Vec<QualifiedName> =
                    columns.entry((t.clone(), c.clone())).or_default();
                list.push(name.clone());
            }
        }
        for f in v.calls.iter().filter(|f| rebuilt.contains(*f)) {
            let list: &mut Vec<QualifiedName> = routines.entry(f.clone()).or_default();
            list.push(name.clone());
        }
    }
    (columns, routines)
}

/// Undeclared live views in schemas that manage their views.
fn undeclared<'a>(desired: &'a Catalog, live: &'a Catalog) -> impl Iterator<Item = &'a View> {
    live.views.values().filter(move |v| {
        views_managed(desired, &v.name.schema) && !desired.views.contains_key(&v.name)
    })
}

/// Views whose grants this walk sets (created, re-created or dropped).
pub(super) fn views_with_own_grants(
    desired: &Catalog,
    live: &Catalog,
    options: &DiffOptions,
) -> BTreeSet<QualifiedName> {
    let mut out: BTreeSet<QualifiedName> = desired
        .views
        .keys()
        .filter(|n| desired.schemas.contains_key(&n.schema) && !live.views.contains_key(*n))
        .cloned()
        .collect();
    out.extend(recreated(desired, live).into_keys());
    if options.prune {
        out.extend(undeclared(desired, live).map(|v| v.name.clone()));
    }
    out
}

impl Cx<'_> {
    pub(super) fn views(&mut self) {
        let why = recreated_why(self.desired, self.live);
        let recreated = recreated(self.desired, self.live);
        // Drops first in the diff's order: dependents before what they read.
        let mut dropped: Vec<&View> = Vec::new();
        for (name, why) in &why {
            match (self.live.views.get(name), self.desired.views.get(name)) {
                (Some(have), Some(_)) => dropped.push(have),
                (Some(have), None) => {
                    self.note(NoteKind::Error, have.object_ref(), why.undeclared());
                }
                _ => {}
            }
        }
        self.undeclared_readers_of_dropped_columns();
        self.mark_retyped_columns();
        for have in dropped {
            self.undeclared_triggers_of_recreated(have);
            self.push_view(ViewChange::Drop {
                view: Box::new(have.clone()),
                pruned: false,
                reason: recreated.get(&have.name).cloned(),
            });
        }
        let names: Vec<QualifiedName> = self.desired.views.keys().cloned().collect();
        for name in names {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let want = &self.known_column_comments(&self.desired.views[&name]);
            let relation = self.desired.relations.get(&name);
            let want_owner = relation.and_then(|r| r.owner.as_ref());
            let have = self.live.views.get(&name);
            let reason = recreated.get(&name).cloned();
            match have {
                Some(have) if reason.is_none() => {
                    self.alter_view(want, have);
                    let have_owner = self
                        .live
                        .relations
                        .get(&name)
                        .and_then(|r| r.owner.as_ref());
                    self.owner(want.object_ref(), want_owner, have_owner);
                }
                _ => {
                    let owner = self.new_owner(want_owner).map(str::to_string);
                    self.push_view(ViewChange::Create {
                        view: Box::new(want.clone()),
                        owner: want_owner.cloned(),
                        reason,
                    });
                    let acl = self.wanted_acl(&name, ObjectKind::Table);
                    let from = self.created_acl(&name.schema, ObjectKind::Table);
                    self.relation_acl(want.object_ref(), &acl, &from, owner.as_deref());
                    // Its triggers come with it (a dropped view took its own).
                    for t in want.triggers.values() {
                        self.create_trigger(&name, t);
                    }
                }
            }
        }
        let undeclared: Vec<View> = undeclared(self.desired, self.live).cloned().collect();
        for v in undeclared {
            if self.options.prune {
                self.push_view(ViewChange::Drop {
                    view: Box::new(v),
                    pruned: true,
                    reason: None,
                });
            } else {
                let what = v.kind().describe();
                self.note(
                    NoteKind::Unexpected,
                    v.object_ref(),
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
            }
        }
    }

    /// A view re-created takes its triggers: an undeclared one would be lost without
    /// `--prune`, so the plan is refused until it is declared (or pruned).
    fn undeclared_triggers_of_recreated(&mut self, have: &View) {
        if self.options.prune {
            return;
        }
        let want = &self.desired.views[&have.name];
        for name in have.triggers.keys() {
            if want.triggers.contains_key(name) {
                continue;
            }
            self.note(
                NoteKind::Error,
                ObjectRef::table_part(TablePart::Trigger, &have.name, name),
                "is not declared, and its view is re-created, which drops it: declare it so \
                 that it is created again, or use --prune to let it go"
                    .to_string(),
            );
        }
    }

    /// A declared view that exists and is not re-created.
    fn alter_view(&mut self, want: &View, have: &View) {
        if differs(want, have) == Differs::Replace {
            self.push_view(ViewChange::Replace {
                from: Box::new(have.clone()),
                to: Box::new(want.clone()),
            });
        }
        self.view_triggers(want, have);
        if want.materialized && want.with_data && !have.with_data {
            self.push_view(ViewChange::Refresh {
                name: want.name.clone(),
            });
        }
        // Indexes: a changed one is dropped and created again, without its comment.
        let mut have_index_comments = have.index_comments.clone();
        for (name, definition) in &have.indexes {
            if want.indexes.get(name) != Some(definition) {
                have_index_comments.remove(name);
                self.push_view(ViewChange::DropIndex {
                    view: want.name.clone(),
                    name: name.clone(),
                    definition: definition.clone(),
                });
            }
        }
        for (name, definition) in &want.indexes {
            if have.indexes.get(name) != Some(definition) {
                self.push_view(ViewChange::CreateIndex {
                    view: want.name.clone(),
                    name: name.clone(),
                    definition: definition.clone(),
                });
            }
        }
        self.comment(want.object_ref(), &want.comment, &have.comment);
        let columns: BTreeSet<&String> = want
            .column_comments
            .keys()
            .chain(have.column_comments.keys())
            .collect();
        for c in columns {
            let object = ObjectRef::table_part(TablePart::Column, &want.name, c);
            let (w, h) = (want.column_comments.get(c), have.column_comments.get(c));
            self.comment(object, &w.cloned(), &h.cloned());
        }
        // Comments of the indexes that exist after the plan (a dropped one takes its own).
        for i in want.indexes.keys() {
            let object = ObjectRef::table_part(TablePart::Index, &want.name, i);
            let (w, h) = (want.index_comments.get(i), have_index_comments.get(i));
            self.comment(object, &w.cloned(), &h.cloned());
        }
    }

    /// The view with the comments of columns it does not have left out, each with an
    /// error note (the columns are known once canon has read the view back).
    fn known_column_comments(&mut self, want: &View) -> View {
        let mut want = want.clone();
        if want.columns.is_empty() || want.columns.iter().any(|c| c.type_name.is_empty()) {
            return want;
        }
        let names: BTreeSet<String> = want.columns.iter().map(|c| c.name.clone()).collect();
        let unknown: Vec<String> = want
            .column_comments
            .keys()
            .filter(|c| !names.contains(*c))
            .cloned()
            .collect();
        for c in unknown {
            want.column_comments.remove(&c);
            let message = format!(
                "a comment is declared on column {}, which the view does not have; not set",
                crate::sql::display_ident(&c)
            );
            self.note(NoteKind::Error, want.object_ref(), message);
        }
        want
    }

    /// Undeclared views that read a column this plan drops: PostgreSQL refuses the drop
    /// while they exist, and they cannot be re-created without it.
    fn undeclared_readers_of_dropped_columns(&mut self) {
        let (_, dropped) = changed_columns(self.desired, self.live);
        for v in self.live.views.values() {
            if self.desired.views.contains_key(&v.name) {
                continue;
            }
            let Some((t, c)) = v.reads.iter().find_map(|(t, c)| {
                let key = (t.clone(), c.clone()?);
                dropped.contains(&key).then_some(key)
            }) else {
                continue;
            };
            let message = format!(
                "reads column {t}.{}, which this plan drops, but is not declared: declare it \
                 without that column, or drop it first (PostgreSQL refuses the drop while it \
                 exists)",
                crate::sql::display_ident(&c)
            );
            self.note(NoteKind::Error, v.object_ref(), message);
        }
    }

    /// Records on each column type change the declared views dropped before it and
    /// created again after it (the plan orders them around it).
    fn mark_retyped_columns(&mut self) {
        let (columns, _) = rebuilt_around(self.desired, self.live);
        if columns.is_empty() {
            return;
        }
        for change in &mut self.out.changes {
            let Change::Table(t) = change else { continue };
            let TableChange::AlterColumnTypes {
                table, columns: cs, ..
            } = t.as_mut()
            else {
                continue;
            };
            for c in cs {
                if let Some(views) = columns.get(&(table.clone(), c.column.clone())) {
                    c.rebuilt_views = views.clone();
                }
            }
        }
    }

    fn push_view(&mut self, change: ViewChange) {
        self.push(Change::View(Box::new(change)));
    }
}
