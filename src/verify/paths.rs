//! Access paths that run with another role's rights: a view without `security_invoker`
//! reads its relations as its owner, a materialized view holds what its owner read, and
//! a `SECURITY DEFINER` routine runs as its owner. A privilege on one of them inside the
//! confinement is a way into whatever the owner reaches outside it.
//!
//! Views are followed through what they read (`View.reads`: the server's dependencies,
//! live and canonical), view after view, up to the first relation outside the
//! confinement. A definer routine's reach is its owner's: every schema outside the
//! confinement the owner can enter or owns. A SQL-standard body (`BEGIN ATOMIC` /
//! `RETURN`) that calls nothing but ordinary `pg_catalog` functions is narrowed to the
//! relations it names; any other body (plpgsql, a string body, a call to a user routine
//! or user operator, a `regclass` built from text, a catalog function that runs a query)
//! keeps the owner's whole reach.

use super::{Reach, holds, ident, principals};
use crate::model::*;
use pg_query::NodeRef;
use std::collections::{BTreeSet, VecDeque};

/// One path found: its kind, its words after the confined role and the hops that reach
/// it, and the schema outside the confinement it leads into.
pub(super) struct Found {
    pub kind: super::ViolationKind,
    pub end: String,
    pub reach_index: usize,
    pub schema: String,
}

pub(super) struct Ctx<'a> {
    pub state: &'a Catalog,
    pub allowed: &'a BTreeSet<&'a str>,
    pub reach: &'a [(Option<String>, Reach)],
    pub usable: &'a BTreeSet<&'a str>,
    pub version: i32,
}

impl Ctx<'_> {
    fn outside(&self, schema: &str) -> bool {
        !self.allowed.contains(schema) && !is_system_schema(schema)
    }

    /// The privileges principal `i` of the role holds on an object in `schema` whose
    /// owner runs it: none when that principal is the owner itself (its own rights are
    /// checked directly), PUBLIC's only where the role can enter the schema.
    fn privileges(&self, i: usize, schema: &str, owner: &Option<String>, acl: &Acl) -> Vec<&str> {
        let principal = &self.reach[i].0;
        if principal.is_some() && principal == owner {
            return Vec::new();
        }
        if principal.is_none() && !self.usable.contains(schema) {
            return Vec::new();
        }
        holds(acl, principal).iter().map(|p| p.as_sql()).collect()
    }
}

/// Every path through a view or a definer routine inside the confinement.
pub(super) fn owner_rights(cx: &Ctx) -> Vec<Found> {
    let mut out = Vec::new();
    views(cx, &mut out);
    definers(cx, &mut out);
    out
}

fn views(cx: &Ctx, out: &mut Vec<Found>) {
    for rel in cx.state.relations.values() {
        if !cx.allowed.contains(rel.name.schema.as_str()) {
            continue;
        }
        let Some(view) = cx.state.views.get(&rel.name) else {
            continue;
        };
        if !view.materialized && view.security_invoker {
            continue;
        }
        let owner = owner_name(&rel.owner);
        let how = if view.materialized {
            format!("(filled by its owner {owner})")
        } else {
            format!("(runs as owner {owner}, security_invoker off)")
        };
        let leads = follow(cx, view.reads.iter().map(|(r, _)| r.clone()));
        for i in 0..cx.reach.len() {
            let privs = cx.privileges(i, &rel.name.schema, &rel.owner, &rel.acl);
            if privs.is_empty() {
                continue;
            }
            for (target, via) in &leads {
                out.push(Found {
                    kind: super::ViolationKind::ViewOwnerRights,
                    end: format!(
                        "{} on {} {} {how}{via} → reads {target}",
                        privs.join(", "),
                        rel.kind.describe(),
                        rel.name
                    ),
                    reach_index: i,
                    schema: target.schema.clone(),
                });
            }
        }
    }
}

fn definers(cx: &Ctx, out: &mut Vec<Found>) {
    for f in cx.state.functions.values() {
        if !cx.allowed.contains(f.id.schema.as_str()) {
            continue;
        }
        let Some(d) = f.definition.as_ref().filter(|d| d.security_definer) else {
            continue;
        };
        let owner = owner_name(&f.owner);
        let kind = if f.is_procedure {
            "procedure"
        } else {
            "function"
        };
        // What it can touch: the relations a plain SQL body names (followed through
        // views), or else everything its owner reaches.
        let leads: Vec<(String, Vec<String>)> = match sql_body_relations(d) {
            Some(relations) => follow(cx, relations.into_iter())
                .into_iter()
                .map(|(t, via)| (format!("{via} → reads {t}"), vec![t.schema]))
                .collect(),
            None => {
                let (schemas, every) = owner_reach(cx, f.owner.as_deref());
                if schemas.is_empty() {
                    Vec::new()
                } else {
                    let list: Vec<String> = schemas.iter().map(|s| ident(s)).collect();
                    let what = match every {
                        Some(why) => format!(" → {owner} {why}"),
                        None => format!(" → {owner} can reach schema(s) {}", list.join(", ")),
                    };
                    vec![(what, schemas)]
                }
            }
        };
        for i in 0..cx.reach.len() {
            let privs = cx.privileges(i, &f.id.schema, &f.owner, &f.acl);
            if privs.is_empty() {
                continue;
            }
            for (what, schemas) in &leads {
                for schema in schemas {
                    out.push(Found {
                        kind: super::ViolationKind::SecurityDefiner,
                        end: format!(
                            "{} on {kind} {} (SECURITY DEFINER, runs as owner {owner}){what}",
                            privs.join(", "),
                            f.id
                        ),
                        reach_index: i,
                        schema: schema.clone(),
                    });
                }
            }
        }
    }
}

fn owner_name(owner: &Option<String>) -> String {
    owner.as_deref().map_or_else(|| "unknown".into(), ident)
}

/// The relations outside the confinement reached from `start` with an owner's rights:
/// a view is read as its owner (or, `security_invoker`, as the reader: still not the
/// confined role), so the walk goes through every view inside the confinement and stops
/// at the first relation outside it. Each with the hops between (" → reads a.v2 (view)").
fn follow(cx: &Ctx, start: impl Iterator<Item = QualifiedName>) -> Vec<(QualifiedName, String)> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<(QualifiedName, String)> = start.map(|r| (r, String::new())).collect();
    let mut out = Vec::new();
    while let Some((r, via)) = queue.pop_front() {
        if is_system_schema(&r.schema) || !seen.insert(r.clone()) {
            continue;
        }
        if cx.outside(&r.schema) {
            out.push((r, via));
            continue;
        }
        if let Some(v) = cx.state.views.get(&r) {
            let kind = if v.materialized {
                "materialized view"
            } else {
                "view"
            };
            let next = format!("{via} → reads {r} ({kind})");
            for (read, _) in &v.reads {
                queue.push_back((read.clone(), next.clone()));
            }
        }
    }
    out.sort();
    out
}

/// The schemas outside the confinement a routine's owner can reach with the rights it
/// runs with (its own and those it inherits, and PUBLIC's: SET ROLE is refused inside a
/// definer routine), and why it is every one of them when it is.
fn owner_reach(cx: &Ctx, owner: Option<&str>) -> (Vec<String>, Option<&'static str>) {
    let Some(role) = owner.and_then(|o| cx.state.roles.get(o)) else {
        // Nothing is known of an unknown owner's reach: assume the worst.
        return (
            outside_schemas(cx),
            Some("is not a known role: assumed to reach every schema"),
        );
    };
    let rights: Vec<Option<String>> = principals(cx.state, role, cx.version)
        .into_iter()
        .filter(|(_, r)| r.inherits)
        .map(|(p, _)| p)
        .collect();
    let superuser = rights.iter().flatten().any(|p| {
        cx.state
            .roles
            .get(p)
            .is_some_and(|r| r.attributes.superuser)
    });
    if superuser {
        return (
            outside_schemas(cx),
            Some("is SUPERUSER: reaches every schema"),
        );
    }
    let mut out = Vec::new();
    for (name, schema) in &cx.state.schemas {
        if !cx.outside(name) {
            continue;
        }
        let reaches = rights.iter().any(|p| {
            let owns = p.is_some() && schema.owner.as_ref() == p.as_ref();
            let privs = holds(&schema.acl, p);
            // USAGE on `public` alone is everyone's; it counts with something in it.
            let real = privs
                .iter()
                .any(|x| name != "public" || *x != Privilege::Usage);
            let in_public = name == "public"
                && !privs.is_empty()
                && cx.state.relations.values().any(|r| {
                    r.name.schema == "public"
                        && ((p.is_some() && r.owner.as_ref() == p.as_ref())
                            || !holds(&r.acl, p).is_empty())
                });
            owns || real || in_public
        });
        if reaches {
            out.push(name.clone());
        }
    }
    (out, None)
}

fn outside_schemas(cx: &Ctx) -> Vec<String> {
    cx.state
        .schemas
        .keys()
        .filter(|s| cx.outside(s))
        .cloned()
        .collect()
}

/// Catalog functions that run a query or read a relation named by a value.
const RUNS_QUERIES: &[&str] = &[
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "cursor_to_xml",
    "cursor_to_xmlschema",
    "table_to_xml",
    "table_to_xmlschema",
    "table_to_xml_and_xmlschema",
    "schema_to_xml",
    "schema_to_xmlschema",
    "schema_to_xml_and_xmlschema",
    "database_to_xml",
    "database_to_xmlschema",
    "database_to_xml_and_xmlschema",
    "ts_stat",
];

/// The relations a SQL-standard body names (canonical text: every name outside
/// `pg_catalog` qualified), or `None` when the body may reach more than it names.
pub(super) fn sql_body_relations(d: &RoutineDefinition) -> Option<Vec<QualifiedName>> {
    if d.language != "sql" {
        return None;
    }
    let body = d.sql_body()?;
    let parsed = pg_query::parse(&body, pg_query::ParserOptions::DEFAULT).ok()?;
    let mut out = Vec::new();
    for (node, _, _, _) in parsed.protobuf.nodes() {
        match node {
            // Unqualified: a WITH query or a `pg_catalog` relation.
            NodeRef::RangeVar(rv) if !rv.schemaname.is_empty() => {
                out.push(QualifiedName::new(&rv.schemaname, &rv.relname));
            }
            NodeRef::FuncCall(c) => {
                let name = strings(&c.funcname);
                match name.as_slice() {
                    [f] | [_, f] if RUNS_QUERIES.contains(&f.as_str()) => return None,
                    [_] => {}
                    [s, _] if s == "pg_catalog" => {}
                    _ => return None,
                }
            }
            NodeRef::AExpr(e) => {
                let name = strings(&e.name);
                if name.len() > 1 && name[0] != "pg_catalog" {
                    return None;
                }
            }
            NodeRef::TypeCast(t) => {
                let ty = t.type_name.as_ref().map(|t| strings(&t.names));
                if ty.is_some_and(|n| n.last().is_some_and(|l| l == "regclass")) {
                    return None;
                }
            }
            NodeRef::CallStmt(_) | NodeRef::DoStmt(_) => return None,
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn strings(nodes: &[pg_query::protobuf::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(pg_query::NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}
