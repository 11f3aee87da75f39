//! Work planning: which desired objects need canonicalising (their text differs from
//! the live object's), what they need created first, and which scratch schema each real
//! schema gets.

use super::SCRATCH_PREFIX;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// What has to be created, and where.
#[derive(Debug, Default)]
pub(super) struct Work {
    /// Real schema → scratch schema.
    pub(super) scratch: BTreeMap<String, String>,
    /// Real schemas that do not exist yet.
    pub(super) new_schemas: BTreeSet<String>,
    pub(super) new_extensions: Vec<String>,
    /// Enums created under their real names (absent, or renamed aside because labels
    /// are missing).
    pub(super) new_enums: Vec<QualifiedName>,
    pub(super) renamed_enums: Vec<QualifiedName>,
    /// Domains to canonicalise: `true` when created under the real name (absent live),
    /// `false` when a copy goes to the scratch schema.
    pub(super) domains: Vec<(QualifiedName, bool)>,
    pub(super) sequences: Vec<(QualifiedName, bool)>,
    /// Collations, composite and range types, like domains.
    pub(super) collations: Vec<(QualifiedName, bool)>,
    pub(super) composites: Vec<(QualifiedName, bool)>,
    pub(super) ranges: Vec<(QualifiedName, bool)>,
    /// Desired tables to canonicalise (copied to scratch).
    pub(super) tables: BTreeSet<QualifiedName>,
    /// Partition parents that only exist live and are copied to scratch for their
    /// partitions' sake.
    pub(super) live_parents: BTreeSet<QualifiedName>,
    /// Desired views to canonicalise, dependencies first (`views.rs`).
    pub(super) views: Vec<QualifiedName>,
    /// Changed tables those views read: copied to scratch again in the views' savepoint.
    pub(super) view_tables: BTreeSet<QualifiedName>,
}

impl Work {
    pub(super) fn is_empty(&self) -> bool {
        self.domains.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.collations.is_empty()
            && self.composites.is_empty()
            && self.ranges.is_empty()
            && self.views.is_empty()
    }

    /// `pending_views`: the declared views that are not settled (`views::settle`).
    pub(super) fn plan(desired: &Catalog, live: &Catalog, pending_views: &[QualifiedName]) -> Work {
        let mut w = Work::default();
        for (name, t) in &desired.tables {
            let live_t = live.tables.get(name).or_else(|| {
                t.renamed_from
                    .as_ref()
                    .and_then(|old| live.tables.get(&QualifiedName::new(&name.schema, old)))
            });
            if !live_t.is_some_and(|l| table_settled(t, l)) {
                w.tables.insert(name.clone());
            }
        }
        // A partition or an inheriting table needs its parents (and theirs) in scratch.
        let mut pending: Vec<QualifiedName> = w.tables.iter().cloned().collect();
        while let Some(name) = pending.pop() {
            let Some(t) = desired.tables.get(&name).or_else(|| live.tables.get(&name)) else {
                continue;
            };
            for parent in t.parents().cloned().collect::<Vec<_>>() {
                if desired.tables.contains_key(&parent) {
                    if w.tables.insert(parent.clone()) {
                        pending.push(parent);
                    }
                } else if live.tables.contains_key(&parent) && w.live_parents.insert(parent.clone())
                {
                    pending.push(parent);
                }
            }
        }
        for (name, d) in &desired.domains {
            match live.domains.get(name) {
                None => w.domains.push((name.clone(), true)),
                Some(l) if !domain_settled(d, l) => w.domains.push((name.clone(), false)),
                Some(_) => {}
            }
        }
        for (name, s) in &desired.sequences {
            match live.sequences.get(name) {
                // The name is held by another relation (an identity column's sequence
                // the plan drops first): a copy, since the real name is taken now.
                None if live.relations.contains_key(name) => {
                    w.sequences.push((name.clone(), false))
                }
                None => w.sequences.push((name.clone(), true)),
                Some(l) if !(s.data_type == l.data_type && s.options == l.options) => {
                    w.sequences.push((name.clone(), false))
                }
                Some(_) => {}
            }
        }
        w.collations = to_canonicalise(&desired.collations, &live.collations, |d, l| {
            (
                d.provider,
                &d.locale,
                &d.lc_collate,
                &d.lc_ctype,
                d.deterministic,
            ) == (
                l.provider,
                &l.locale,
                &l.lc_collate,
                &l.lc_ctype,
                l.deterministic,
            )
        });
        w.composites = to_canonicalise(&desired.composite_types, &live.composite_types, |d, l| {
            d.attributes == l.attributes
        });
        w.ranges = to_canonicalise(&desired.range_types, &live.range_types, |d, l| {
            (
                &d.subtype,
                &d.subtype_opclass,
                &d.collation,
                &d.canonical,
                &d.subtype_diff,
            ) == (
                &l.subtype,
                &l.subtype_opclass,
                &l.collation,
                &l.canonical,
                &l.subtype_diff,
            ) && d.multirange == l.multirange
        });
        let view_schemas = w.plan_views(pending_views, desired, live);
        if w.is_empty() {
            return w;
        }
        // Types, schemas and extensions the scratch objects may need.
        for (name, e) in &desired.enums {
            match live.enums.get(name) {
                None => w.new_enums.push(name.clone()),
                Some(l) if !e.values.iter().all(|v| l.values.contains(v)) => {
                    w.renamed_enums.push(name.clone());
                    w.new_enums.push(name.clone());
                }
                Some(_) => {}
            }
        }
        for name in desired.extensions.keys() {
            if !live.extensions.contains_key(name) {
                w.new_extensions.push(name.clone());
            }
        }
        let mut real: BTreeSet<&str> = desired.schemas.keys().map(String::as_str).collect();
        real.extend(desired.tables.keys().map(|n| n.schema.as_str()));
        real.extend(desired.enums.keys().map(|n| n.schema.as_str()));
        real.extend(desired.domains.keys().map(|n| n.schema.as_str()));
        real.extend(desired.sequences.keys().map(|n| n.schema.as_str()));
        real.extend(desired.collations.keys().map(|n| n.schema.as_str()));
        real.extend(desired.composite_types.keys().map(|n| n.schema.as_str()));
        real.extend(desired.range_types.keys().map(|n| n.schema.as_str()));
        real.extend(desired.views.keys().map(|n| n.schema.as_str()));
        real.extend(
            desired
                .extensions
                .values()
                .filter_map(|e| e.schema.as_deref()),
        );
        w.new_schemas = real
            .into_iter()
            .filter(|s| !live.schemas.contains_key(*s) && !is_system_schema(s) && *s != "public")
            .map(str::to_string)
            .collect();
        // One scratch schema per real schema holding copies.
        let mut needs_scratch: BTreeSet<String> = w
            .tables
            .iter()
            .chain(&w.live_parents)
            .map(|n| n.schema.clone())
            .collect();
        needs_scratch.extend(
            w.domains
                .iter()
                .chain(&w.sequences)
                .chain(&w.collations)
                .chain(&w.composites)
                .chain(&w.ranges)
                .filter(|(_, real)| !real)
                .map(|(n, _)| n.schema.clone()),
        );
        needs_scratch.extend(view_schemas);
        let mut n = 0;
        for schema in needs_scratch {
            let name = loop {
                let candidate = format!("{SCRATCH_PREFIX}{n}");
                n += 1;
                if !live.schemas.contains_key(&candidate)
                    && !desired.schemas.contains_key(&candidate)
                {
                    break candidate;
                }
            };
            w.scratch.insert(schema, name);
        }
        w
    }

    pub(super) fn scratch_name(&self, name: &QualifiedName) -> QualifiedName {
        QualifiedName::new(self.scratch[&name.schema].clone(), name.name.clone())
    }
}

/// Whether every piece of canonical text of desired table `d` already equals the live
/// table's (so canonicalising it would change nothing).
fn table_settled(d: &Table, l: &Table) -> bool {
    if d.partition_by.is_some() && d.partition_by != l.partition_by {
        return false;
    }
    match (&d.partition_of, &l.partition_of) {
        (None, _) => {}
        (Some(dp), Some(lp)) if dp.bound == lp.bound => {}
        _ => return false,
    }
    for c in &d.columns {
        let Some(lc) = l
            .column(&c.name)
            .or_else(|| c.renamed_from.as_deref().and_then(|old| l.column(old)))
        else {
            return false;
        };
        if c.type_name != lc.type_name
            || (c.collation.is_some() && c.collation != lc.collation)
            || (c.default.is_some() && c.default != lc.default)
            || (c.generated.is_some() && c.generated != lc.generated)
            || (c.identity.is_some() && c.identity != lc.identity)
        {
            return false;
        }
    }
    for (name, con) in &d.constraints {
        if !matches!(
            con.kind,
            ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. }
        ) {
            continue;
        }
        let lc = l.constraints.get(name).or_else(|| {
            con.renamed_from
                .as_ref()
                .and_then(|old| l.constraints.get(old))
        });
        if !lc.is_some_and(|lc| lc.kind == con.kind) {
            return false;
        }
    }
    for (name, i) in &d.indexes {
        let li = l
            .indexes
            .get(name)
            .or_else(|| i.renamed_from.as_ref().and_then(|old| l.indexes.get(old)));
        let Some(li) = li else { return false };
        if i.method != li.method
            || i.keys != li.keys
            || i.predicate != li.predicate
            || i.with != li.with
            || i.unique != li.unique
            || i.nulls_not_distinct != li.nulls_not_distinct
            || i.include != li.include
        {
            return false;
        }
    }
    for (name, p) in &d.policies {
        let Some(lp) = l.policies.get(name) else {
            return false;
        };
        if p.using != lp.using || p.with_check != lp.with_check || p.command != lp.command {
            return false;
        }
    }
    // Only a trigger's WHEN condition has a canonical form.
    for (name, t) in &d.triggers {
        if t.when.is_some() && l.triggers.get(name).is_none_or(|lt| lt.when != t.when) {
            return false;
        }
    }
    true
}

fn domain_settled(d: &Domain, l: &Domain) -> bool {
    d.base_type == l.base_type
        && (d.collation.is_none() || d.collation == l.collation)
        && (d.default.is_none() || d.default == l.default)
        && d.checks.iter().all(|(n, x)| l.checks.get(n) == Some(x))
}

/// Desired objects whose text differs from the live one's: `(name, true)` when absent
/// live (created under the real name), `(name, false)` when a copy goes to scratch.
fn to_canonicalise<T>(
    desired: &BTreeMap<QualifiedName, T>,
    live: &BTreeMap<QualifiedName, T>,
    settled: impl Fn(&T, &T) -> bool,
) -> Vec<(QualifiedName, bool)> {
    desired
        .iter()
        .filter_map(|(name, d)| match live.get(name) {
            None => Some((name.clone(), true)),
            Some(l) if !settled(d, l) => Some((name.clone(), false)),
            Some(_) => None,
        })
        .collect()
}
