//! Domains.

use super::grants::type_grants;
use super::values::{key, object_key, string, write_owner};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_domain(out: &mut String, d: &Domain, schema_owner: Option<&str>) {
    let _ = writeln!(out, "\n[domains.{}]", object_key(&d.name));
    let _ = writeln!(out, "type = {}", string(&d.base_type));
    if d.not_null {
        out.push_str("not_null = true\n");
    }
    if let Some(v) = &d.default {
        let _ = writeln!(out, "default = {}", string(v));
    }
    if let Some(v) = &d.collation {
        let _ = writeln!(out, "collation = {}", string(v));
    }
    if !d.checks.is_empty() {
        let parts: Vec<String> = d
            .checks
            .iter()
            .map(|(n, x)| format!("{} = {}", key(n), string(x)))
            .collect();
        let _ = writeln!(out, "checks = {{ {} }}", parts.join(", "));
    }
    write_owner(out, d.owner.as_deref(), schema_owner);
    if let Some(c) = &d.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if let Some(line) = type_grants(&d.acl) {
        let _ = writeln!(out, "{line}");
    }
}
