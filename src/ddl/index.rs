//! Indexes. What canon and the plan write differently (the method, operator classes and
//! storage parameters: declared text there, canonical text here) comes in rendered.

use super::collation_sql;
use crate::model::{Index, IndexKey, QualifiedName};
use crate::sql::{qualified, quote_ident};

/// ` INCLUDE (a, b)`, or nothing.
pub fn include_sql(include: &[String]) -> String {
    if include.is_empty() {
        String::new()
    } else {
        let columns: Vec<String> = include.iter().map(|c| quote_ident(c)).collect();
        format!(" INCLUDE ({})", columns.join(", "))
    }
}

/// One key: column or `(expression)`, collation, operator class (rendered), order, and
/// `NULLS` only where it is not the default for the order.
pub fn key_sql(k: &IndexKey, opclass: Option<&str>) -> String {
    let mut s = match (&k.column, &k.expression) {
        (Some(c), _) => quote_ident(c),
        (None, Some(x)) => format!("({})", super::expression::reparsable(x)),
        (None, None) => String::new(),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {}", collation_sql(c)));
    }
    if let Some(o) = opclass {
        s.push_str(&format!(" {o}"));
    }
    if k.descending {
        s.push_str(" DESC");
    }
    match k.nulls_first {
        Some(true) if !k.descending => s.push_str(" NULLS FIRST"),
        Some(false) if k.descending => s.push_str(" NULLS LAST"),
        _ => {}
    }
    s
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table USING method (keys) [INCLUDE …]
/// [NULLS NOT DISTINCT] [WITH (storage)] [WHERE (predicate)]`.
pub fn create_index(
    table: &QualifiedName,
    i: &Index,
    concurrently: bool,
    method: &str,
    keys: &[String],
    storage: &[String],
) -> String {
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {} USING {method} ({})",
        if i.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote_ident(&i.name),
        qualified(&table.schema, &table.name),
        keys.join(", ")
    );
    s.push_str(&include_sql(&i.include));
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !storage.is_empty() {
        s.push_str(&format!(" WITH ({})", storage.join(", ")));
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE ({})", super::expression::reparsable(p)));
    }
    s
}
