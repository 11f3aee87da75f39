//! Roles (`roles.toml`).

use super::values::{key, settings, string};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_role(out: &mut String, role: &Role, external: bool) {
    let _ = writeln!(out, "[roles.{}]", key(&role.name));
    if external {
        out.push_str("external = true  # the role pgrecon connects as is never altered\n");
        if let Some(c) = &role.comment {
            let _ = writeln!(out, "comment = {}", string(c));
        }
        out.push('\n');
        return;
    }
    let a = &role.attributes;
    let d = RoleAttributes::default();
    for (name, v, default) in [
        ("login", a.login, d.login),
        ("superuser", a.superuser, d.superuser),
        ("createdb", a.createdb, d.createdb),
        ("createrole", a.createrole, d.createrole),
        ("inherit", a.inherit, d.inherit),
        ("replication", a.replication, d.replication),
        ("bypassrls", a.bypassrls, d.bypassrls),
    ] {
        if v != default {
            let _ = writeln!(out, "{name} = {v}");
        }
    }
    if a.connection_limit != d.connection_limit {
        let _ = writeln!(out, "connection_limit = {}", a.connection_limit);
    }
    if let Some(v) = &a.valid_until {
        let _ = writeln!(out, "valid_until = {}", string(v));
    }
    if let Some(c) = &role.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if !role.member_of.is_empty() {
        let items: Vec<String> = role
            .member_of
            .iter()
            .map(|(r, m)| {
                if m.admin || m.inherit.is_some() || m.set.is_some() {
                    let mut parts = vec![format!("role = {}", string(r))];
                    if m.admin {
                        parts.push("admin = true".into());
                    }
                    if let Some(i) = m.inherit {
                        parts.push(format!("inherit = {i}"));
                    }
                    if let Some(s) = m.set {
                        parts.push(format!("set = {s}"));
                    }
                    format!("{{ {} }}", parts.join(", "))
                } else {
                    string(r)
                }
            })
            .collect();
        let _ = writeln!(out, "member_of = [{}]", items.join(", "));
    }
    if !role.settings.is_empty() {
        let _ = writeln!(out, "settings = {}", settings(&role.settings));
    }
    if !role.database_settings.is_empty() {
        let _ = writeln!(
            out,
            "database_settings = {}",
            settings(&role.database_settings)
        );
    }
    out.push('\n');
}
