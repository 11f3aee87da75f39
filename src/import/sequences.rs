//! Sequences (and the sequence options identity columns share).

use super::grants::grants;
use super::values::{object_key, qualified_text, string, write_owner};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn sequence_option_parts(parts: &mut Vec<(&'static str, String)>, o: &SequenceOptions) {
    for (name, v) in [
        ("start", o.start),
        ("increment", o.increment),
        ("min_value", o.min_value),
        ("max_value", o.max_value),
        ("cache", o.cache),
    ] {
        if let Some(v) = v {
            parts.push((name, v.to_string()));
        }
    }
    if o.cycle {
        parts.push(("cycle", "true".into()));
    }
}

pub(super) fn write_sequence(
    out: &mut String,
    s: &Sequence,
    schema_owner: Option<&str>,
    extra_grants: Option<&Acl>,
) {
    let _ = writeln!(out, "\n[sequences.{}]", object_key(&s.name));
    if s.data_type != "bigint" {
        let _ = writeln!(out, "type = {}", string(&s.data_type));
    }
    let mut parts = Vec::new();
    sequence_option_parts(&mut parts, &s.options);
    for (k, v) in parts {
        let _ = writeln!(out, "{k} = {v}");
    }
    if let Some((table, column)) = &s.owned_by {
        let _ = writeln!(
            out,
            "owned_by = {}",
            string(&format!(
                "{}.{}",
                qualified_text(table),
                crate::sql::quote_ident(column)
            ))
        );
    }
    write_owner(out, s.owner.as_deref(), schema_owner);
    if let Some(c) = &s.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if let Some(acl) = extra_grants.filter(|a| !a.is_empty()) {
        let _ = writeln!(out, "grants = {}", grants(acl));
    }
}
