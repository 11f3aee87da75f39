//! The desired state: a directory of TOML files → one `model::Catalog`, with rustc-style
//! diagnostics that point into the files.
//!
//! Every file is parsed with spans (`toml::de::DeTable`) and walked by hand, so that all
//! the errors of all the files and entries are reported at once, each at its exact span
//! with a suggestion. The raw serde types in `raw` describe the format; the JSON Schema
//! (`json_schema`) and the lists of known keys are generated from them. No I/O happens
//! here except reading the files themselves (`load_dir`) and password files
//! (`resolve_secrets`).

mod error;
mod load;
pub mod raw;
pub(crate) mod routine_sql;
mod snippet;
mod sources;
pub(crate) mod sql_check;
mod timestamp;
pub(crate) mod view_refs;

#[cfg(test)]
mod tests;

pub use error::{ConfigError, ConfigErrors, ConfigNote, ErrorKind, render};
pub use sources::{GrantSite, Location, SourceFile, Sources};

use crate::model::{Catalog, Password, PasswordSource};
use error::Diag;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The loaded desired state.
#[derive(Debug, Clone)]
pub struct Desired {
    pub catalog: Catalog,
    /// Where everything was declared; never part of catalog equality.
    pub sources: Sources,
    /// Problems that do not stop a run (e.g. a password skipped because its environment
    /// variable is not set).
    pub warnings: Vec<String>,
    /// `[[check]]` assertions, in file order. Not part of the catalog: they are
    /// instructions to apply, not state.
    pub checks: Vec<crate::checks::Check>,
}

/// Loads every `*.toml` and `*.sql` file under `dir` (recursively, sorted by path; files and
/// directories whose name starts with `.` are skipped), merges and validates them.
/// Returns all the errors at once, across files and entries. Files are labelled by their
/// path relative to `dir`.
pub fn load_dir(dir: &Path) -> Result<Desired, ConfigErrors> {
    let mut diags = Vec::new();
    let mut inputs = Vec::new();
    let mut undecodable = Vec::new();
    if !dir.is_dir() {
        diags.push(
            Diag::new(
                ErrorKind::Io,
                format!(
                    "the desired-state directory `{}` does not exist",
                    dir.display()
                ),
            )
            .help("pass the directory of TOML files with --dir"),
        );
        return Err(error::finish_all(diags, &[], &[]));
    }
    let mut paths = Vec::new();
    collect_toml_files(dir, &mut paths, &mut diags);
    paths.sort();
    for path in paths {
        let label = label_of(path.strip_prefix(dir).unwrap_or(&path));
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => inputs.push(Input {
                    label,
                    path,
                    contents: text,
                }),
                Err(e) => undecodable.push(Undecodable::new(label, e)),
            },
            Err(e) => diags.push(
                Diag::new(ErrorKind::Io, format!("cannot read `{label}`: {e}"))
                    .help("check that the file is readable"),
            ),
        }
    }
    let mut warnings = Vec::new();
    if inputs.is_empty() && diags.is_empty() {
        warnings.push(format!(
            "no *.toml files found in `{}`: the desired state is empty",
            dir.display()
        ));
    }
    load_inputs(inputs, dir.to_path_buf(), diags, undecodable, warnings)
}

/// Same as [`load_dir`], from in-memory files: (path label, contents). Files are merged
/// in path order; paths written in a file (password files) are relative to its path.
pub fn load_files(files: &[(PathBuf, String)]) -> Result<Desired, ConfigErrors> {
    let inputs = files
        .iter()
        .map(|(path, contents)| Input {
            label: label_of(path),
            path: path.clone(),
            contents: contents.clone(),
        })
        .collect();
    load_inputs(inputs, PathBuf::new(), Vec::new(), Vec::new(), Vec::new())
}

/// Reads the password of every role that declares one: `env` through `env` (unset or
/// empty: the password is skipped with a warning), `file` from the file (relative to the
/// TOML file that declared it; one trailing newline trimmed; unreadable or empty is an
/// error), `scram` is the verifier itself. No message ever includes a secret.
pub fn resolve_secrets(
    desired: &mut Desired,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigErrors> {
    let mut diags = Vec::new();
    let sources = &desired.sources;
    for (name, role) in desired.catalog.roles.iter_mut() {
        let Password::Desired { source, secret } = &mut role.password else {
            continue;
        };
        let pending = sources.secrets.get(name);
        match source {
            PasswordSource::Env(var) => match env(var) {
                Some(value) if !value.is_empty() => *secret = Some(SecretString::from(value)),
                Some(_) => {
                    *secret = None;
                    desired.warnings.push(format!(
                        "password of role `{name}` skipped: environment variable `{var}` is empty"
                    ));
                }
                None => {
                    *secret = None;
                    desired.warnings.push(format!(
                        "password of role `{name}` skipped: environment variable `{var}` is not set"
                    ));
                }
            },
            PasswordSource::File(path) => {
                let real = sources.base_dir.join(&*path);
                let problem = match std::fs::read_to_string(&real) {
                    Ok(mut text) => {
                        if text.ends_with('\n') {
                            text.pop();
                            if text.ends_with('\r') {
                                text.pop();
                            }
                        }
                        if text.is_empty() {
                            Some(format!("`{}` is empty", path.display()))
                        } else {
                            *secret = Some(SecretString::from(text));
                            None
                        }
                    }
                    Err(e) => Some(format!(
                        "cannot read `{}`: {}",
                        path.display(),
                        io_reason(&e)
                    )),
                };
                if let Some(problem) = problem {
                    let mut d = Diag::new(
                        ErrorKind::Password,
                        format!("cannot read the password of role `{name}`"),
                    )
                    .help(
                        "the path is relative to the TOML file that declares it; check that the \
                         file exists, is readable and holds the password",
                    );
                    if let Some(p) = pending {
                        d = d.at(p.value_span, problem);
                    } else {
                        d.message = format!("cannot read the password of role `{name}`: {problem}");
                    }
                    diags.push(d);
                }
            }
            PasswordSource::Verifier => {
                *secret = pending.and_then(|p| p.verifier.clone());
            }
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        let (names, texts) = names_and_texts(sources);
        Err(error::finish_all(diags, &names, &texts))
    }
}

/// The name PostgreSQL gives a primary key declared without one, and the default of
/// `primary_key.name`: `<table>_pkey`, the table name cut so that the whole fits in 63
/// bytes.
/// What a desired state declares, for `validate`'s one-line summary: each kind with
/// its count, kinds with none left out (`11 roles, 7 schemas, 9 tables, …`).
pub fn summary(c: &crate::model::Catalog) -> String {
    let grants = c.relations.values().filter(|r| !r.acl.is_empty()).count()
        + c.functions.values().filter(|f| !f.acl.is_empty()).count();
    let views = c.views.values().filter(|v| !v.materialized).count();
    let routines = |procedure: bool| {
        c.functions
            .values()
            .filter(|f| f.definition.is_some() && f.is_procedure == procedure)
            .count()
    };
    let triggers: usize = c.tables.values().map(|t| t.triggers.len()).sum();
    let counts = [
        (c.roles.len(), "role", "roles"),
        (c.schemas.len(), "schema", "schemas"),
        (c.tables.len(), "table", "tables"),
        (c.sequences.len(), "sequence", "sequences"),
        (views, "view", "views"),
        (
            c.views.len() - views,
            "materialized view",
            "materialized views",
        ),
        (routines(false), "function", "functions"),
        (routines(true), "procedure", "procedures"),
        (triggers, "trigger", "triggers"),
        (c.enums.len(), "enum", "enums"),
        (c.domains.len(), "domain", "domains"),
        (c.composite_types.len(), "composite type", "composite types"),
        (c.range_types.len(), "range type", "range types"),
        (c.collations.len(), "collation", "collations"),
        (c.extensions.len(), "extension", "extensions"),
        (
            grants,
            "object with its own grants",
            "objects with their own grants",
        ),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if parts.is_empty() {
        "nothing declared".to_string()
    } else {
        parts.join(", ")
    }
}

pub fn default_primary_key_name(table: &str) -> String {
    load::default_pkey_name(table)
}

/// JSON Schema (draft 7, which editors' TOML plugins understand) of the TOML format,
/// generated from the raw serde types. Committed as `schemas/desired-state.schema.json`;
/// editors pick it up from a `#:schema` comment.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<raw::RawFile>();
    let mut value = schema.to_value();
    strip_null(&mut value);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "description".to_string(),
            serde_json::Value::String(
                "One file of a pgrecon desired-state directory. All *.toml files of the \
                 directory are merged."
                    .to_string(),
            ),
        );
    }
    value
}

/// TOML has no null: an absent key is how an optional value is left out. Removes the
/// `null` alternatives schemars adds for `Option` fields.
fn strip_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".to_string(), only);
                }
            }
            let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|v| !is_null(v));
                if alternatives.len() == 1 {
                    let only = alternatives.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, v) in inner {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
            }
            for v in map.values_mut() {
                strip_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------

struct Input {
    label: String,
    path: PathBuf,
    contents: String,
}

/// A file that is not UTF-8: what its errors show of it (the line of the first invalid
/// byte, on its line number, every other line left empty so that no secret can show).
struct Undecodable {
    label: String,
    shown: String,
    span: std::ops::Range<usize>,
}

impl Undecodable {
    fn new(label: String, e: std::string::FromUtf8Error) -> Self {
        let bad = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let line_start = bytes[..bad]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[bad..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| bad + i);
        let lines_before = bytes[..line_start].iter().filter(|b| **b == b'\n').count();
        let mut line = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
        if line.to_ascii_lowercase().contains("password")
            && let Some(eq) = line.find('=')
            && eq < bad - line_start
        {
            // As many bytes as before: the span stays on the invalid byte.
            let masked = "*".repeat(line.len() - eq - 1);
            line.replace_range(eq + 1.., &masked);
        }
        let mut shown = "\n".repeat(lines_before);
        shown.push_str(&redact(&line, &[]));
        let start = lines_before + (bad - line_start);
        let end = shown[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Undecodable {
            label,
            shown,
            span: start..end,
        }
    }
}

fn load_inputs(
    mut inputs: Vec<Input>,
    base_dir: PathBuf,
    io_diags: Vec<Diag>,
    undecodable: Vec<Undecodable>,
    warnings: Vec<String>,
) -> Result<Desired, ConfigErrors> {
    inputs.sort_by(|a, b| a.label.cmp(&b.label));
    let sources = Sources {
        files: inputs
            .into_iter()
            .map(|i| SourceFile {
                label: i.label,
                path: i.path,
                contents: Arc::from(i.contents),
            })
            .collect(),
        base_dir,
        ..Sources::default()
    };
    let mut loader = load::Loader::new(sources);
    for f in 0..loader.sources.files.len() {
        loader.load_file(f);
    }
    loader.check_references();

    // Mask secrets before any text can reach a diagnostic.
    let redactions = std::mem::take(&mut loader.redactions);
    for (file, ranges) in loader.sources.files.iter_mut().zip(redactions) {
        file.contents = Arc::from(redact(&file.contents, &ranges));
    }

    let mut diags = io_diags;
    diags.append(&mut loader.diags);
    let (mut names, mut texts) = names_and_texts(&loader.sources);
    for u in undecodable {
        let span = error::Span::new(names.len(), u.span);
        diags.push(
            Diag::new(ErrorKind::Io, format!("`{}` is not valid UTF-8", u.label))
                .at(span, "not UTF-8")
                .help("save the file as UTF-8, as TOML requires"),
        );
        names.push(u.label);
        texts.push(Arc::from(u.shown));
    }
    if !diags.is_empty() {
        return Err(error::finish_all(diags, &names, &texts));
    }
    Ok(Desired {
        catalog: loader.catalog,
        sources: loader.sources,
        warnings,
        checks: loader.checks,
    })
}

fn names_and_texts(sources: &Sources) -> (Vec<String>, Vec<Arc<str>>) {
    sources
        .files
        .iter()
        .map(|f| (f.label.clone(), f.contents.clone()))
        .unzip()
}

/// Replaces the inside of each string value in `ranges` (and anything that looks like a
/// SCRAM verifier) with `*`, keeping every byte offset and line break.
fn redact(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut mask = |start: usize, end: usize| {
        for b in &mut bytes[start.min(text.len())..end.min(text.len())] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    };
    for r in ranges {
        let inner = text.get(r.clone()).unwrap_or("");
        let quote = inner.starts_with(['"', '\'']);
        if quote && r.end - r.start >= 2 {
            mask(r.start + 1, r.end - 1);
        } else {
            mask(r.start, r.end);
        }
    }
    const MARK: &str = "SCRAM-SHA-256$";
    let mut from = 0;
    while let Some(pos) = text[from..].find(MARK) {
        let start = from + pos + MARK.len();
        let end = text[start..]
            .find(['"', '\'', '\n', ' '])
            .map(|e| start + e)
            .unwrap_or(text.len());
        mask(start, end);
        from = end;
    }
    // Only ASCII bytes of string contents were replaced by ASCII, or whole UTF-8
    // sequences by `*` each: the result is valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn collect_toml_files(dir: &Path, out: &mut Vec<PathBuf>, diags: &mut Vec<Diag>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(Diag::new(
                ErrorKind::Io,
                format!("cannot read the directory `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_toml_files(&path, out, diags);
        } else if path.extension().is_some_and(|e| e == "toml" || e == "sql") {
            out.push(path);
        }
    }
}

fn label_of(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
