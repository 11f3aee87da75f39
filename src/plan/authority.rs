//! Steps on objects the running role may not touch, refused before anything runs: a
//! managed cloud's admin role is not a superuser, and what it may not do must be named
//! at plan time (as an `error` note, which makes the plan impossible), not fail at
//! apply. Altering, granting on or dropping an object needs its owner's privileges;
//! creating one in a schema needs `CREATE` on the schema, a schema `CREATE` on the
//! database. What it may do to roles is checked by the diff (`diff::authority`).

use super::{Action, Exec, Plan};
use crate::diff::authority::Authority;
use crate::diff::{Note, NoteKind};
use crate::model::*;
use crate::sql::{display_ident, quote_ident};
use std::collections::BTreeMap;

/// Adds an `error` note for each step `role` (the role that applies) may not run.
pub fn refuse_unauthorized(plan: &mut Plan, live: &Catalog, role: &str) {
    let Some(mut a) = Authority::of(live, role) else {
        return;
    };
    if a.superuser {
        return;
    }
    a.add_created(plan.steps.iter().filter_map(|s| match &s.object {
        ObjectRef::Role { name } if s.action == Action::Create => Some(name),
        _ => None,
    }));
    // The owners of the schemas the plan creates (the running role, or the one it
    // names with `AUTHORIZATION`).
    let new_schemas: BTreeMap<&str, String> = (plan.steps.iter())
        .filter_map(|s| match &s.object {
            ObjectRef::Schema { name } if s.action == Action::Create => Some((
                name.as_str(),
                new_owners(&s.exec)
                    .pop()
                    .unwrap_or_else(|| a.me.to_string()),
            )),
            _ => None,
        })
        .collect();
    let mut notes = Vec::new();
    for step in &plan.steps {
        let object = &step.object;
        let creates_in_schema = step.action == Action::Create
            && !matches!(object, ObjectRef::TablePart { .. } | ObjectRef::Role { .. });
        let message = if sets_default_privileges(&step.exec) {
            // Needs the privileges of the role it is for, not of the schema's owner
            // (the diff checks that).
            None
        } else if creates_in_schema {
            may_create(&a, live, &new_schemas, object)
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
        // Whatever the step gives to another role (`OWNER TO`, `AUTHORIZATION`), it
        // must be able to `SET ROLE` to.
        for owner in new_owners(&step.exec) {
            // The new owner of an object in a schema must be able to create in it.
            if let Some(schema) = schema_of(object)
                && !matches!(object, ObjectRef::Schema { .. })
                && !role_may_create_in(live, &new_schemas, &owner, schema)
            {
                notes.push(Note {
                    kind: NoteKind::Error,
                    object: object.clone(),
                    message: format!(
                        "cannot {} as {}: its new owner {} needs CREATE on schema {}",
                        step.summary,
                        display_ident(a.me),
                        display_ident(&owner),
                        display_ident(schema),
                    ),
                });
            }
            if !a.can_set.contains(&owner) {
                notes.push(Note {
                    kind: NoteKind::Error,
                    object: object.clone(),
                    message: format!(
                        "cannot {} as {}: it gives the object to role {}, which needs `SET \
                         ROLE {}` (`GRANT {} TO {}`)",
                        step.summary,
                        display_ident(a.me),
                        display_ident(&owner),
                        quote_ident(&owner),
                        quote_ident(&owner),
                        quote_ident(a.me),
                    ),
                });
            }
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
fn may_create(
    a: &Authority<'_>,
    live: &Catalog,
    new_schemas: &BTreeMap<&str, String>,
    object: &ObjectRef,
) -> Option<String> {
    let empty = Acl::default();
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
            let name = schema_of(object)?;
            let on = format!("schema {}", display_ident(name));
            match live.schemas.get(name) {
                Some(schema) => (&schema.acl, schema.owner.as_deref(), on),
                // Created by the plan: only its owner may create in it yet.
                None => (&empty, new_schemas.get(name).map(String::as_str), on),
            }
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

/// Whether `role` may create in `schema` (as the new owner of something there must).
fn role_may_create_in(
    live: &Catalog,
    new_schemas: &BTreeMap<&str, String>,
    role: &str,
    schema: &str,
) -> bool {
    let (acl, owner) = match live.schemas.get(schema) {
        Some(s) => (Some(&s.acl), s.owner.as_deref()),
        None => (None, new_schemas.get(schema).map(String::as_str)),
    };
    // A role the plan creates holds only what it is given.
    let Some(r) = Authority::of(live, role) else {
        return owner == Some(role);
    };
    r.superuser
        || owner.is_some_and(|o| r.privileges_of.contains(o))
        || acl.is_some_and(|acl| {
            acl.0.iter().any(|(g, privileges)| {
                privileges.contains_key(&Privilege::Create)
                    && match g {
                        Grantee::Public => true,
                        Grantee::Role(g) => r.privileges_of.contains(g),
                    }
            })
        })
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
        ObjectRef::Extension { name } => live.extensions.get(name)?.owner.as_ref(),
        ObjectRef::Role { .. } => None,
    };
    owner.map(String::as_str)
}

/// The roles a step's statements make owners of something, read from their parse trees
/// (the SQL is what runs, whichever kind of object it is).
fn new_owners(exec: &Exec) -> Vec<String> {
    use pg_query::NodeEnum;
    use pg_query::protobuf::{AlterTableType, RoleSpec, RoleSpecType};
    let statements: &[String] = match exec {
        Exec::Sql(s) => s,
        Exec::NonTransactional { statements, .. } => statements,
        Exec::SetPassword { .. } => &[],
    };
    let named = |r: &Option<RoleSpec>| {
        r.as_ref()
            .filter(|r| r.roletype == RoleSpecType::RolespecCstring as i32)
            .map(|r| r.rolename.clone())
    };
    let mut out = Vec::new();
    for sql in statements {
        let Ok(parsed) = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT) else {
            continue;
        };
        for stmt in &parsed.protobuf.stmts {
            match stmt.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                Some(NodeEnum::AlterOwnerStmt(s)) => out.extend(named(&s.newowner)),
                Some(NodeEnum::CreateSchemaStmt(s)) => out.extend(named(&s.authrole)),
                Some(NodeEnum::AlterTableStmt(s)) => {
                    for cmd in &s.cmds {
                        if let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref()
                            && c.subtype == AlterTableType::AtChangeOwner as i32
                        {
                            out.extend(named(&c.newowner));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the step is `ALTER DEFAULT PRIVILEGES`.
fn sets_default_privileges(exec: &Exec) -> bool {
    let Exec::Sql(statements) = exec else {
        return false;
    };
    statements.iter().any(|sql| {
        pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).is_ok_and(|p| {
            p.protobuf.stmts.iter().any(|s| {
                matches!(
                    s.stmt.as_ref().and_then(|s| s.node.as_ref()),
                    Some(pg_query::NodeEnum::AlterDefaultPrivilegesStmt(_))
                )
            })
        })
    })
}
