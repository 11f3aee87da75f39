//! Row-level security policies (`[tables.<name>.policies]`).

use super::values::{inline, key, object_key, string, string_list};
use crate::model::*;
use std::fmt::Write as _;

/// The table's `policies` section.
pub(super) fn write_policies(out: &mut String, t: &Table) {
    if !t.policies.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.policies]", object_key(&t.name));
        for (name, p) in &t.policies {
            let mut parts = Vec::new();
            let command = p.command.to_ascii_lowercase();
            if command != "all" {
                parts.push(("command", string(&command)));
            }
            if !p.permissive {
                parts.push(("permissive", "false".into()));
            }
            if p.roles != ["PUBLIC"] {
                parts.push(("roles", string_list(&p.roles)));
            }
            if let Some(u) = &p.using {
                parts.push(("using", string(u)));
            }
            if let Some(w) = &p.with_check {
                parts.push(("with_check", string(w)));
            }
            if let Some(c) = &p.comment {
                parts.push(("comment", string(c)));
            }
            let _ = writeln!(out, "{} = {}", key(name), inline(&parts));
        }
    }
}
