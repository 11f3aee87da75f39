//! TOML values as import writes them: keys and strings on one line, lists, inline
//! tables, settings, and the fields every object kind shares.

use crate::model::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub(super) fn qualified_key(schema: &str, name: &str) -> String {
    crate::sql::qualified(schema, name)
}

pub(super) fn settings(values: &BTreeMap<String, SettingValue>) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|(k, v)| {
            let value = match v {
                SettingValue::Scalar(s) => string(s),
                SettingValue::List(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| string(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!("{} = {value}", key(k))
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A TOML key: bare when it can be, else a one-line escaped string.
pub(super) fn key(name: &str) -> String {
    crate::escape::toml_key(name)
}

/// A TOML string on one line (line breaks and control characters escaped), so no name
/// or value can start a line of its own in the file a reviewer reads.
pub(super) fn string(s: &str) -> String {
    crate::escape::toml_string(s)
}

pub(super) fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `"schema.name"` as a TOML key (each part quoted like SQL when it needs to be).
pub(super) fn object_key(name: &QualifiedName) -> String {
    string(&crate::sql::qualified(&name.schema, &name.name))
}

pub(super) fn qualified_text(name: &QualifiedName) -> String {
    crate::sql::qualified(&name.schema, &name.name)
}

pub(super) fn string_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// An inline table `{ a = 1, b = "x" }` from already-rendered values.
pub(super) fn inline(parts: &[(&str, String)]) -> String {
    if parts.is_empty() {
        return "{}".into();
    }
    let items: Vec<String> = parts.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", items.join(", "))
}

pub(super) fn write_owner(out: &mut String, owner: Option<&str>, schema_owner: Option<&str>) {
    if let Some(o) = owner
        && Some(o) != schema_owner
    {
        let _ = writeln!(out, "owner = {}", string(o));
    }
}
