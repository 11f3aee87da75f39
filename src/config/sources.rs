//! Where each part of the desired state was declared. Kept beside the catalog, never
//! inside it, so that catalog equality depends on content alone.

use crate::model::{DefaultPrivilegeKey, FunctionId, Grantee, ObjectKind, QualifiedName};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One loaded desired-state file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How the file is named in messages: relative to the desired-state directory for
    /// `load_dir`, the given path for `load_files`.
    pub label: String,
    /// Where the file was read from.
    pub path: PathBuf,
    /// The contents, with secrets (SCRAM verifiers, values written where a password
    /// source was expected) masked with `*` so that no diagnostic can show them. Byte
    /// offsets are unchanged.
    pub contents: Arc<str>,
}

/// A span in one of the loaded files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's label (see [`SourceFile::label`]).
    pub file: String,
    /// Byte range of the name (key) or value that declared the item.
    pub span: Range<usize>,
}

/// Where a grant was declared: an object, or a site that is not one object (a schema's
/// grants on all its tables, default privileges). Objects themselves are named by
/// `model::ObjectRef` everywhere else; this type only keys `Sources::grants`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GrantSite {
    Database,
    Schema(String),
    /// `table_grants`, `sequence_grants`, `function_grants` of a schema: every object of
    /// the kind in the schema, existing and future.
    SchemaObjects {
        schema: String,
        kind: ObjectKind,
    },
    Relation(QualifiedName),
    /// Column privileges: the table and the column.
    Column(QualifiedName, String),
    Function(FunctionId),
    /// An enum, domain, composite or range type.
    Type(QualifiedName),
    DefaultPrivileges(DefaultPrivilegeKey),
}

/// Where each role, schema, object and grant of the desired state was declared.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Every loaded file, in load order (sorted by path).
    pub files: Vec<SourceFile>,
    /// The `[database]` table.
    pub database: Option<Location>,
    /// The `[scope]` table.
    pub scope: Option<Location>,
    /// The `[roles.NAME]` key of each role.
    pub roles: BTreeMap<String, Location>,
    /// The `[schemas.NAME]` key of each schema.
    pub schemas: BTreeMap<String, Location>,
    /// The `[tables."s.t"]` / `[sequences."s.t"]` key of each declared relation, or the
    /// `[table_grants."s.t"]` / `[sequence_grants."s.t"]` key of a relation that only
    /// has grants.
    pub relations: BTreeMap<QualifiedName, Location>,
    /// The `[enums."s.t"]` / `[domains."s.t"]` key of each type.
    pub types: BTreeMap<QualifiedName, Location>,
    /// The `CREATE COLLATION` statement of each collation.
    pub collations: BTreeMap<QualifiedName, Location>,
    /// The `[extensions.NAME]` key of each extension.
    pub extensions: BTreeMap<String, Location>,
    /// The `CREATE TRIGGER` statement of each trigger: (table, trigger name).
    pub triggers: BTreeMap<(QualifiedName, String), Location>,
    /// The `[function_grants."s.f(args)"]` key of each function.
    pub functions: BTreeMap<FunctionId, Location>,
    /// `(member, granted role)` → the `member_of` entry.
    pub memberships: BTreeMap<(String, String), Location>,
    /// The grantee key of every grant (for default privileges desugared from a schema's
    /// `*_grants`, the grantee key in those grants; the first declaration when several
    /// contribute).
    pub grants: BTreeMap<(GrantSite, Grantee), Location>,
    /// The declaration that first produced each default-privileges entry.
    pub default_privileges: BTreeMap<DefaultPrivilegeKey, Location>,
    /// The `password` key of each role that declares one.
    pub passwords: BTreeMap<String, Location>,
    /// The `name` of each `[[check]]`.
    pub checks: BTreeMap<String, Location>,
    pub(crate) secrets: BTreeMap<String, PendingSecret>,
    /// Directory the file labels are relative to (empty for `load_files`).
    pub(crate) base_dir: PathBuf,
}

/// Data `resolve_secrets` needs that does not belong in the catalog.
#[derive(Debug, Clone)]
pub(crate) struct PendingSecret {
    /// Span of the source value (`env`/`file`/`scram` string).
    pub value_span: crate::config::error::Span,
    pub verifier: Option<SecretString>,
}

impl Sources {
    /// The file a location points into.
    pub fn file(&self, location: &Location) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.label == location.file)
    }

    /// `file:line:column` (1-based) of a location, as editors accept it.
    pub fn describe(&self, location: &Location) -> String {
        match self.file(location) {
            Some(file) => {
                let (line, column) = line_column(&file.contents, location.span.start);
                format!("{}:{line}:{column}", location.file)
            }
            None => location.file.clone(),
        }
    }

    pub(crate) fn location(&self, span: crate::config::error::Span) -> Location {
        Location {
            file: self.files[span.file].label.clone(),
            span: span.range(),
        }
    }

    /// Where a path written in a TOML file (relative to that file) is, relative to the
    /// desired-state directory.
    pub(crate) fn relative_to_dir(&self, file: usize, written: &str) -> PathBuf {
        Path::new(&self.files[file].label)
            .parent()
            .unwrap_or(Path::new(""))
            .join(written)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
