//! Configuration parameter values as `pg_db_role_setting` stores them.

use serde::{Serialize, Serializer};
use std::fmt;

/// Parameters whose value is a list of identifiers (`GUC_LIST_QUOTE` in PostgreSQL):
/// the server stores each element with `quote_identifier`, joined by `, `.
const LIST_PARAMETERS: &[&str] = &[
    "search_path",
    "temp_tablespaces",
    "session_preload_libraries",
    "local_preload_libraries",
    "shared_preload_libraries",
];

pub fn is_list_parameter(name: &str) -> bool {
    LIST_PARAMETERS.contains(&name.to_ascii_lowercase().as_str())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    Scalar(String),
    List(Vec<String>),
}

impl SettingValue {
    /// Reads a value as stored in `setconfig` (`name=value`, value part only).
    pub fn from_stored(name: &str, stored: &str) -> Self {
        if is_list_parameter(name) {
            SettingValue::List(split_list(stored))
        } else {
            SettingValue::Scalar(stored.to_string())
        }
    }

    /// The text PostgreSQL stores for this value; equal values store equal text.
    pub fn stored(&self) -> String {
        match self {
            SettingValue::Scalar(s) => s.clone(),
            SettingValue::List(items) => items
                .iter()
                .map(|i| crate::sql::quote_ident(i))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The right-hand side of `SET name TO …`: every element a string literal, which the
    /// server stores exactly as `stored()` renders it.
    pub fn to_sql(&self) -> String {
        match self {
            SettingValue::Scalar(s) => crate::sql::quote_literal(s),
            SettingValue::List(items) if items.is_empty() => "''".to_string(),
            SettingValue::List(items) => items
                .iter()
                .map(|i| crate::sql::quote_literal(i))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl fmt::Display for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

impl Serialize for SettingValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SettingValue::Scalar(v) => s.serialize_str(v),
            SettingValue::List(items) => items.serialize(s),
        }
    }
}

/// Splits a stored list value (`a, "My Schema", "$user"`) into its elements.
pub fn split_list(stored: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = stored.chars().peekable();
    let mut had_any = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => {
                in_quotes = !in_quotes;
                had_any = true;
            }
            ',' if !in_quotes => {
                out.push(std::mem::take(&mut current).trim().to_string());
                had_any = false;
            }
            c if c.is_whitespace() && !in_quotes && current.is_empty() => {}
            c => {
                current.push(c);
                had_any = true;
            }
        }
    }
    if had_any || !current.is_empty() || !out.is_empty() {
        let last = current.trim_end().to_string();
        out.push(last);
    }
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_round_trips_through_stored_form() {
        let v = SettingValue::List(vec![
            "general".into(),
            "My Schema".into(),
            "$user".into(),
            "public".into(),
        ]);
        assert_eq!(v.stored(), r#"general, "My Schema", "$user", public"#);
        assert_eq!(SettingValue::from_stored("search_path", &v.stored()), v);
    }

    #[test]
    fn scalar_is_kept_verbatim() {
        let v = SettingValue::from_stored("statement_timeout", "30s");
        assert_eq!(v, SettingValue::Scalar("30s".into()));
        assert_eq!(v.to_sql(), "'30s'");
    }
}
