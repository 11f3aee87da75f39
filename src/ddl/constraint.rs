//! Constraint clauses.

use crate::sql::quote_ident;

/// `CHECK (expr) [NO INHERIT]`.
pub fn check_sql(expression: &str, no_inherit: bool) -> String {
    format!(
        "CHECK ({expression}){}",
        if no_inherit { " NO INHERIT" } else { "" }
    )
}

/// `CONSTRAINT name CHECK (expr) [NO INHERIT]`, in a table or a domain.
pub fn named_check_sql(name: &str, expression: &str, no_inherit: bool) -> String {
    format!(
        "CONSTRAINT {} {}",
        quote_ident(name),
        check_sql(expression, no_inherit)
    )
}

/// ` DEFERRABLE [INITIALLY DEFERRED]`, or nothing.
pub fn deferrable_sql(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (false, _) => "",
        (true, false) => " DEFERRABLE",
        (true, true) => " DEFERRABLE INITIALLY DEFERRED",
    }
}
