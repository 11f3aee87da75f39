//! Live names the desired state cannot declare. PostgreSQL accepts line breaks, ESC and
//! bidi controls in quoted identifiers; `validate` rejects them (they read as something
//! else in every plan and review). `import` therefore leaves out every object such a
//! name belongs to, and every grant or membership that names one, and says so: the
//! files it writes always load, and everything else still plans back as empty. What
//! was left out then shows in the plan as pgrecon would treat any undeclared object:
//! a grant to a left-out role on a managed object is revoked, a left-out role or table
//! is reported as unmanaged.

use crate::escape::has_unsafe;
use crate::model::*;
use crate::sql::{display_ident, qualified};

fn bad_name(q: &QualifiedName) -> bool {
    has_unsafe(&q.schema) || has_unsafe(&q.name)
}

fn bad_owner(owner: &Option<String>) -> bool {
    owner.as_deref().is_some_and(has_unsafe)
}

const WHY: &str = "its name has a line break or control character, which the desired state \
                   cannot declare; rename it to manage it";

/// Removes grants to roles that cannot be declared; `true` when there were any.
fn strip_acl(acl: &mut Acl) -> bool {
    let before = acl.0.len();
    acl.0
        .retain(|g, _| !matches!(g, Grantee::Role(r) if has_unsafe(r)));
    acl.0.len() != before
}

/// A table whose declaration would need an undeclarable name: its own, its owner's, a
/// column's, a type's, a constraint's, an index's, a policy's or a policy role's.
fn table_needs_bad_name(t: &Table) -> bool {
    bad_name(&t.name)
        || t.columns.iter().any(|c| {
            has_unsafe(&c.name)
                || has_unsafe(&c.type_name)
                || c.collation.as_deref().is_some_and(has_unsafe)
        })
        || t.constraints.iter().any(|(n, c)| {
            has_unsafe(n)
                || matches!(&c.kind, ConstraintKind::ForeignKey { references, .. }
                    if bad_name(references))
        })
        || t.indexes.keys().any(|n| has_unsafe(n))
        || t.policies
            .iter()
            .any(|(n, p)| has_unsafe(n) || p.roles.iter().any(|r| has_unsafe(r)))
        || t.parents().any(bad_name)
        || t.triggers.iter().any(|(n, tr)| {
            has_unsafe(n)
                || bad_name(&tr.function)
                || tr.arguments.iter().any(|a| has_unsafe(a))
                || tr.when.as_deref().is_some_and(has_unsafe)
        })
}

/// The catalog `import` can write, and a note for each thing it left out.
pub(super) fn declarable(live: &Catalog) -> (Catalog, Vec<String>) {
    let mut c = live.clone();
    let mut notes = Vec::new();

    let bad_roles: Vec<String> = c.roles.keys().filter(|r| has_unsafe(r)).cloned().collect();
    for r in &bad_roles {
        c.roles.remove(r);
        notes.push(format!("role {} is left out: {WHY}", display_ident(r)));
    }
    for role in c.roles.values_mut() {
        let name = role.name.clone();
        role.member_of.retain(|group, _| {
            let keep = !has_unsafe(group);
            if !keep {
                notes.push(format!(
                    "membership of role {} in role {} is left out: the group's {WHY}",
                    display_ident(&name),
                    display_ident(group)
                ));
            }
            keep
        });
    }

    let mut stripped = false;
    if let Some(db) = &mut c.database {
        stripped |= strip_acl(&mut db.acl);
    }
    for s in c.schemas.values_mut() {
        stripped |= strip_acl(&mut s.acl);
        for acl in s.object_grants.values_mut() {
            stripped |= strip_acl(acl);
        }
    }
    for r in c.relations.values_mut() {
        stripped |= strip_acl(&mut r.acl);
    }
    for f in c.functions.values_mut() {
        stripped |= strip_acl(&mut f.acl);
    }
    for t in c.tables.values_mut() {
        for col in &mut t.columns {
            stripped |= strip_acl(&mut col.acl);
        }
    }
    c.default_privileges.retain(|k, _| !has_unsafe(&k.for_role));
    for acl in c.default_privileges.values_mut() {
        stripped |= strip_acl(acl);
    }
    if stripped {
        notes.push(
            "grants to roles that are left out are left out too: on the objects pgrecon \
             manages, the plan revokes them"
                .into(),
        );
    }

    let bad_schemas: Vec<String> = c
        .schemas
        .values()
        .filter(|s| has_unsafe(&s.name) || bad_owner(&s.owner))
        .map(|s| s.name.clone())
        .collect();
    for s in &bad_schemas {
        let owner = c.schemas[s].owner.clone();
        c.schemas.remove(s);
        if has_unsafe(s) {
            notes.push(format!("schema {} is left out: {WHY}", display_ident(s)));
        } else {
            notes.push(format!(
                "schema {} is left out: its owner {} cannot be declared ({WHY})",
                display_ident(s),
                display_ident(owner.as_deref().unwrap_or_default())
            ));
        }
    }

    // Relations with such a name cannot even carry per-object grants.
    let bad_relations: Vec<QualifiedName> = c
        .relations
        .keys()
        .filter(|n| bad_name(n))
        .cloned()
        .collect();
    for n in &bad_relations {
        c.relations.remove(n);
    }
    // Declarations: a table, sequence or type whose definition needs such a name. A
    // left-out table takes the tables that reference it or are its partitions along.
    loop {
        let bad: Vec<QualifiedName> = c
            .tables
            .values()
            .filter(|t| {
                table_needs_bad_name(t)
                    || bad_owner(&c.relations.get(&t.name).and_then(|r| r.owner.clone()))
                    || !c.schemas.contains_key(&t.name.schema)
                    || t.constraints.values().any(|k| {
                        matches!(&k.kind, ConstraintKind::ForeignKey { references, .. }
                            if live.tables.contains_key(references)
                                && !c.tables.contains_key(references))
                    })
                    || t.parents()
                        .any(|p| live.tables.contains_key(p) && !c.tables.contains_key(p))
            })
            .map(|t| t.name.clone())
            .collect();
        if bad.is_empty() {
            break;
        }
        for n in bad {
            c.tables.remove(&n);
            notes.push(format!(
                "table {} is left out: it, its owner, or something in it or that it \
                 references has a name with a line break or control character, which the \
                 desired state cannot declare; rename it to manage the table",
                qualified(&n.schema, &n.name)
            ));
        }
    }
    let bad_sequences: Vec<QualifiedName> = c
        .sequences
        .values()
        .filter(|s| {
            bad_name(&s.name)
                || bad_owner(&s.owner)
                || bad_owner(&c.relations.get(&s.name).and_then(|r| r.owner.clone()))
                || !c.schemas.contains_key(&s.name.schema)
                || s.owned_by.as_ref().is_some_and(|(table, column)| {
                    has_unsafe(column)
                        || (live.tables.contains_key(table) && !c.tables.contains_key(table))
                })
        })
        .map(|s| s.name.clone())
        .collect();
    for n in bad_sequences {
        c.sequences.remove(&n);
        notes.push(format!(
            "sequence {} is left out: {WHY}",
            qualified(&n.schema, &n.name)
        ));
    }
    c.enums.retain(|n, e| {
        let keep = !bad_name(n) && !bad_owner(&e.owner);
        if !keep {
            notes.push(format!(
                "enum {} is left out: {WHY}",
                qualified(&n.schema, &n.name)
            ));
        }
        keep
    });
    c.domains.retain(|n, d| {
        let keep = !bad_name(n) && !bad_owner(&d.owner) && !d.checks.keys().any(|k| has_unsafe(k));
        if !keep {
            notes.push(format!(
                "domain {} is left out: {WHY}",
                qualified(&n.schema, &n.name)
            ));
        }
        keep
    });
    c.collations.retain(|n, x| {
        let keep = !bad_name(n) && !bad_owner(&x.owner);
        if !keep {
            notes.push(format!(
                "collation {} is left out: {WHY}",
                qualified(&n.schema, &n.name)
            ));
        }
        keep
    });
    c.composite_types.retain(|n, t| {
        let keep = !bad_name(n)
            && !bad_owner(&t.owner)
            && !t.attributes.iter().any(|a| has_unsafe(&a.name));
        if !keep {
            notes.push(format!(
                "composite type {} is left out: {WHY}",
                qualified(&n.schema, &n.name)
            ));
        }
        keep
    });
    c.range_types.retain(|n, r| {
        let keep = !bad_name(n) && !bad_owner(&r.owner) && !bad_name(&r.multirange);
        if !keep {
            notes.push(format!(
                "range type {} is left out: {WHY}",
                qualified(&n.schema, &n.name)
            ));
        }
        keep
    });
    c.functions.retain(|id, _| {
        let keep = !has_unsafe(&id.schema) && !has_unsafe(&id.name) && !has_unsafe(&id.arguments);
        if !keep {
            notes.push(format!("function {id} is left out: {WHY}"));
        }
        keep
    });
    c.extensions.retain(|n, _| {
        let keep = !has_unsafe(n);
        if !keep {
            notes.push(format!("extension {} is left out: {WHY}", display_ident(n)));
        }
        keep
    });
    for n in &bad_relations {
        notes.push(format!(
            "{} is left out: {WHY}; the grants its schema declares for every object still \
             apply to it",
            qualified(&n.schema, &n.name)
        ));
    }
    (c, notes)
}
