//! Constraint clauses.

use super::index::include_sql;
use crate::model::{Constraint, ConstraintKind, ExclusionElement, ForeignKeyAction};
use crate::sql::{qualified, quote_ident};

/// `CHECK (expr) [NO INHERIT]`.
pub fn check_sql(expression: &str, no_inherit: bool) -> String {
    format!(
        "CHECK ({}){}",
        super::expression::reparsable(expression),
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

/// A table constraint from canonical text, as `CREATE TABLE` and `ADD` write it.
pub fn constraint_sql(c: &Constraint) -> String {
    let def = match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            format!(
                "PRIMARY KEY ({}){}",
                column_list(columns),
                include_sql(include)
            )
        }
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => format!(
            "UNIQUE{} ({}){}",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            column_list(columns),
            include_sql(include)
        ),
        ConstraintKind::ForeignKey {
            columns,
            references,
            referenced_columns,
            on_update,
            on_delete,
            match_full,
        } => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                column_list(columns),
                qualified(&references.schema, &references.name)
            );
            if !referenced_columns.is_empty() {
                s.push_str(&format!(" ({})", column_list(referenced_columns)));
            }
            if *match_full {
                s.push_str(" MATCH FULL");
            }
            if *on_update != ForeignKeyAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", on_update.as_sql()));
            }
            if *on_delete != ForeignKeyAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", on_delete.as_sql()));
            }
            s
        }
        ConstraintKind::Check {
            expression,
            no_inherit,
        } => check_sql(expression, *no_inherit),
        ConstraintKind::Exclusion {
            method,
            elements,
            predicate,
        } => {
            let elements: Vec<String> = elements
                .iter()
                .map(|e| exclusion_element_sql(e, &operator_sql(&e.operator)))
                .collect();
            exclude_sql(&quote_ident(method), &elements, predicate.as_deref())
        }
    };
    named_sql(&c.name, &def, c.deferrable, c.initially_deferred)
}

/// `CONSTRAINT name <definition> [DEFERRABLE [INITIALLY DEFERRED]]`.
pub fn named_sql(name: &str, def: &str, deferrable: bool, initially_deferred: bool) -> String {
    format!(
        "CONSTRAINT {} {def}{}",
        quote_ident(name),
        deferrable_sql(deferrable, initially_deferred)
    )
}

/// `EXCLUDE USING method (elements) [WHERE (predicate)]`, the method rendered (canon
/// writes the declared one lowercased, the plan the canonical one quoted).
pub fn exclude_sql(method: &str, elements: &[String], predicate: Option<&str>) -> String {
    let mut s = format!("EXCLUDE USING {method} ({})", elements.join(", "));
    if let Some(p) = predicate {
        s.push_str(&format!(" WHERE ({})", super::expression::reparsable(p)));
    }
    s
}

/// `key WITH operator`, the operator rendered.
pub fn exclusion_element_sql(e: &ExclusionElement, operator: &str) -> String {
    let key = match (&e.column, &e.expression) {
        (Some(c), _) => quote_ident(c),
        (None, Some(x)) => format!("({x})"),
        (None, None) => String::new(),
    };
    format!("{key} WITH {operator}")
}

fn column_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Canonical operators are SQL already: `=`, `&&`, `OPERATOR(public.&&&)`; a bare
/// qualified one (`public.&&`) gets its `OPERATOR(…)`.
pub fn operator_sql(op: &str) -> String {
    if op.starts_with("OPERATOR(") {
        return op.to_string();
    }
    match op.split_once('.') {
        Some((schema, name)) => {
            format!("OPERATOR({}.{name})", quote_ident(schema.trim_matches('"')))
        }
        None => op.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_operators_are_wrapped_when_qualified() {
        assert_eq!(operator_sql("&&"), "&&");
        assert_eq!(operator_sql("public.&&"), "OPERATOR(public.&&)");
        assert_eq!(operator_sql("OPERATOR(public.&&&)"), "OPERATOR(public.&&&)");
    }
}
