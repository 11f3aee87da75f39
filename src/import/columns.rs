//! Columns (`[tables.<name>.columns]`).

use super::grants::grants;
use super::sequences::sequence_option_parts;
use super::values::{inline, key, object_key, string};
use crate::model::*;
use std::fmt::Write as _;

/// The table's `columns` section.
pub(super) fn write_columns(out: &mut String, t: &Table) {
    if !t.columns.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.columns]", object_key(&t.name));
        for c in &t.columns {
            let _ = writeln!(out, "{} = {}", key(&c.name), column_value(c));
        }
    }
}

fn column_value(c: &Column) -> String {
    let mut parts = vec![("type", string(&c.type_name))];
    if let Some(n) = &c.not_null_name {
        parts.push(("not_null_name", string(n)));
    } else if c.not_null {
        parts.push(("not_null", "true".into()));
    }
    if let Some(d) = &c.default {
        parts.push(("default", string(d)));
    }
    if let Some(id) = &c.identity {
        let kind = match id.kind {
            IdentityKind::Always => "always",
            IdentityKind::ByDefault => "by_default",
        };
        if id.options == SequenceOptions::default() {
            parts.push(("identity", string(kind)));
        } else {
            let mut opts = vec![("kind", string(kind))];
            sequence_option_parts(&mut opts, &id.options);
            parts.push(("identity", inline(&opts)));
        }
    }
    if let Some(g) = &c.generated {
        parts.push(("generated", string(g)));
        if c.generated_virtual {
            parts.push(("virtual", "true".to_string()));
        }
    }
    if let Some(coll) = &c.collation {
        parts.push(("collation", string(coll)));
    }
    if let Some(comment) = &c.comment {
        parts.push(("comment", string(comment)));
    }
    if !c.acl.is_empty() {
        parts.push(("grants", grants(&c.acl)));
    }
    inline(&parts)
}
