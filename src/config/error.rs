//! Diagnostics of the desired state: every error carries its file, the exact span, the
//! other locations involved and what to do about it.

use super::snippet::{FileText, Snippet};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;
use std::sync::Arc;

/// What kind of mistake an error reports; also its diagnostic code
/// (`pgrecon::config::<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The file is not valid TOML.
    TomlSyntax,
    UnknownKey,
    MissingKey,
    WrongType,
    /// A value of the right type that is not acceptable (bad range, bad format …).
    InvalidValue,
    InvalidName,
    /// A `schema.name` or `schema.name(args)` key that cannot be parsed.
    InvalidKey,
    UndeclaredRole,
    UndeclaredSchema,
    /// The same object declared twice (across files, or twice in one list).
    Duplicate,
    UnknownPrivilege,
    PrivilegeNotValid,
    LowercasePublic,
    InvalidSetting,
    Password,
    ExternalRole,
    MembershipCycle,
    InvalidGlob,
    DefaultPrivileges,
    /// A table referenced (foreign key, partition parent, `owned_by`) but not declared.
    UndeclaredTable,
    /// A column referenced (key, index, foreign key, `owned_by`) but not declared.
    UnknownColumn,
    /// A type name or SQL expression that PostgreSQL's parser rejects.
    SqlSyntax,
    /// A statement of a `.sql` file that is not one of the accepted `CREATE` statements.
    SqlStatement,
    /// Two keys that cannot go together (`identity` and `default`, …).
    Conflict,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "pgrecon::config::io",
            ErrorKind::TomlSyntax => "pgrecon::config::toml_syntax",
            ErrorKind::UnknownKey => "pgrecon::config::unknown_key",
            ErrorKind::MissingKey => "pgrecon::config::missing_key",
            ErrorKind::WrongType => "pgrecon::config::wrong_type",
            ErrorKind::InvalidValue => "pgrecon::config::invalid_value",
            ErrorKind::InvalidName => "pgrecon::config::invalid_name",
            ErrorKind::InvalidKey => "pgrecon::config::invalid_key",
            ErrorKind::UndeclaredRole => "pgrecon::config::undeclared_role",
            ErrorKind::UndeclaredSchema => "pgrecon::config::undeclared_schema",
            ErrorKind::Duplicate => "pgrecon::config::duplicate",
            ErrorKind::UnknownPrivilege => "pgrecon::config::unknown_privilege",
            ErrorKind::PrivilegeNotValid => "pgrecon::config::privilege_not_valid",
            ErrorKind::LowercasePublic => "pgrecon::config::lowercase_public",
            ErrorKind::InvalidSetting => "pgrecon::config::invalid_setting",
            ErrorKind::Password => "pgrecon::config::password",
            ErrorKind::ExternalRole => "pgrecon::config::external_role",
            ErrorKind::MembershipCycle => "pgrecon::config::membership_cycle",
            ErrorKind::InvalidGlob => "pgrecon::config::invalid_glob",
            ErrorKind::DefaultPrivileges => "pgrecon::config::default_privileges",
            ErrorKind::UndeclaredTable => "pgrecon::config::undeclared_table",
            ErrorKind::UnknownColumn => "pgrecon::config::unknown_column",
            ErrorKind::SqlSyntax => "pgrecon::config::sql_syntax",
            ErrorKind::SqlStatement => "pgrecon::config::sql_statement",
            ErrorKind::Conflict => "pgrecon::config::conflict",
        }
    }
}

/// All the errors found in a desired state, reported together.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{}", summary(.errors.len()))]
#[diagnostic(code(pgrecon::config::invalid))]
pub struct ConfigErrors {
    #[related]
    pub errors: Vec<ConfigError>,
}

fn summary(n: usize) -> String {
    if n == 1 {
        "found 1 error in the desired state".to_string()
    } else {
        format!("found {n} errors in the desired state")
    }
}

impl ConfigErrors {
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One error in the desired state.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
    /// The lines of the labels (long ones cut around the label); the labels are offsets
    /// of this excerpt.
    pub(crate) source_code: Option<Snippet>,
    /// The primary span in the file (the labels' may be cut).
    pub(crate) span: Option<std::ops::Range<usize>>,
    /// Primary label first, then the secondary ones (same file).
    pub(crate) labels: Vec<LabeledSpan>,
    pub(crate) help: Option<String>,
    /// Locations in other files (e.g. the first declaration of a duplicate).
    pub(crate) notes: Vec<ConfigNote>,
}

impl ConfigError {
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file the error points into, as labelled when loading (relative to the
    /// desired-state directory for `load_dir`).
    pub fn file(&self) -> Option<&str> {
        self.source_code.as_ref().map(|s| s.name())
    }

    /// Byte range of the primary span.
    pub fn span(&self) -> Option<std::ops::Range<usize>> {
        self.span.clone()
    }

    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_code
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source_code.is_none() || self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.notes.is_empty() {
            None
        } else {
            Some(Box::new(self.notes.iter().map(|n| n as &dyn Diagnostic)))
        }
    }
}

/// A location in another file that belongs to an error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigNote {
    message: String,
    source_code: Snippet,
    label: LabeledSpan,
}

impl Diagnostic for ConfigNote {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// Renders errors deterministically: no colour, unicode box characters, width 100. Used
/// by the tests and by the command line when its output is not a terminal.
pub fn render(errors: &ConfigErrors) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        .with_urls(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    for error in &errors.errors {
        let mut one = String::new();
        handler
            .render_report(&mut one, error)
            .expect("rendering into a String cannot fail");
        out.push_str(one.trim_end());
        out.push_str("\n\n");
    }
    out.push_str("error: ");
    out.push_str(&summary(errors.errors.len()));
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// Internal construction.

/// A byte range in one of the loaded files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Span {
    pub file: usize,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: usize, range: std::ops::Range<usize>) -> Self {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// An error before it is tied to file contents.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub kind: ErrorKind,
    pub message: String,
    pub primary: Option<(Span, String)>,
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    /// For errors without a span: the file they are about.
    pub file: Option<usize>,
}

/// Diagnostics quote names and values from the files, which may hold any character:
/// every text of a diagnostic is one escaped line (`render::escape::text_line`).
/// A word (a name, a value) longer than `MAX_WORD` characters is shown by its start
/// and end: no name PostgreSQL accepts is that long, and the message stays readable.
fn line(text: impl Into<String>) -> String {
    let text = text.into();
    let text = match crate::escape::text_line(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    };
    if text.len() <= MAX_WORD {
        return text;
    }
    text.split(' ')
        .map(|word| {
            let n = word.chars().count();
            if n > MAX_WORD {
                let head: String = word.chars().take(MAX_WORD / 2).collect();
                let tail: String = word.chars().skip(n - 16).collect();
                format!("{head}…{tail}")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const MAX_WORD: usize = 120;

impl Diag {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diag {
            kind,
            message: line(message),
            primary: None,
            secondary: Vec::new(),
            help: None,
            file: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some((span, line(label)));
        self
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, line(label)));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(line(help));
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help.map(line);
        }
        self
    }

    pub fn in_file(mut self, file: usize) -> Self {
        self.file = Some(file);
        self
    }

    fn sort_key(&self) -> (usize, usize, usize) {
        match &self.primary {
            Some((s, _)) => (s.file, s.start, s.end),
            None => (self.file.unwrap_or(usize::MAX), 0, 0),
        }
    }

    /// Ties the error to the file contents. `files[i]` is file `i`.
    fn finish(self, files: &[FileText]) -> ConfigError {
        let file = self.primary.as_ref().map(|(s, _)| s.file).or(self.file);
        let mut here = Vec::new();
        let mut notes = Vec::new();
        if let Some((span, label)) = self.primary {
            here.push((span.range(), label, true));
        }
        for (span, label) in self.secondary {
            if Some(span.file) == file {
                here.push((span.range(), label, false));
            } else {
                let f = &files[span.file];
                let (source_code, mapped) = Snippet::build(f, &[span.range()]);
                notes.push(ConfigNote {
                    message: format!("{}: {label}", f.name),
                    source_code,
                    label: LabeledSpan::new_primary_with_span(Some(label), mapped[0].clone()),
                });
            }
        }
        let (source_code, labels, span) = match file {
            Some(f) => {
                let ranges: Vec<_> = here.iter().map(|(r, _, _)| r.clone()).collect();
                let (snippet, mapped) = Snippet::build(&files[f], &ranges);
                let labels = here
                    .into_iter()
                    .zip(mapped)
                    .map(|((_, label, primary), range)| {
                        if primary {
                            LabeledSpan::new_primary_with_span(Some(label), range)
                        } else {
                            LabeledSpan::new_with_span(Some(label), range)
                        }
                    })
                    .collect();
                let span = ranges.first().map(|r| {
                    let end = r.end.min(files[f].text.len());
                    r.start.min(end)..end
                });
                (Some(snippet), labels, span)
            }
            None => (None, Vec::new(), None),
        };
        ConfigError {
            kind: self.kind,
            message: self.message,
            source_code,
            span,
            labels,
            help: self.help,
            notes,
        }
    }
}

/// Sorts errors by file and position, drops exact repeats, and ties them to the files.
pub(crate) fn finish_all(
    mut diags: Vec<Diag>,
    names: &[String],
    texts: &[Arc<str>],
) -> ConfigErrors {
    diags.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.message == b.message);
    let files: Vec<FileText> = names
        .iter()
        .zip(texts)
        .map(|(name, text)| FileText::new(name.clone(), text.clone()))
        .collect();
    ConfigErrors {
        errors: diags.into_iter().map(|d| d.finish(&files)).collect(),
    }
}
