//! Helpers several object kinds share: reading column names in canonical expressions,
//! set comparison, and the owned-scope glob patterns.

use super::DiffError;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeSet;

pub(super) fn globs(patterns: &[String]) -> Result<GlobSet, DiffError> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|_| DiffError::BadPattern(p.clone()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| DiffError::BadPattern(e.to_string()))
}

/// Rewrites the column names of a canonical expression with `rename`, leaving string
/// literals, qualified names (`s.t`, `t.col`), function names and type names (after
/// `::`) alone. Identifiers are matched unquoted and written back through `quote_ident`.
pub(super) fn map_columns(
    expression: &str,
    rename: &mut dyn FnMut(&str) -> Option<String>,
) -> String {
    let chars: Vec<char> = expression.chars().collect();
    let mut out = String::with_capacity(expression.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let name = if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            None
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            Some(name)
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            Some(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            None
        } else {
            i += 1;
            None
        };
        let original: String = chars[start..i].iter().collect();
        let standalone = !out.ends_with('.')
            && !out.ends_with("::")
            && !matches!(chars.get(i), Some('.') | Some('('));
        match name {
            Some(name) if standalone => match rename(&name) {
                Some(new) => out.push_str(&crate::sql::quote_ident(&new)),
                None => out.push_str(&original),
            },
            _ => out.push_str(&original),
        }
    }
    out
}

/// Whether a canonical expression mentions column `name`. A false positive only costs
/// an unneeded re-creation.
pub(super) fn mentions(expression: &str, name: &str) -> bool {
    let mut found = false;
    map_columns(expression, &mut |n| {
        found |= n == name;
        None
    });
    found
}

pub(super) fn same_set(a: &[String], b: &[String]) -> bool {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    a == b
}
