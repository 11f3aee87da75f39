//! Table triggers: `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER`.

use crate::model::{QualifiedName, Trigger};
use crate::sql::{qualified, quote_ident, quote_literal};

/// How a trigger is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    Plain,
    /// `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+, not for constraint triggers).
    OrReplace,
}

/// The `CREATE TRIGGER` statement of `t` on `table`, calling `function` (the declared
/// one, unless canon substitutes its own). Options equal to PostgreSQL's defaults are
/// left out (`NOT DEFERRABLE`, `INITIALLY IMMEDIATE`).
pub fn create_trigger(
    table: &QualifiedName,
    t: &Trigger,
    function: &QualifiedName,
    how: Create,
) -> String {
    let mut s = String::from("CREATE ");
    if how == Create::OrReplace && t.constraint.is_none() {
        s.push_str("OR REPLACE ");
    }
    if t.constraint.is_some() {
        s.push_str("CONSTRAINT ");
    }
    s.push_str(&format!(
        "TRIGGER {} {} {}",
        quote_ident(&t.name),
        t.timing.as_sql(),
        events_sql(t)
    ));
    s.push_str(&format!(" ON {}", qualified(&table.schema, &table.name)));
    if let Some(c) = &t.constraint {
        if let Some(r) = &c.referenced_table {
            s.push_str(&format!(" FROM {}", qualified(&r.schema, &r.name)));
        }
        if c.deferrable {
            s.push_str(" DEFERRABLE");
            if c.initially_deferred {
                s.push_str(" INITIALLY DEFERRED");
            }
        }
    }
    let mut referencing = Vec::new();
    if let Some(o) = &t.old_table {
        referencing.push(format!("OLD TABLE AS {}", quote_ident(o)));
    }
    if let Some(n) = &t.new_table {
        referencing.push(format!("NEW TABLE AS {}", quote_ident(n)));
    }
    if !referencing.is_empty() {
        s.push_str(&format!(" REFERENCING {}", referencing.join(" ")));
    }
    s.push_str(if t.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({w})"));
    }
    let arguments: Vec<String> = t.arguments.iter().map(|a| quote_literal(a)).collect();
    s.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified(&function.schema, &function.name),
        arguments.join(", ")
    ));
    s
}

/// `INSERT OR UPDATE OF a, b OR DELETE`.
pub fn events_sql(t: &Trigger) -> String {
    t.events
        .iter()
        .map(|e| {
            if *e == crate::model::TriggerEvent::Update && !t.update_columns.is_empty() {
                let columns: Vec<String> =
                    t.update_columns.iter().map(|c| quote_ident(c)).collect();
                format!("UPDATE OF {}", columns.join(", "))
            } else {
                e.as_sql().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The `WHEN` condition of a `CREATE TRIGGER` statement (as `pg_get_triggerdef` prints
/// it, or as declared), deparsed by `pg_query`; `None` when the statement does not parse
/// or has none.
pub fn when_of_definition(definition: &str) -> Option<String> {
    use pg_query::NodeEnum;
    let parsed = pg_query::parse(definition, pg_query::ParserOptions::DEFAULT).ok()?;
    let node = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    let NodeEnum::CreateTrigStmt(stmt) = node else {
        return None;
    };
    deparse_expression(stmt.when_clause.as_deref()?)
}

/// An expression node as text: put in place of the `1` of a parsed `SELECT 1` (so that
/// every other field holds what the parser sets), deparsed, the keyword cut.
pub fn deparse_expression(expression: &pg_query::protobuf::Node) -> Option<String> {
    use pg_query::NodeEnum;
    let mut parsed = pg_query::parse("SELECT 1", pg_query::ParserOptions::DEFAULT).ok()?;
    let stmt = parsed.protobuf.stmts.first_mut()?.stmt.as_mut()?;
    let Some(NodeEnum::SelectStmt(select)) = stmt.node.as_mut() else {
        return None;
    };
    let Some(NodeEnum::ResTarget(target)) = select.target_list.first_mut()?.node.as_mut() else {
        return None;
    };
    target.val = Some(Box::new(expression.clone()));
    let text = pg_query::deparse(&parsed.protobuf, Default::default()).ok()?;
    text.strip_prefix("SELECT ").map(str::to_string)
}
