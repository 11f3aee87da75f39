//! Merging the read-back: the canonical text of the scratch copies into the desired
//! catalog, with scratch schema names mapped back to the real ones.

use super::work::Work;
use super::{CanonError, SCRATCH_PREFIX};
use crate::model::*;
use crate::sql::quote_ident;
use std::collections::BTreeMap;

impl Work {
    /// Copies the canonical text read back from the scratch objects into `desired`.
    /// Tables of `names` come from this read-back; domains and sequences too when
    /// `types` is set (they exist in every chunk's read-back).
    pub(super) fn merge(
        &self,
        out: &mut Catalog,
        names: &[QualifiedName],
        types: bool,
        read_back: &Catalog,
        quoted: &BTreeMap<String, String>,
    ) -> Result<(), CanonError> {
        // `pgrecon_canon_1.x` → `general.x` in every text that was read back.
        let replacements: Vec<(String, String)> = self
            .scratch
            .iter()
            .map(|(real, scratch)| {
                let q = quoted
                    .get(real)
                    .cloned()
                    .unwrap_or_else(|| quote_ident(real));
                (format!("{scratch}."), format!("{q}."))
            })
            .collect();
        let fix = |text: &str| -> String {
            if !text.contains(SCRATCH_PREFIX) {
                return text.to_string();
            }
            let mut out = text.to_string();
            for (from, to) in &replacements {
                out = out.replace(from.as_str(), to.as_str());
            }
            out
        };
        let missing = |what: String| {
            CanonError::Database(format!(
                "the scratch copy of {what} was not found when reading it back; this is a bug"
            ))
        };
        for name in names.iter().filter(|n| self.tables.contains(*n)) {
            let rb = read_back
                .tables
                .get(&self.scratch_name(name))
                .ok_or_else(|| missing(format!("table {name}")))?;
            let t = out.tables.get_mut(name).expect("desired table");
            merge_table(t, rb, &fix);
        }
        if !types {
            return Ok(());
        }
        for (name, real) in &self.domains {
            let at = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let rb = read_back
                .domains
                .get(&at)
                .ok_or_else(|| missing(format!("domain {name}")))?;
            let d = out.domains.get_mut(name).expect("desired domain");
            d.base_type = fix(&rb.base_type);
            d.collation = rb.collation.as_deref().map(fix);
            if d.default.is_some() {
                d.default = rb.default.as_deref().map(fix);
            }
            for (cname, expr) in d.checks.iter_mut() {
                if let Some(x) = rb.checks.get(cname) {
                    *expr = fix(x);
                }
            }
        }
        self.merge_user_types(out, read_back, &fix)?;
        for (name, real) in &self.sequences {
            let at = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let rb = read_back
                .sequences
                .get(&at)
                .ok_or_else(|| missing(format!("sequence {name}")))?;
            let s = out.sequences.get_mut(name).expect("desired sequence");
            s.data_type = fix(&rb.data_type);
            s.options = rb.options.clone();
        }
        Ok(())
    }
}

/// Copies the canonical text of the scratch copy `rb` into desired table `t`. Fields the
/// desired state leaves unset stay unset (a partition created with `PARTITION OF` takes
/// its parent's defaults, which the desired state did not ask for).
fn merge_table(t: &mut Table, rb: &Table, fix: &dyn Fn(&str) -> String) {
    for c in t.columns.iter_mut() {
        let Some(r) = rb.column(&c.name) else {
            continue;
        };
        c.type_name = fix(&r.type_name);
        c.collation = r.collation.as_deref().map(fix);
        if c.default.is_some() {
            c.default = r.default.as_deref().map(fix);
        }
        if c.generated.is_some() {
            c.generated = r.generated.as_deref().map(fix);
        }
        if c.identity.is_some() {
            c.identity = r.identity.clone();
        }
    }
    for (name, con) in t.constraints.iter_mut() {
        let Some(r) = rb.constraints.get(name) else {
            continue;
        };
        match (&mut con.kind, &r.kind) {
            (
                ConstraintKind::Check { expression, .. },
                ConstraintKind::Check { expression: rx, .. },
            ) => *expression = fix(rx),
            (
                ConstraintKind::Exclusion {
                    method,
                    elements,
                    predicate,
                },
                ConstraintKind::Exclusion {
                    method: rm,
                    elements: re,
                    predicate: rp,
                },
            ) => {
                *method = rm.clone();
                *elements = re
                    .iter()
                    .map(|e| ExclusionElement {
                        column: e.column.clone(),
                        expression: e.expression.as_deref().map(fix),
                        operator: fix(&e.operator),
                    })
                    .collect();
                *predicate = rp.as_deref().map(fix);
            }
            _ => {}
        }
    }
    for (name, i) in t.indexes.iter_mut() {
        let Some(r) = rb.indexes.get(name) else {
            continue;
        };
        i.method = r.method.clone();
        i.unique = r.unique;
        i.nulls_not_distinct = r.nulls_not_distinct;
        i.keys = r
            .keys
            .iter()
            .map(|k| IndexKey {
                column: k.column.clone(),
                expression: k.expression.as_deref().map(fix),
                opclass: k.opclass.as_deref().map(fix),
                collation: k.collation.as_deref().map(fix),
                descending: k.descending,
                nulls_first: k.nulls_first,
            })
            .collect();
        i.include = r.include.clone();
        i.predicate = r.predicate.as_deref().map(fix);
        i.with = r.with.clone();
    }
    for (name, p) in t.policies.iter_mut() {
        let Some(r) = rb.policies.get(name) else {
            continue;
        };
        p.command = r.command.clone();
        p.using = r.using.as_deref().map(fix);
        p.with_check = r.with_check.as_deref().map(fix);
    }
    for (name, tr) in t.triggers.iter_mut() {
        if tr.when.is_some()
            && let Some(r) = rb.triggers.get(name)
        {
            tr.when = r.when.as_deref().map(fix);
        }
    }
    if t.partition_by.is_some() {
        t.partition_by = rb.partition_by.as_deref().map(fix);
    }
    if let (Some(p), Some(rp)) = (&mut t.partition_of, &rb.partition_of) {
        p.bound = rp.bound.clone();
    }
}
