//! Views and materialized views: their definitions as a `.sql` file per schema
//! (`schema.<schema>.views.sql`, canonical `pg_get_viewdef` text, views before the views that
//! read them), and `[views."s.v"]` entries in the schema's file for owner, comment,
//! grants and column comments.

use super::grants::grants;
use super::values::{key, object_key, string, write_owner};
use crate::ddl::view::{ViewSql, create_view};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The `.sql` file of a schema's views, or `None` when it has none.
pub(super) fn sql_file(live: &Catalog, schema: &str) -> Option<String> {
    let views: Vec<&View> = in_schema(&live.views, schema).map(|(_, v)| v).collect();
    if views.is_empty() {
        return None;
    }
    let names: BTreeSet<&QualifiedName> = views.iter().map(|v| &v.name).collect();
    let mut done: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut out = String::from("-- written by pgrecon import\n");
    while done.len() < views.len() {
        let ready: Vec<&View> = views
            .iter()
            .filter(|v| !done.contains(&v.name))
            .filter(|v| {
                v.reads
                    .iter()
                    .all(|(r, _)| r == &v.name || !names.contains(r) || done.contains(r))
            })
            .copied()
            .collect();
        // A cycle cannot exist; take the rest in name order if the reads say otherwise.
        let next = if ready.is_empty() {
            views
                .iter()
                .filter(|v| !done.contains(&v.name))
                .copied()
                .collect()
        } else {
            ready
        };
        for v in next {
            done.insert(&v.name);
            out.push('\n');
            out.push_str(&create_view(&ViewSql {
                name: &v.name,
                view: v,
                definition: &v.definition,
                or_replace: false,
                column_list: false,
                no_data: false,
            }));
            out.push_str(";\n");
            for definition in v.indexes.values() {
                out.push_str(definition);
                out.push_str(";\n");
            }
        }
    }
    Some(out)
}

/// The `[views."s.v"]` entries of a schema: what is not the default (owner other than
/// the schema's, comments, grants beyond the schema's `table_grants`).
pub(super) fn write_entries(
    out: &mut String,
    live: &Catalog,
    schema: &Schema,
    extra_grants: &BTreeMap<String, Acl>,
) {
    for v in in_schema(&live.views, &schema.name).map(|(_, v)| v) {
        let relation = live.relations.get(&v.name);
        let extra = extra_grants
            .get(&crate::sql::qualified(&v.name.schema, &v.name.name))
            .filter(|a| !a.is_empty());
        let owner = relation
            .and_then(|r| r.owner.as_deref())
            .filter(|o| Some(*o) != schema.owner.as_deref());
        if owner.is_none()
            && v.comment.is_none()
            && v.column_comments.is_empty()
            && v.index_comments.is_empty()
            && v.triggers.values().all(|t| t.comment.is_none())
            && extra.is_none()
        {
            continue;
        }
        let _ = writeln!(out, "\n[views.{}]", object_key(&v.name));
        write_owner(out, owner, schema.owner.as_deref());
        if let Some(c) = &v.comment {
            let _ = writeln!(out, "comment = {}", string(c));
        }
        if let Some(acl) = extra {
            let _ = writeln!(out, "grants = {}", grants(acl));
        }
        if !v.column_comments.is_empty() {
            let items: Vec<String> = v
                .column_comments
                .iter()
                .map(|(c, text)| format!("{} = {}", key(c), string(text)))
                .collect();
            let _ = writeln!(out, "column_comments = {{ {} }}", items.join(", "));
        }
        if !v.index_comments.is_empty() {
            let items: Vec<String> = v
                .index_comments
                .iter()
                .map(|(i, text)| format!("{} = {}", key(i), string(text)))
                .collect();
            let _ = writeln!(out, "index_comments = {{ {} }}", items.join(", "));
        }
        let triggers: Vec<String> = v
            .triggers
            .iter()
            .filter_map(|(n, t)| {
                let c = t.comment.as_ref()?;
                Some(format!("{} = {{ comment = {} }}", key(n), string(c)))
            })
            .collect();
        if !triggers.is_empty() {
            let _ = writeln!(out, "triggers = {{ {} }}", triggers.join(", "));
        }
    }
}

/// The catalog without the views its desired state could not create on an empty
/// database: those calling a routine pgrecon does not manage (functions' definitions
/// are not managed yet; aggregates never are), and the views that read them. Each one
/// left out gets a note; it stays in the database, unexpected where views are managed.
pub(super) fn declarable(mut c: Catalog) -> (Catalog, Vec<String>) {
    let mut out: BTreeMap<QualifiedName, String> = c
        .views
        .values()
        .filter_map(|v| {
            // Routines the import declares are created before the view; anything else
            // (an aggregate, a routine of a schema left out) could not be.
            let missing: Vec<String> = v
                .calls
                .iter()
                .filter(|id| c.functions.get(*id).is_none_or(|f| f.definition.is_none()))
                .map(|id| id.to_string())
                .collect();
            (!missing.is_empty()).then(|| {
                let why = format!(
                    "it calls {}, which pgrecon does not manage",
                    missing.join(", ")
                );
                (v.name.clone(), why)
            })
        })
        .collect();
    loop {
        let more: Vec<(QualifiedName, String)> = c
            .views
            .values()
            .filter(|v| !out.contains_key(&v.name))
            .filter_map(|v| {
                let r = v.reads.iter().find(|(r, _)| out.contains_key(r))?;
                Some((
                    v.name.clone(),
                    format!("it reads {}, which is left out", r.0),
                ))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        out.extend(more);
    }
    let mut notes: Vec<String> = out
        .iter()
        .map(|(name, why)| {
            let kind = c.views[name].kind().describe();
            format!("{kind} {name} is left out: {why}")
        })
        .collect();
    for name in out.keys() {
        c.views.remove(name);
    }
    // Views whose names cannot be declared: left out with a note by `names`.
    let relations = &c.relations;
    c.views.retain(|n, _| relations.contains_key(n));
    // Triggers whose declaration would need an undeclarable name.
    use crate::escape::has_unsafe;
    for v in c.views.values_mut() {
        let view = v.name.clone();
        v.triggers.retain(|n, tr| {
            let bad = has_unsafe(n)
                || has_unsafe(&tr.function.schema)
                || has_unsafe(&tr.function.name)
                || tr.arguments.iter().any(|a| has_unsafe(a))
                || tr.when.as_deref().is_some_and(has_unsafe);
            if bad {
                notes.push(format!(
                    "trigger {} on {view} is left out: a name or text it needs has a line \
                     break or control character, which the desired state cannot declare",
                    crate::sql::display_ident(n)
                ));
            }
            !bad
        });
    }
    (c, notes)
}
