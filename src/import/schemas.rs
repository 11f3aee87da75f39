//! A schema's file (`schema.<name>.toml`): the schema, the grants its objects share,
//! the per-object exceptions, default privileges, and its enums, domains, sequences and
//! tables.

use super::grants::{grantee_key, grants, privilege_value};
use super::values::{key, qualified_key, string};
use super::{HEADER, default_privileges, domains, enums, functions, sequences, tables};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Schemas some object of a managed kind of is left out of the import (`declarable`
/// lacks it): they are not managed whole, which would drop it.
pub(super) fn partial(live: &Catalog, declarable: &Catalog) -> BTreeSet<String> {
    fn missing<'a, V>(
        all: &'a BTreeMap<QualifiedName, V>,
        kept: &'a BTreeMap<QualifiedName, V>,
    ) -> impl Iterator<Item = String> + 'a {
        (all.keys())
            .filter(|n| !kept.contains_key(*n))
            .map(|n| n.schema.clone())
    }
    let (a, b) = (live, declarable);
    missing(&a.tables, &b.tables)
        .chain(missing(&a.sequences, &b.sequences))
        .chain(missing(&a.enums, &b.enums))
        .chain(missing(&a.domains, &b.domains))
        .chain(missing(&a.composite_types, &b.composite_types))
        .chain(missing(&a.range_types, &b.range_types))
        .chain(missing(&a.collations, &b.collations))
        .chain(missing(&a.views, &b.views))
        .chain(
            (a.functions.keys())
                .filter(|id| !b.functions.contains_key(*id))
                .map(|id| id.schema.clone()),
        )
        .collect()
}

/// The file of one schema; `whole`: nothing of it was left out, and the desired state
/// is the whole truth of it (`manage_all`).
pub(super) fn schema_file(live: &Catalog, schema: &Schema, whole: bool) -> (String, usize) {
    let mut out = String::from(HEADER);
    let _ = writeln!(out, "[schemas.{}]", key(&schema.name));
    if let Some(o) = &schema.owner {
        let _ = writeln!(out, "owner = {}", string(o));
    }
    if let Some(c) = &schema.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    let _ = writeln!(out, "grants = {}", grants(&schema.acl));
    // What was read is the whole truth of the schema: `--prune` drops what it lacks.
    if whole {
        let _ = writeln!(out, "manage_all = true");
    }

    // Objects of each kind with their ACLs.
    let mut by_kind: BTreeMap<ObjectKind, Vec<(String, &Acl)>> = BTreeMap::new();
    for r in in_schema(&live.relations, &schema.name).map(|(_, v)| v) {
        let k = qualified_key(&r.name.schema, &r.name.name);
        by_kind
            .entry(r.kind.object_kind())
            .or_default()
            .push((k, &r.acl));
    }
    for f in in_schema(&live.functions, &schema.name).map(|(_, v)| v) {
        let k = format!(
            "{}({})",
            qualified_key(&f.id.schema, &f.id.name),
            f.id.arguments
        );
        by_kind
            .entry(ObjectKind::Function)
            .or_default()
            .push((k, &f.acl));
    }
    let empty = Acl::default();
    let owner = schema.owner.clone().unwrap_or_default();
    let declared_keys: BTreeSet<String> = in_schema(&live.tables, &schema.name)
        .map(|(k, _)| k)
        .chain(in_schema(&live.sequences, &schema.name).map(|(k, _)| k))
        .chain(in_schema(&live.views, &schema.name).map(|(k, _)| k))
        .map(|n| qualified_key(&n.schema, &n.name))
        .collect();
    let mut per_object = String::new();
    let mut explicit_defaults = String::new();
    let mut relational = String::new();
    let mut objects = 0;
    let schema_owner = schema.owner.as_deref();
    for e in in_schema(&live.enums, &schema.name).map(|(_, v)| v) {
        enums::write_enum(&mut relational, e, schema_owner);
    }
    for d in in_schema(&live.domains, &schema.name).map(|(_, v)| v) {
        domains::write_domain(&mut relational, d, schema_owner);
    }
    let mut sequence_extras: BTreeMap<String, Acl> = BTreeMap::new();
    let mut table_extras: BTreeMap<String, Acl> = BTreeMap::new();
    let mut function_extras: BTreeMap<String, Acl> = BTreeMap::new();
    for kind in [
        ObjectKind::Table,
        ObjectKind::Sequence,
        ObjectKind::Function,
    ] {
        let stored = live
            .default_privileges
            .get(&DefaultPrivilegeKey {
                for_role: owner.clone(),
                schema: schema.name.clone(),
                kind,
            })
            .unwrap_or(&empty);
        // What a new object of this kind gets; the shared grants can be at most that.
        let future = stored.union(&crate::diff::builtin_default(kind));
        let members = by_kind.get(&kind).map(Vec::as_slice).unwrap_or(&[]);
        let shared = members
            .iter()
            .fold(future.clone(), |acc, (_, acl)| acc.intersection(acl));
        let field = match kind {
            ObjectKind::Table => "table_grants",
            ObjectKind::Sequence => "sequence_grants",
            _ => "function_grants",
        };
        if !shared.is_empty() {
            let _ = writeln!(out, "{field} = {}", grants(&shared));
        }
        let extra_default = stored.minus(&shared).normalized();
        if !extra_default.is_empty() {
            default_privileges::write_default_block(
                &mut explicit_defaults,
                &schema.name,
                &owner,
                kind,
                &extra_default,
            );
        }
        for (k, acl) in members {
            objects += 1;
            let extra = acl.minus(&shared).normalized();
            // Declared tables and sequences carry their grants in their own entry.
            let declared = match kind {
                ObjectKind::Table => Some(&mut table_extras),
                ObjectKind::Sequence => Some(&mut sequence_extras),
                _ => None,
            };
            if let Some(map) = declared
                && declared_keys.contains(k)
            {
                map.insert(k.clone(), extra);
                continue;
            }
            // Routines carry theirs in their `[functions]` entry.
            if kind == ObjectKind::Function {
                function_extras.insert(k.clone(), extra);
                continue;
            }
            if !extra.is_empty() {
                let _ = writeln!(per_object, "\n[{field}.{}]", string(k));
                for (grantee, privs) in &extra.0 {
                    let _ = writeln!(
                        per_object,
                        "{} = {}",
                        grantee_key(grantee),
                        privilege_value(privs)
                    );
                }
            }
        }
    }
    for (k, acl) in &live.default_privileges {
        // The owner's default privileges on types too: types carry their own grants
        // (only where they differ from PostgreSQL's default), never `type_grants`.
        let written = k.for_role == owner && k.kind != ObjectKind::Type;
        if k.schema == schema.name && !written && !acl.is_empty() {
            default_privileges::write_default_block(
                &mut explicit_defaults,
                &schema.name,
                &k.for_role,
                k.kind,
                acl,
            );
        }
    }
    for seq in in_schema(&live.sequences, &schema.name).map(|(_, v)| v) {
        let k = qualified_key(&seq.name.schema, &seq.name.name);
        let owner = live
            .relations
            .get(&seq.name)
            .and_then(|r| r.owner.clone())
            .or_else(|| seq.owner.clone());
        let seq = Sequence {
            owner,
            ..seq.clone()
        };
        sequences::write_sequence(&mut relational, &seq, schema_owner, sequence_extras.get(&k));
    }
    for t in in_schema(&live.tables, &schema.name).map(|(_, v)| v) {
        let k = qualified_key(&t.name.schema, &t.name.name);
        tables::write_table(
            &mut relational,
            t,
            live.relations.get(&t.name),
            schema_owner,
            table_extras.get(&k),
        );
    }
    for f in in_schema(&live.functions, &schema.name).map(|(_, v)| v) {
        let extra = function_extras
            .get(&functions::key(f))
            .cloned()
            .unwrap_or_default();
        functions::write_entry(&mut relational, f, schema_owner, &extra);
    }
    super::views::write_entries(&mut relational, live, schema, &table_extras);
    out.push_str(&explicit_defaults);
    out.push_str(&relational);
    out.push_str(&per_object);
    (out, objects)
}
