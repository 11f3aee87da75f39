//! `CREATE [OR REPLACE] [MATERIALIZED] VIEW`: for the plan (canonical definition, whose
//! output columns carry their names) and for canon's scratch copies (the definition as
//! declared, with its declared column list).

use crate::model::{QualifiedName, View};
use crate::sql::{qualified, quote_ident, quote_literal};

pub struct ViewSql<'a> {
    /// Where to create it (canon: a scratch schema).
    pub name: &'a QualifiedName,
    pub view: &'a View,
    /// The query to write (canon: with its references rewritten).
    pub definition: &'a str,
    pub or_replace: bool,
    /// Write the column list (the declared names, before canon).
    pub column_list: bool,
    /// Materialized: `WITH NO DATA` whatever was declared (canon never runs the query).
    pub no_data: bool,
}

pub fn create_view(v: &ViewSql<'_>) -> String {
    let view = v.view;
    let mut sql = String::from("CREATE ");
    if v.or_replace {
        sql.push_str("OR REPLACE ");
    }
    sql.push_str(if view.materialized {
        "MATERIALIZED VIEW "
    } else {
        "VIEW "
    });
    sql.push_str(&qualified(&v.name.schema, &v.name.name));
    if v.column_list && !view.columns.is_empty() {
        let names: Vec<String> = view.columns.iter().map(|c| quote_ident(&c.name)).collect();
        sql.push_str(&format!(" ({})", names.join(", ")));
    }
    let options = options(view);
    if !options.is_empty() {
        sql.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    sql.push_str(" AS\n");
    sql.push_str(v.definition);
    if view.materialized && (v.no_data || !view.with_data) {
        sql.push_str("\nWITH NO DATA");
    }
    sql
}

/// The `WITH (…)` options: view options, or a materialized view's storage parameters.
pub fn options(view: &View) -> Vec<String> {
    let mut out = Vec::new();
    if view.materialized {
        for (k, value) in &view.storage {
            out.push(format!("{} = {}", option_key(k), quote_literal(value)));
        }
        return out;
    }
    if let Some(c) = &view.check_option {
        out.push(format!("check_option = {}", quote_literal(c)));
    }
    if view.security_barrier {
        out.push("security_barrier = true".into());
    }
    if view.security_invoker {
        out.push("security_invoker = true".into());
    }
    out
}

/// `fillfactor`, `toast.autovacuum_enabled`: each part an identifier.
fn option_key(key: &str) -> String {
    key.split('.')
        .map(quote_ident)
        .collect::<Vec<_>>()
        .join(".")
}
