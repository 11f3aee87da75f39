//! Indexes (`[tables.<name>.indexes]`).

use super::values::{inline, key, object_key, string, string_list};
use crate::model::*;
use std::fmt::Write as _;

/// The table's `indexes` section.
pub(super) fn write_indexes(out: &mut String, t: &Table) {
    if !t.indexes.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.indexes]", object_key(&t.name));
        for (name, i) in &t.indexes {
            let _ = writeln!(out, "{} = {}", key(name), index_value(i));
        }
    }
}

fn index_value(i: &Index) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let plain = k.expression.is_none()
                && k.opclass.is_none()
                && k.collation.is_none()
                && !k.descending
                && k.nulls_first.is_none();
            match (&k.column, plain) {
                (Some(c), true) => string(c),
                _ => {
                    let mut parts = Vec::new();
                    if let Some(c) = &k.column {
                        parts.push(("column", string(c)));
                    }
                    if let Some(x) = &k.expression {
                        parts.push(("expression", string(x)));
                    }
                    if k.descending {
                        parts.push(("order", string("desc")));
                    }
                    match k.nulls_first {
                        Some(true) => parts.push(("nulls", string("first"))),
                        Some(false) => parts.push(("nulls", string("last"))),
                        None => {}
                    }
                    if let Some(o) = &k.opclass {
                        parts.push(("opclass", string(o)));
                    }
                    if let Some(c) = &k.collation {
                        parts.push(("collation", string(c)));
                    }
                    inline(&parts)
                }
            }
        })
        .collect();
    let mut parts = vec![("columns", format!("[{}]", keys.join(", ")))];
    if i.unique {
        parts.push(("unique", "true".into()));
    }
    if i.nulls_not_distinct {
        parts.push(("nulls_not_distinct", "true".into()));
    }
    if i.method != "btree" {
        parts.push(("method", string(&i.method)));
    }
    if !i.include.is_empty() {
        parts.push(("include", string_list(&i.include)));
    }
    if let Some(p) = &i.predicate {
        parts.push(("where", string(p)));
    }
    if !i.with.is_empty() {
        let with: Vec<String> = i
            .with
            .iter()
            .map(|(k, v)| format!("{} = {}", key(k), string(v)))
            .collect();
        parts.push(("with", format!("{{ {} }}", with.join(", "))));
    }
    if let Some(c) = &i.comment {
        parts.push(("comment", string(c)));
    }
    inline(&parts)
}
