//! Column clauses: identity and generated columns.

use super::sequence::sequence_clauses;
use crate::model::{Identity, IdentityKind, QualifiedName};
use crate::sql::qualified;

pub fn identity_kind_sql(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// `GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME s.n START WITH 10 …)`.
pub fn identity_sql(identity: &Identity, sequence: Option<&QualifiedName>) -> String {
    let mut options = Vec::new();
    if let Some(s) = sequence {
        options.push(format!("SEQUENCE NAME {}", qualified(&s.schema, &s.name)));
    }
    options.extend(sequence_clauses(None, &identity.options));
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" ({})", options.join(" "))
    };
    format!(
        "GENERATED {} AS IDENTITY{options}",
        identity_kind_sql(identity.kind)
    )
}

/// `GENERATED ALWAYS AS (expr) STORED|VIRTUAL`.
pub fn generated_sql(expression: &str, is_virtual: bool) -> String {
    let kind = if is_virtual { "VIRTUAL" } else { "STORED" };
    format!("GENERATED ALWAYS AS ({expression}) {kind}")
}
