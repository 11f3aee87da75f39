//! Triggers: their definitions as `CREATE TRIGGER` statements in one `.sql` file per
//! schema (the tables', then the views'), their enabled state and comment as
//! `[tables.<name>.triggers]` entries (a view's comments: `views.rs`).

use super::values::{inline, key, object_key, string};
use crate::ddl::trigger::{Create, create_trigger};
use crate::model::*;
use std::fmt::Write as _;

/// The `.sql` text declaring the triggers of the tables and views of `schema`, if any.
pub(super) fn triggers_file(live: &Catalog, schema: &str) -> Option<String> {
    let mut out = String::new();
    for t in in_schema(&live.tables, schema).map(|(_, v)| v) {
        for trigger in t.triggers.values() {
            let _ = writeln!(
                out,
                "{};\n",
                create_trigger(&t.name, trigger, &trigger.function, Create::Plain)
            );
        }
    }
    for v in in_schema(&live.views, schema).map(|(_, v)| v) {
        for trigger in v.triggers.values() {
            let _ = writeln!(
                out,
                "{};\n",
                create_trigger(&v.name, trigger, &trigger.function, Create::Plain)
            );
        }
    }
    (!out.is_empty()).then(|| format!("-- written by pgrecon import\n\n{out}"))
}

/// The table's `triggers` section: what is not the default.
pub(super) fn write_triggers(out: &mut String, t: &Table) {
    let entries: Vec<(&String, Vec<(&str, String)>)> = t
        .triggers
        .iter()
        .map(|(name, tr)| {
            let mut parts = Vec::new();
            if tr.enabled != TriggerEnabled::Origin {
                parts.push(("enabled", string(tr.enabled.as_str())));
            }
            if let Some(c) = &tr.comment {
                parts.push(("comment", string(c)));
            }
            (name, parts)
        })
        .filter(|(_, parts)| !parts.is_empty())
        .collect();
    if !entries.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.triggers]", object_key(&t.name));
        for (name, parts) in entries {
            let _ = writeln!(out, "{} = {}", key(name), inline(&parts));
        }
    }
}
