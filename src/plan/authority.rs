//! Steps on objects the running role may not touch, refused before anything runs: a
//! managed cloud's admin role is not a superuser, and what it may not do must be named
//! at plan time (as an `error` note, which makes the plan impossible), not fail at
//! apply. Altering, granting on or dropping an object needs its owner's privileges;
//! creating one in a schema needs `CREATE` on the schema, a schema `CREATE` on the
//! database. What it may do to roles is checked by the diff (`diff::authority`).

use super::{Action, Plan};
use crate::diff::authority::Authority;
use crate::diff::{Note, NoteKind};
use crate::model::*;
use crate::sql::{display_ident, quote_ident};

/// Adds an `error` note for each step `role` (the role that applies) may not run.
pub fn refuse_unauthorized(plan: &mut Plan, live: &Catalog, role: &str) {
    let Some(a) = Authority::of(live, role) else {
        return;
    };
    if a.superuser {
        return;
    }
    let mut notes = Vec::new();
    for step in &plan.steps {
        let object = &step.object;
        let creates_in_schema = step.action == Action::Create
            && !matches!(object, ObjectRef::TablePart { .. } | ObjectRef::Role { .. });
        let message = if creates_in_schema {
            may_create(&a, live, object)
        } else {
            owner_of(live, object)
                .filter(|owner| !a.privileges_of.contains(*owner))
                .map(|owner| {
                    format!(
                        "cannot {} as {}: needs the privileges of its owner {} (`GRANT {} TO \
                         {}`)",
                        step.summary,
                        display_ident(a.me),
                        display_ident(owner),
                        quote_ident(owner),
                        quote_ident(a.me),
                    )
                })
        };
        if let Some(message) = message {
            notes.push(Note {
                kind: NoteKind::Error,
                object: object.clone(),
                message,
            });
        }
    }
    if !notes.is_empty() {
        plan.notes.extend(notes);
        plan.notes.sort();
        plan.notes.dedup();
    }
}

/// Why the running role may not create `object`, if it may not: `CREATE` on the schema
/// it goes in (on the database, for a schema). A schema the plan creates is its own.
fn may_create(a: &Authority<'_>, live: &Catalog, object: &ObjectRef) -> Option<String> {
    let (acl, owner, on) = match object {
        ObjectRef::Schema { .. } => {
            let db = live.database.as_ref()?;
            let on = format!(
                "database {}",
                display_ident(db.name.as_deref().unwrap_or_default())
            );
            (&db.acl, db.owner.as_deref(), on)
        }
        ObjectRef::Extension { .. } | ObjectRef::Database { .. } | ObjectRef::Role { .. } => {
            return None;
        }
        _ => {
            let schema = live.schemas.get(schema_of(object)?)?;
            let on = format!("schema {}", display_ident(&schema.name));
            (&schema.acl, schema.owner.as_deref(), on)
        }
    };
    let held = |grantee: &Grantee| match grantee {
        Grantee::Public => true,
        Grantee::Role(r) => a.privileges_of.contains(r),
    };
    let granted = acl
        .0
        .iter()
        .any(|(g, privileges)| held(g) && privileges.contains_key(&Privilege::Create));
    if granted || owner.is_some_and(|o| a.privileges_of.contains(o)) {
        return None;
    }
    Some(format!(
        "cannot create it as {}: needs CREATE on {on}",
        display_ident(a.me)
    ))
}

fn schema_of(object: &ObjectRef) -> Option<&str> {
    match object {
        ObjectRef::Relation { name, .. }
        | ObjectRef::Type { name, .. }
        | ObjectRef::Collation { name } => Some(&name.schema),
        ObjectRef::Function { id } => Some(&id.schema),
        ObjectRef::TablePart { table, .. } => Some(&table.schema),
        ObjectRef::Schema { .. }
        | ObjectRef::Database { .. }
        | ObjectRef::Role { .. }
        | ObjectRef::Extension { .. } => None,
    }
}

/// The live owner of the object a step alters (a table's, for a part of it).
fn owner_of<'c>(live: &'c Catalog, object: &ObjectRef) -> Option<&'c str> {
    let owner = match object {
        ObjectRef::Database { .. } => live.database.as_ref()?.owner.as_ref(),
        ObjectRef::Schema { name } => live.schemas.get(name)?.owner.as_ref(),
        ObjectRef::Relation { name, .. } | ObjectRef::TablePart { table: name, .. } => {
            live.relations.get(name)?.owner.as_ref()
        }
        ObjectRef::Function { id } => live.functions.get(id)?.owner.as_ref(),
        ObjectRef::Type { kind, name } => match kind {
            TypeKind::Enum => live.enums.get(name)?.owner.as_ref(),
            TypeKind::Domain => live.domains.get(name)?.owner.as_ref(),
            TypeKind::Composite => live.composite_types.get(name)?.owner.as_ref(),
            TypeKind::Range => live.range_types.get(name)?.owner.as_ref(),
        },
        ObjectRef::Collation { name } => live.collations.get(name)?.owner.as_ref(),
        ObjectRef::Role { .. } | ObjectRef::Extension { .. } => None,
    };
    owner.map(String::as_str)
}
