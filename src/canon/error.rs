//! What canonicalisation reports: the objects the server (or the offline syntax check)
//! rejected, each with its declaration, and the errors of the run itself.

use crate::introspect::IntrospectError;
use crate::model::{FunctionId, QualifiedName};
use std::fmt;

/// One desired object PostgreSQL (or the offline syntax check) rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonProblem {
    /// `table general.notes`, `domain general.email`, …
    pub object: String,
    /// The declaration at fault, when known.
    pub declared: Option<Declared>,
    /// The clause at fault when known: `column created_at`, `index notes_idx`.
    pub clause: Option<String>,
    /// The server's (or parser's) message.
    pub message: String,
}

impl fmt::Display for CanonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.clause {
            Some(c) => write!(f, "{}, {c}: {}", self.object, self.message),
            None => write!(f, "{}: {}", self.object, self.message),
        }
    }
}

/// A declaration of the desired state, as canonicalisation names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    Schema(String),
    Extension(String),
    /// An enum, domain, composite or range type.
    Type(QualifiedName),
    Collation(QualifiedName),
    /// A table or a sequence.
    Relation(QualifiedName),
    /// A trigger: (table, name).
    Trigger(QualifiedName, String),
    /// A function or procedure, by its declared identity.
    Function(FunctionId),
}

impl Declared {
    pub(super) fn location<'s>(
        &self,
        sources: &'s crate::config::Sources,
    ) -> Option<&'s crate::config::Location> {
        match self {
            Declared::Schema(n) => sources.schemas.get(n),
            Declared::Extension(n) => sources.extensions.get(n),
            Declared::Type(n) => sources.types.get(n),
            Declared::Collation(n) => sources.collations.get(n),
            Declared::Relation(n) => sources.relations.get(n),
            Declared::Trigger(t, n) => sources.triggers.get(&(t.clone(), n.clone())),
            Declared::Function(id) => sources.functions.get(id),
        }
    }
}

impl CanonError {
    /// The error with each rejected object's declaration (`file:line:column`), as the
    /// command line prints it.
    pub fn located(&self, sources: &crate::config::Sources) -> String {
        match self {
            CanonError::Rejected(problems) => render_problems(problems, Some(sources)),
            other => other.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CanonError {
    #[error(
        "failed to canonicalise the desired state: {}",
        crate::escape::text_line(.0)
    )]
    Database(String),
    /// A scratch statement or read waited longer than `lock_timeout` (SQLSTATE 55P03):
    /// not the desired state's fault, and a retry may get past it.
    #[error(
        "failed to canonicalise the desired state: {}",
        crate::escape::text_line(.0)
    )]
    LockTimeout(String),
    #[error("failed to canonicalise the desired state: {0}")]
    Introspect(#[from] IntrospectError),
    #[error("{}", render_problems(.0, None))]
    Rejected(Vec<CanonProblem>),
    #[error(transparent)]
    NeedsNewerServer(#[from] crate::compat::NeedsNewerServer),
}

const HELP: &str = "\n  help: fix the type names and SQL expressions above in the desired state; \
                    they are checked by creating the objects in a transaction that is rolled back";

/// The problems, one per line (escaped: they quote names and server text), each with
/// its declaration when `sources` can place it.
fn render_problems(problems: &[CanonProblem], sources: Option<&crate::config::Sources>) -> String {
    let mut out = format!(
        "the server rejected {} desired object{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&crate::escape::text_line(&p.to_string()));
        let at = sources.and_then(|s| Some((s, p.declared.as_ref()?.location(s)?)));
        if let Some((sources, at)) = at {
            out.push_str("\n    --> ");
            out.push_str(&crate::escape::text_line(&sources.describe(at)));
        }
    }
    out.push_str(HELP);
    out
}

pub(super) fn db_error(e: &tokio_postgres::Error) -> CanonError {
    if crate::db_error::is_lock_timeout(e) {
        return CanonError::LockTimeout(crate::db_error::db_message(e));
    }
    CanonError::Database(crate::db_error::db_message(e))
}

impl CanonError {
    /// Whether it is a lock timeout (SQLSTATE 55P03), by the error code.
    pub fn is_lock_timeout(&self) -> bool {
        match self {
            CanonError::LockTimeout(_) => true,
            CanonError::Introspect(e) => e.is_lock_timeout(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_render_lowercase_with_help() {
        let e = CanonError::Rejected(vec![CanonProblem {
            object: "table general.notes".into(),
            declared: None,
            clause: Some("column created_at".into()),
            message: "type \"timestamptzz\" does not exist".into(),
        }]);
        assert_eq!(
            e.to_string(),
            "the server rejected 1 desired object:\n  table general.notes, column created_at: \
             type \"timestamptzz\" does not exist\n  help: fix the type names and SQL \
             expressions above in the desired state; they are checked by creating the objects \
             in a transaction that is rolled back"
        );
    }
}
