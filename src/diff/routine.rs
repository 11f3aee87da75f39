//! Functions and procedures declared in `.sql` files: created, replaced in place
//! (`CREATE OR REPLACE` when the arguments and the result are unchanged), dropped and
//! created again otherwise, and, in a schema that declares any, undeclared ones reported
//! or dropped with `--prune`. Owner, comment and grants as for every object; the grants
//! of a routine created here start from the built-in `PUBLIC` `EXECUTE`.

use super::acl::builtin_default;
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
    /// signature or result, otherwise it is undeclared (pruned).
    Drop { function: Function, rebuilt: bool },
}

/// Schemas whose routines are managed: those that declare at least one in a `.sql` file.
pub(crate) fn routine_schemas(desired: &Catalog) -> BTreeSet<&str> {
    desired
        .functions
        .values()
        .filter(|f| f.definition.is_some())
        .map(|f| f.id.schema.as_str())
        .collect()
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
                    &builtin_default(ObjectKind::Function),
                    owner.as_deref(),
                );
            };
            let Some(have) = live.functions.get(id) else {
                create(self, false);
                continue;
            };
            if must_rebuild(want, have) {
                self.push(Change::Routine(RoutineChange::Drop {
                    function: have.clone(),
                    rebuilt: true,
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
}
