//! Functions and procedures: their definitions as a `.sql` file per schema (the
//! server's `pg_get_functiondef` text, which is a fixed point of canonicalisation), and
//! `[functions."s.f(args)"]` entries for what differs from the schema's defaults.

use super::grants::grants;
use super::values::{qualified_key, string};
use crate::model::*;
use std::fmt::Write as _;

/// The `.sql` file of a schema's routines; `None` when it has none.
pub(super) fn sql_file(live: &Catalog, schema: &str) -> Option<String> {
    let mut out = String::from("-- written by pgrecon import\n");
    let mut any = false;
    for f in in_schema(&live.functions, schema).map(|(_, v)| v) {
        if let Some(d) = &f.definition {
            let _ = write!(out, "\n{};\n", d.text.trim_end());
            any = true;
        }
    }
    any.then_some(out)
}

/// The `[functions]` key of a routine.
pub(super) fn key(f: &Function) -> String {
    format!(
        "{}({})",
        qualified_key(&f.id.schema, &f.id.name),
        f.id.arguments
    )
}

/// A routine's entry: owner (when not the schema's), comment and the grants beyond the
/// schema's `function_grants`; nothing when all three are defaults.
pub(super) fn write_entry(out: &mut String, f: &Function, schema_owner: Option<&str>, extra: &Acl) {
    let owner = f.owner.as_deref().filter(|o| Some(*o) != schema_owner);
    if owner.is_none() && f.comment.is_none() && extra.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n[functions.{}]", string(&key(f)));
    if let Some(o) = owner {
        let _ = writeln!(out, "owner = {}", string(o));
    }
    if let Some(c) = &f.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if !extra.is_empty() {
        let _ = writeln!(out, "grants = {}", grants(extra));
    }
}
