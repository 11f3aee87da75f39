//! Walks the spanned TOML tree of every file into one `Catalog`, collecting every error
//! with its span instead of stopping at the first one.
//!
//! One file per kind of entry (`roles`, `schemas`, `tables`, …), each adding its walk to
//! `Loader`; the cross-entry checks run once every file is loaded (`validate`). The
//! imports and helpers here are the walkers' shared prelude (`use super::*`).

use super::error::{Diag, ErrorKind, Span};
use super::raw::{self, fields_of};
use super::sources::{GrantSite, PendingSecret, Sources};
use crate::escape::has_unsafe;
use crate::model::setting::{is_list_parameter, split_list};
use crate::model::{
    Acl, Catalog, Confinement, Database, DefaultPrivilegeKey, Function, FunctionId, Grantee,
    Membership, ObjectKind, Password, PasswordSource, Privilege, QualifiedName, Relation,
    RelationKind, Role, Schema, SettingValue, is_builtin_role, is_system_schema,
};
use secrecy::SecretString;
use serde_spanned::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use toml::de::{DeString, DeTable, DeValue};

mod checks;
mod columns;
mod constraints;
mod database;
mod default_privileges;
mod extensions;
mod grants;
mod indexes;
mod inherits;
mod names;
mod policies;
mod roles;
mod routines;
mod schemas;
mod scope;
mod sequences;
mod settings;
mod sql_files;
mod sql_types;
mod tables;
mod triggers;
mod types;
mod validate;
mod values;
mod views;

pub(crate) use constraints::default_pkey_name;
pub(crate) use names::parse_function_key;
use names::{MAX_IDENTIFIER_BYTES, unsafe_name};
// The unit tests check the verifier format directly.
#[cfg(test)]
pub(crate) use roles::check_scram;
use values::{a_type, non_empty};

type V<'i> = Spanned<DeValue<'i>>;
type K<'i> = Spanned<DeString<'i>>;

/// Why the schema of a per-object grant must be declared.
const PER_OBJECT_GRANTS: &str = "per-object grants are only accepted in managed schemas";
const CONFINED_TO: &str = "a role can only be confined to declared schemas";

#[derive(Debug, Clone, Copy)]
enum RefKind {
    Grantee,
    Owner,
    MemberOf,
    DefaultPrivilegesFor,
    ForRole,
    ReassignOwnedTo,
    PolicyRole,
}

impl RefKind {
    fn label(self) -> &'static str {
        match self {
            RefKind::Grantee => "granted to an undeclared role",
            RefKind::Owner => "owner is not declared",
            RefKind::MemberOf => "member of an undeclared role",
            RefKind::DefaultPrivilegesFor => "undeclared role",
            RefKind::ForRole => "undeclared role",
            RefKind::ReassignOwnedTo => "undeclared role",
            RefKind::PolicyRole => "the policy applies to an undeclared role",
        }
    }
}

/// Records of one entry, kept only if the entry is not a duplicate.
#[derive(Default)]
struct Rec {
    grants: Vec<(GrantSite, Grantee, Span)>,
    memberships: Vec<(String, String, Span)>,
    default_privileges: Vec<(DefaultPrivilegeKey, Acl, Span)>,
    password: Option<(Span, PendingSecret)>,
}

pub(crate) struct Loader {
    pub diags: Vec<Diag>,
    pub catalog: Catalog,
    pub sources: Sources,
    /// Byte ranges of each file to mask (secrets).
    pub redactions: Vec<Vec<std::ops::Range<usize>>>,
    role_spans: BTreeMap<String, Span>,
    schema_spans: BTreeMap<String, Span>,
    relation_spans: BTreeMap<QualifiedName, Span>,
    function_spans: BTreeMap<FunctionId, Span>,
    /// Functions and procedures of `.sql` files and their `[functions]` entries.
    routines: routines::Routines,
    database_span: Option<Span>,
    scope_span: Option<Span>,
    role_refs: Vec<(String, Span, RefKind)>,
    /// (schema, span, the object in it, why the schema must be declared).
    schema_refs: Vec<(String, Span, String, &'static str)>,
    /// Files with TOML syntax errors: their recovered contents still declare names (so
    /// other files are not flooded with "not declared"), but their other errors are
    /// reported only once they parse.
    broken: Vec<bool>,
    /// Tables, sequences, types and extensions, until every file is loaded.
    rel: tables::Relational,
    /// `[[check]]` entries, in file order.
    pub checks: Vec<crate::checks::Check>,
    check_spans: BTreeMap<String, Span>,
    /// Collations, composite and range types, until every file is loaded.
    sql_types: sql_types::SqlTypes,
    /// Views (`.sql` statements and `[views]` entries), until every file is loaded.
    views: views::Views,
}

impl Loader {
    pub fn new(sources: Sources) -> Self {
        let n = sources.files.len();
        Loader {
            diags: Vec::new(),
            catalog: Catalog::default(),
            sources,
            redactions: vec![Vec::new(); n],
            role_spans: BTreeMap::new(),
            schema_spans: BTreeMap::new(),
            relation_spans: BTreeMap::new(),
            function_spans: BTreeMap::new(),
            routines: routines::Routines::default(),
            database_span: None,
            scope_span: None,
            role_refs: Vec::new(),
            schema_refs: Vec::new(),
            broken: vec![false; n],
            rel: tables::Relational::default(),
            checks: Vec::new(),
            check_spans: BTreeMap::new(),
            sql_types: sql_types::SqlTypes::default(),
            views: views::Views::default(),
        }
    }

    fn sp(&self, f: usize, range: std::ops::Range<usize>) -> Span {
        Span::new(f, range)
    }

    fn err(&mut self, diag: Diag) {
        self.diags.push(diag);
    }

    // -----------------------------------------------------------------------------------
    // Files

    pub fn load_file(&mut self, f: usize) {
        if self.sources.files[f].label.ends_with(".sql") {
            return self.load_sql_file(f);
        }
        let text = self.sources.files[f].contents.clone();
        let (root, errors) = DeTable::parse_recoverable(&text);
        self.broken[f] = !errors.is_empty();
        // After a duplicated table header, the parser reports every key of the second
        // table again: keep only the header.
        let mut skip_until = 0;
        for e in &errors {
            let span = e.span().unwrap_or(0..0);
            if e.message() == "duplicate key" {
                if span.start < skip_until {
                    continue;
                }
                let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let key = text.get(span.clone()).unwrap_or("").trim();
                if text[line_start..].trim_start().starts_with('[') {
                    skip_until = text[span.end..]
                        .find("\n[")
                        .map_or(text.len(), |i| span.end + i);
                }
                self.err(
                    Diag::new(
                        ErrorKind::TomlSyntax,
                        format!("invalid TOML: key `{key}` is defined twice in this file"),
                    )
                    .at(self.sp(f, span), "defined again here")
                    .help("a key is defined once per file: merge the two definitions")
                    .in_file(f),
                );
                continue;
            }
            let message = e.message().trim().replace('\n', ", ");
            let label = match message.split_once(", expected ") {
                Some((_, expected)) => format!("expected {expected}"),
                None => "here".to_string(),
            };
            self.err(
                Diag::new(ErrorKind::TomlSyntax, format!("invalid TOML: {message}"))
                    .at(self.sp(f, span), label)
                    .help("fix the syntax; the rest of this file is checked once it parses")
                    .in_file(f),
            );
        }
        self.walk_root(f, root.get_ref());
    }

    fn walk_root(&mut self, f: usize, root: &DeTable<'_>) {
        for (k, v) in root.iter() {
            match k.get_ref().as_ref() {
                "scope" => self.walk_scope(f, k, v),
                "database" => self.walk_database(f, k, v),
                "roles" => {
                    if let Some(t) = self.table(f, v, "`roles`", Some(help_table("roles"))) {
                        for (name, entry) in t.iter() {
                            self.walk_role(f, name, entry);
                        }
                    }
                }
                "schemas" => {
                    if let Some(t) = self.table(f, v, "`schemas`", Some(help_table("schemas"))) {
                        for (name, entry) in t.iter() {
                            self.walk_schema(f, name, entry);
                        }
                    }
                }
                section @ ("table_grants" | "sequence_grants") => {
                    let kind = if section == "table_grants" {
                        RelationKind::Table
                    } else {
                        RelationKind::Sequence
                    };
                    let what = format!("`{section}`");
                    if let Some(t) = self.table(f, v, &what, Some(help_table(section))) {
                        for (key, entry) in t.iter() {
                            self.walk_relation_grants(f, kind, key, entry);
                        }
                    }
                }
                "function_grants" => {
                    let help = help_table("function_grants");
                    if let Some(t) = self.table(f, v, "`function_grants`", Some(help)) {
                        for (key, entry) in t.iter() {
                            self.walk_function_grants(f, key, entry);
                        }
                    }
                }
                "functions" => {
                    let help = help_table("functions");
                    if let Some(t) = self.table(f, v, "`functions`", Some(help)) {
                        for (key, entry) in t.iter() {
                            self.walk_function(f, key, entry);
                        }
                    }
                }
                section @ ("tables" | "sequences" | "enums" | "domains" | "extensions") => {
                    let what = format!("`{section}`");
                    if let Some(t) = self.table(f, v, &what, Some(help_table(section))) {
                        for (key, entry) in t.iter() {
                            match section {
                                "tables" => self.walk_table(f, key, entry),
                                "sequences" => self.walk_sequence(f, key, entry),
                                "enums" => self.walk_enum(f, key, entry),
                                "domains" => self.walk_domain(f, key, entry),
                                _ => self.walk_extension(f, key, entry),
                            }
                        }
                    }
                }
                section @ ("types" | "collations") => {
                    let what = format!("`{section}`");
                    if let Some(t) = self.table(f, v, &what, Some(help_table(section))) {
                        for (key, entry) in t.iter() {
                            self.walk_sql_type_meta(f, key, entry, section == "collations");
                        }
                    }
                }
                "views" => {
                    if let Some(t) = self.table(f, v, "`views`", Some(help_table("views"))) {
                        for (key, entry) in t.iter() {
                            self.walk_view(f, key, entry);
                        }
                    }
                }
                "check" => self.walk_checks(f, v),
                _ => self.unknown_key(f, k, fields_of::<raw::RawFile>(), None),
            }
        }
    }

    fn unknown_key(&mut self, f: usize, k: &K<'_>, known: &[&str], ctx: Option<&str>) {
        let key = k.get_ref().as_ref();
        debug_assert!(
            !known.contains(&key),
            "the loader does not handle key `{key}`"
        );
        let message = match ctx {
            Some(ctx) => format!("unknown key `{key}` in {ctx}"),
            None => format!("unknown top-level key `{key}`"),
        };
        self.err(
            Diag::new(ErrorKind::UnknownKey, message)
                .at(self.sp(f, k.span()), "unknown key")
                .help(suggest_or_list(key, known)),
        );
    }

    fn missing_key(&mut self, f: usize, table: &V<'_>, key: &str, ctx: &str, example: &str) {
        // A misspelt key is already reported as unknown, with the suggestion.
        if let DeValue::Table(t) = table.get_ref()
            && t.iter()
                .any(|(k, _)| did_you_mean(k.get_ref(), &[key]).is_some())
        {
            return;
        }
        self.err(
            Diag::new(
                ErrorKind::MissingKey,
                format!("missing key `{key}` in {ctx}"),
            )
            .at(self.sp(f, table.span()), format!("`{key}` is required"))
            .help(format!("add {example}")),
        );
    }

    /// An `owner` value: the role, recorded as a reference to check once every file is
    /// loaded.
    fn owner_ref(&mut self, f: usize, value: &V<'_>, what: &str) -> Option<String> {
        let owner = self.string(f, value, what)?;
        let span = self.sp(f, value.span());
        self.role_refs.push((owner.clone(), span, RefKind::Owner));
        Some(owner)
    }

    fn duplicate(&mut self, second: Span, first: Span, what: &str, header: &str) {
        let message = if second.file == first.file {
            format!("{what} is declared twice")
        } else {
            format!("{what} is declared in two files")
        };
        let help = format!("remove one of the two {header} tables, or merge them");
        self.err(
            Diag::new(ErrorKind::Duplicate, message)
                .at(second, "declared again here")
                .also(first, "first declared here")
                .help(help),
        );
    }

    /// `renamed_from` of an object named `own`: a name, not its own.
    fn previous_name(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        own: &str,
        ctx: &str,
    ) -> Option<String> {
        let (old, span) = self.name_value(f, v, what, "previous name")?;
        if old == own {
            self.renamed_from_itself(span, ctx);
            return None;
        }
        Some(old)
    }

    fn renamed_from_itself(&mut self, span: Span, ctx: &str) {
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("{ctx} is renamed from its own name"),
            )
            .at(span, "the current name")
            .help("renamed_from names the previous name: remove it once the rename is applied"),
        );
    }

    /// Two keys that cannot go together; the later one is the error.
    fn conflict(&mut self, a: (Span, &str), b: (Span, &str), ctx: &str, help: &str) {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        self.err(
            Diag::new(
                ErrorKind::Conflict,
                format!("{ctx} has both `{}` and `{}`", first.1, second.1),
            )
            .at(second.0, format!("cannot go with `{}`", first.1))
            .also(first.0, format!("`{}` set here", first.1))
            .help(help.to_string()),
        );
    }

    fn commit(&mut self, rec: Rec) {
        for (target, grantee, span) in rec.grants {
            let loc = self.sources.location(span);
            self.sources.grants.entry((target, grantee)).or_insert(loc);
        }
        for (member, granted, span) in rec.memberships {
            let loc = self.sources.location(span);
            self.sources.memberships.insert((member, granted), loc);
        }
        for (key, acl, span) in rec.default_privileges {
            if acl.is_empty() {
                continue;
            }
            let loc = self.sources.location(span);
            self.sources
                .default_privileges
                .entry(key.clone())
                .or_insert(loc);
            let entry = self.catalog.default_privileges.entry(key).or_default();
            *entry = entry.union(&acl);
        }
    }
}

fn ordered(a: Span, b: Span) -> (Span, Span) {
    if a <= b { (a, b) } else { (b, a) }
}

fn help_table(section: &str) -> String {
    match section {
        "roles" | "schemas" => format!("declare entries as tables, e.g. [{section}.name]"),
        "table_grants" | "sequence_grants" | "function_grants" | "tables" | "sequences"
        | "enums" | "domains" | "types" | "collations" | "functions" | "views" => {
            format!("declare entries as tables, e.g. [{section}.\"schema.name\"]")
        }
        "extensions" => "declare entries as tables, e.g. [extensions.pgcrypto]".to_string(),
        _ => format!("declare it as a table: [{section}]"),
    }
}

/// The closest candidate, if close enough to be a likely typo.
///
/// Bounded work, whatever the input: names longer than [`SUGGEST_MAX_LEN`] get no
/// suggestion (no PostgreSQL name is that long), candidates whose length differs too
/// much are skipped before the edit distance is computed, and the search stops after
/// [`SUGGEST_BUDGET`] units of work (a character looked at, a cell of an edit-distance
/// table), so that thousands of bad references among thousands of names stay linear.
pub(crate) fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if input.len() > SUGGEST_MAX_LEN {
        return None;
    }
    let lower = input.to_ascii_lowercase();
    let input_len = lower.chars().count();
    let mut budget = SUGGEST_BUDGET;
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let look = c.len().min(SUGGEST_MAX_LEN) + 1;
        if look > budget {
            break;
        }
        budget -= look;
        if c.len() > SUGGEST_MAX_LEN {
            continue;
        }
        let len = c.chars().count();
        let limit = (c.len().max(input.len()) / 3).max(1);
        // Each edit changes the length by one at most.
        if len.abs_diff(input_len) > limit {
            continue;
        }
        let cost = (len + 1) * (input_len + 1);
        if cost > budget {
            break;
        }
        budget -= cost;
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, *c));
        }
    }
    best.map(|(_, c)| c)
}

/// Longest name (in bytes) `did_you_mean` looks for a match of.
const SUGGEST_MAX_LEN: usize = 128;
/// Work one `did_you_mean` may do: a hundred comparisons of names of usual length.
const SUGGEST_BUDGET: usize = 20_000;

fn suggest_or_list(input: &str, known: &[&str]) -> String {
    match did_you_mean(input, known) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "expected one of {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A name as a TOML key, as `import` writes it: bare when possible, quoted otherwise.
pub(crate) fn toml_key(name: &str) -> String {
    crate::escape::toml_key(name)
}
