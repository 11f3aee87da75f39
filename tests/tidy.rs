//! Tidy checks on the source tree, like rust-analyzer's: the layering ARCHITECTURE.md
//! writes down (a module imports only modules of a lower layer, so there is no import
//! cycle) and the file budget (no source file over 800 lines). Known exceptions are
//! listed and may only shrink: an exception that is no longer needed fails the test, so
//! the list is kept honest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    // Leaves: SQL quoting, output escaping, database error text.
    &["sql", "escape", "db_error"],
    &["model", "logging"],
    // What a declared feature needs of the server version; the DDL text of model
    // objects.
    &["compat", "ddl"],
    &["conn", "embedded", "checks"],
    &["config"],
    &["introspect"],
    &["canon", "diff"],
    &["plan"],
    &["approval", "saved", "verify", "scratch"],
    &["render", "report"],
    &["pipeline"],
    &["apply", "import"],
    &["drift"],
    &["reconcile"],
];

/// Imports that break the layering today, each to be removed by moving code to the
/// layer it belongs to. (module, imported module).
const KNOWN_EDGES: &[(&str, &str)] = &[];

/// Source files over the budget today, with their size then: they may not grow, and
/// leave the list when split.
const KNOWN_LARGE: &[(&str, usize)] = &[];

const MAX_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/`-relative path with `/` separators.
fn relative(path: &Path) -> String {
    path.strip_prefix(src())
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The top-level module a file belongs to (`plan/steps/x.rs` → `plan`, `sql.rs` →
/// `sql`); `None` for the crate roots and the binary's own modules.
fn module_of(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_string())
}

/// The code of a file without its unit tests (everything from the first
/// `#[cfg(test)]`), or nothing for a file of tests.
fn non_test_code(rel: &str, text: &str) -> String {
    if rel.ends_with("/tests.rs") || rel.contains("/tests/") {
        return String::new();
    }
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// Every top-level module named after `crate::`, including inside `crate::{a, b::c}`.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn modules_import_only_lower_layers() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    for path in &files {
        let rel = relative(path);
        let Some(module) = module_of(&rel) else {
            continue;
        };
        if layer(&module).is_none() {
            unknown.insert(module.clone());
        }
        let code = non_test_code(&rel, &std::fs::read_to_string(path).unwrap());
        for dep in imported_modules(&code) {
            if dep != module && layer(&dep).is_some() {
                edges
                    .entry((module.clone(), dep))
                    .or_insert_with(|| rel.clone());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from the layers in tests/tidy.rs and ARCHITECTURE.md: {unknown:?}"
    );
    let mut wrong = Vec::new();
    for ((from, to), file) in &edges {
        let known = KNOWN_EDGES.contains(&(from.as_str(), to.as_str()));
        if layer(to) >= layer(from) && !known {
            wrong.push(format!(
                "{file}: `{from}` imports `{to}`, which is not in a lower layer"
            ));
        }
    }
    for (from, to) in KNOWN_EDGES {
        if !edges.contains_key(&(from.to_string(), to.to_string())) {
            wrong.push(format!(
                "`{from}` no longer imports `{to}`: remove the exception from KNOWN_EDGES"
            ));
        }
    }
    assert!(wrong.is_empty(), "layering:\n{}", wrong.join("\n"));
}

#[test]
fn no_source_file_over_the_budget() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &files {
        let rel = relative(path);
        let lines = std::fs::read_to_string(path).unwrap().lines().count();
        match KNOWN_LARGE.iter().find(|(f, _)| *f == rel) {
            Some((_, was)) => {
                seen.insert(rel.clone());
                if lines <= MAX_LINES {
                    wrong.push(format!(
                        "{rel} is now {lines} lines: remove it from KNOWN_LARGE"
                    ));
                } else if lines > *was {
                    wrong.push(format!(
                        "{rel} grew from {was} to {lines} lines: split it instead"
                    ));
                }
            }
            None if lines > MAX_LINES => wrong.push(format!(
                "{rel} has {lines} lines, more than {MAX_LINES}: split it by kind or concern"
            )),
            None => {}
        }
    }
    for (f, _) in KNOWN_LARGE {
        if !seen.contains(*f) {
            wrong.push(format!("{f} no longer exists: remove it from KNOWN_LARGE"));
        }
    }
    assert!(wrong.is_empty(), "file budget:\n{}", wrong.join("\n"));
}

#[test]
fn the_import_scanner_sees_grouped_and_plain_paths() {
    let found = imported_modules(
        "use crate::{canon, introspect::read, verify};\nlet x = crate::sql::quote_ident(a);",
    );
    let expected: BTreeSet<String> = ["canon", "introspect", "sql", "verify"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
}
