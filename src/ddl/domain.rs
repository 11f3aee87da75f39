//! Domains.

use super::constraint::named_check_sql;
use super::{Sink, collation_sql};
use crate::model::QualifiedName;
use crate::sql::{qualified, quote_ident};

/// What a `CREATE DOMAIN` says, rendered where canon and the plan differ: `default` is
/// the text after `DEFAULT` (canon parenthesises declared text).
pub struct DomainParts<'a> {
    pub base_type: &'a str,
    pub collation: Option<&'a str>,
    pub default: Option<String>,
    pub not_null: bool,
    /// (name, expression)
    pub checks: Vec<(&'a str, &'a str)>,
}

/// `CREATE DOMAIN name AS type [COLLATE c] [DEFAULT d] [NOT NULL] [CONSTRAINT n CHECK
/// (e)]…`, each part a labelled clause.
pub fn create_domain(out: &mut impl Sink, name: &QualifiedName, d: DomainParts<'_>) {
    out.text(&format!(
        "CREATE DOMAIN {} AS ",
        qualified(&name.schema, &name.name)
    ));
    out.clause("type".into(), d.base_type);
    if let Some(c) = d.collation {
        out.text(" ");
        out.clause("collation".into(), &format!("COLLATE {}", collation_sql(c)));
    }
    if let Some(def) = d.default {
        out.text(" ");
        let def = super::expression::reparsable(&def);
        out.clause("default".into(), &format!("DEFAULT {def}"));
    }
    if d.not_null {
        out.text(" NOT NULL");
    }
    for (check, expr) in d.checks {
        out.text(" ");
        out.clause(
            format!("check {}", quote_ident(check)),
            &named_check_sql(check, expr, false),
        );
    }
}
