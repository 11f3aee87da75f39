//! Column definitions, with their identity and generated clauses.

use super::collation_sql;
use super::sequence::sequence_clauses;
use crate::model::{Column, Identity, IdentityKind, QualifiedName};
use crate::sql::{qualified, quote_ident};

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
    let expression = super::expression::reparsable(expression);
    format!("GENERATED ALWAYS AS ({expression}) {kind}")
}

/// A column definition, rendered where canon and the plan differ.
pub struct ColumnParts<'a> {
    pub name: &'a str,
    /// `None` for a partition's column its parent defines: `WITH OPTIONS`.
    pub type_name: Option<&'a str>,
    pub collation: Option<&'a str>,
    /// (expression, virtual)
    pub generated: Option<(&'a str, bool)>,
    /// (identity, its sequence's name)
    pub identity: Option<(&'a Identity, Option<&'a QualifiedName>)>,
    /// The text after `DEFAULT` (canon parenthesises declared text).
    pub default: Option<String>,
    pub not_null: bool,
    pub not_null_name: Option<&'a str>,
}

/// `name type [COLLATE c] [GENERATED …] [DEFAULT d] [[CONSTRAINT n] NOT NULL]`.
pub fn column_definition(p: ColumnParts<'_>) -> String {
    let mut s = quote_ident(p.name);
    match p.type_name {
        Some(t) => {
            s.push(' ');
            s.push_str(t);
        }
        None => s.push_str(" WITH OPTIONS"),
    }
    if let Some(coll) = p.collation {
        s.push_str(&format!(" COLLATE {}", collation_sql(coll)));
    }
    if let Some((g, is_virtual)) = p.generated {
        s.push(' ');
        s.push_str(&generated_sql(g, is_virtual));
    }
    if let Some((i, sequence)) = p.identity {
        s.push(' ');
        s.push_str(&identity_sql(i, sequence));
    }
    if let Some(d) = p.default {
        s.push_str(&format!(" DEFAULT {}", super::expression::reparsable(&d)));
    }
    if let Some(n) = p.not_null_name {
        s.push_str(&format!(" CONSTRAINT {} NOT NULL", quote_ident(n)));
    } else if p.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

/// One column of a `CREATE TABLE` / `ADD COLUMN` from canonical text.
pub fn column_sql(c: &Column, identity_sequence: Option<&QualifiedName>) -> String {
    column_definition(ColumnParts {
        name: &c.name,
        type_name: Some(&c.type_name),
        collation: c.collation.as_deref(),
        generated: c.generated.as_deref().map(|g| (g, c.generated_virtual)),
        identity: c.identity.as_ref().map(|i| (i, identity_sequence)),
        default: c.default.clone(),
        not_null: c.not_null,
        not_null_name: c.not_null_name.as_deref(),
    })
}
