//! Functions and procedures declared in `.sql` files: created, replaced in place
//! (`CREATE OR REPLACE` when the arguments and the result are unchanged), dropped and
//! created again otherwise, and, in a schema that declares any, undeclared ones reported
//! or dropped with `--prune`. Owner, comment and grants as for every object; the grants
//! of a routine created here start from the built-in `PUBLIC` `EXECUTE`.

use super::{Change, Cx, DiffOptions, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// One change to a routine's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutineChange {
    /// `CREATE FUNCTION|PROCEDURE` (the canonical statement), with the owner, comment and
    /// the declared grants; `rebuilt` when it replaces a dropped one.
    Create { function: Function, rebuilt: bool },
    /// `CREATE OR REPLACE`: same arguments and result, another body or attributes.
    Replace { function: Function, from: String },
    /// `DROP FUNCTION|PROCEDURE`; `rebuilt` when it is created again with a new
    /// signature or result, otherwise it is undeclared (pruned). `rebuilds`: the views
    /// and indexes that call it, dropped before it and created again after it.
    Drop {
        function: Function,
        rebuilt: bool,
        rebuilds: Vec<ObjectRef>,
    },
}

/// Schemas whose routines are managed: those that declare at least one in a `.sql` file,
/// and those managed whole.
pub(crate) fn routine_schemas(desired: &Catalog) -> BTreeSet<&str> {
    desired
        .functions
        .values()
        .filter(|f| f.definition.is_some())
        .map(|f| f.id.schema.as_str())
        .chain(whole_schemas(desired))
        .collect()
}

/// Schemas the desired state is the whole truth of (`manage_all`).
pub(crate) fn whole_schemas(desired: &Catalog) -> impl Iterator<Item = &str> {
    (desired.schemas.values())
        .filter(|s| s.manage_all)
        .map(|s| s.name.as_str())
}

/// Whether a declared routine must be dropped and created again to become `want`.
fn must_rebuild(want: &Function, have: &Function) -> bool {
    let (Some(w), Some(h)) = (&want.definition, &have.definition) else {
        return false;
    };
    w.text != h.text
        && (want.is_procedure != have.is_procedure
            || w.result != h.result
            || w.arguments != h.arguments)
}

/// Declared routines that are dropped and created again (arguments or result change).
pub(super) fn rebuilt_routines(desired: &Catalog, live: &Catalog) -> BTreeSet<FunctionId> {
    desired
        .functions
        .values()
        .filter(|want| desired.schemas.contains_key(&want.id.schema))
        .filter(|want| {
            live.functions
                .get(&want.id)
                .is_some_and(|have| must_rebuild(want, have))
        })
        .map(|f| f.id.clone())
        .collect()
}

/// Live indexes of declared tables that call a routine this plan re-creates and are
/// declared under the same name: dropped before it and built again after it.
pub(super) fn rebuilt_indexes(desired: &Catalog, live: &Catalog) -> BTreeSet<RoutineUser> {
    let rebuilt = rebuilt_routines(desired, live);
    rebuilt
        .iter()
        .filter_map(|id| live.functions.get(id))
        .flat_map(|f| &f.used_by)
        .filter(|u| {
            u.kind == RoutineUserKind::Index
                && desired
                    .tables
                    .get(&u.table)
                    .is_some_and(|t| t.indexes.contains_key(&u.name))
        })
        .cloned()
        .collect()
}

/// Live routines whose grants this file plans (dropped and created again, or pruned), so
/// that `objects()` leaves them alone.
pub(super) fn functions_with_own_grants(
    desired: &Catalog,
    live: &Catalog,
    options: &DiffOptions,
) -> BTreeSet<FunctionId> {
    let managed = routine_schemas(desired);
    live.functions
        .values()
        .filter(|have| {
            if !desired.schemas.contains_key(&have.id.schema) {
                return false;
            }
            match desired.functions.get(&have.id) {
                Some(want) => must_rebuild(want, have),
                None => options.prune && managed.contains(have.id.schema.as_str()),
            }
        })
        .map(|f| f.id.clone())
        .collect()
}

impl Cx<'_> {
    pub(super) fn routines(&mut self) {
        let desired = self.desired;
        let live = self.live;
        let empty = Acl::default();
        for (id, want) in &desired.functions {
            if want.definition.is_none() {
                continue;
            }
            let Some(schema) = desired.schemas.get(&id.schema) else {
                continue;
            };
            let object = ObjectRef::Function { id: id.clone() };
            let create = |cx: &mut Self, rebuilt: bool| {
                cx.push(Change::Routine(RoutineChange::Create {
                    function: want.clone(),
                    rebuilt,
                }));
                let base = schema
                    .object_grants
                    .get(&ObjectKind::Function)
                    .unwrap_or(&empty);
                let owner = cx.new_owner(want.owner.as_ref()).map(str::to_string);
                cx.acl(
                    ObjectKind::Function,
                    std::slice::from_ref(&object),
                    &base.union(&want.acl),
                    &cx.created_acl(&id.schema, ObjectKind::Function),
                    owner.as_deref(),
                );
            };
            let Some(have) = live.functions.get(id) else {
                create(self, false);
                continue;
            };
            if must_rebuild(want, have) {
                let rebuilds = self.routine_dependents(have);
                self.push(Change::Routine(RoutineChange::Drop {
                    function: have.clone(),
                    rebuilt: true,
                    rebuilds,
                }));
                create(self, true);
                continue;
            }
            if let (Some(w), Some(h)) = (&want.definition, &have.definition)
                && w.text != h.text
            {
                self.push(Change::Routine(RoutineChange::Replace {
                    function: want.clone(),
                    from: h.text.clone(),
                }));
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
        let managed = routine_schemas(desired);
        for (id, have) in &live.functions {
            if !managed.contains(id.schema.as_str()) || desired.functions.contains_key(id) {
                continue;
            }
            let what = if have.is_procedure {
                "procedure"
            } else {
                "function"
            };
            if self.options.prune {
                self.push(Change::Routine(RoutineChange::Drop {
                    function: have.clone(),
                    rebuilt: false,
                    rebuilds: Vec::new(),
                }));
            } else {
                self.note(
                    NoteKind::Unexpected,
                    ObjectRef::Function { id: id.clone() },
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
            }
        }
    }

    /// What calls a routine dropped and created again: declared views and indexes are
    /// re-created around it (returned, for the plan to list); anything else of a table
    /// (a default, generated column, check, trigger, policy, or an undeclared index)
    /// cannot be, and is an error note naming it (undeclared views get theirs from
    /// `views`).
    fn routine_dependents(&mut self, have: &Function) -> Vec<ObjectRef> {
        let (_, views) = super::view::rebuilt_around(self.desired, self.live);
        let mut out: Vec<ObjectRef> = views
            .get(&have.id)
            .into_iter()
            .flatten()
            .filter_map(|v| self.desired.views.get(v))
            .map(View::object_ref)
            .collect();
        let indexes = rebuilt_indexes(self.desired, self.live);
        for u in &have.used_by {
            if indexes.contains(u) {
                out.push(ObjectRef::table_part(TablePart::Index, &u.table, &u.name));
                continue;
            }
            let message = format!(
                "is dropped and created again (its arguments or result change), but {} \
                 calls it and cannot be re-created with it: change or drop that first, or \
                 keep the arguments and result",
                u.describe()
            );
            self.note(
                NoteKind::Error,
                ObjectRef::Function {
                    id: have.id.clone(),
                },
                message,
            );
        }
        out
    }
}
