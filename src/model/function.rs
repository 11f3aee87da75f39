//! Functions and procedures: their definition (when declared in a `.sql` file), owner,
//! comment and grants.

use super::Acl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A function or procedure, identified as PostgreSQL does: name and argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionId {
    pub schema: String,
    pub name: String,
    /// Argument types only, as `oidvectortypes(proargtypes)` prints them: `integer, text`
    /// (parameter names and modes are not part of a function's identity).
    pub arguments: String,
}

impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}({})",
            crate::sql::display_ident(&self.schema),
            crate::sql::display_ident(&self.name),
            self.arguments
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: FunctionId,
    pub is_procedure: bool,
    pub owner: Option<String>,
    pub acl: Acl,
    /// The definition. Live: always read. Desired: declared in a `.sql` file; `None` when
    /// only the grants are declared (`function_grants`), and then the definition and
    /// comment are left alone.
    pub definition: Option<RoutineDefinition>,
    pub comment: Option<String>,
    /// Live only: the indexes, defaults, generated columns, checks, triggers and policies
    /// of tables that call it (`pg_depend`), which block its drop. Views record their
    /// calls themselves (`View::calls`). Ordering and rebuilds only; never compared.
    pub used_by: Vec<RoutineUser>,
}

/// Something of a table that calls a routine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RoutineUser {
    pub kind: RoutineUserKind,
    pub table: super::QualifiedName,
    /// The index, constraint, trigger or policy; the column of a default.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineUserKind {
    Index,
    Default,
    Generated,
    Constraint,
    Trigger,
    Policy,
}

impl RoutineUser {
    /// As people read it: `index items_norm_idx on app.items`.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            RoutineUserKind::Index => "index",
            RoutineUserKind::Default => "the default of column",
            RoutineUserKind::Generated => "generated column",
            RoutineUserKind::Constraint => "constraint",
            RoutineUserKind::Trigger => "trigger",
            RoutineUserKind::Policy => "policy",
        };
        format!(
            "{what} {} on {}",
            crate::sql::display_ident(&self.name),
            self.table
        )
    }
}

/// What a routine is, as the server prints it. Desired definitions hold the statement as
/// written until canonicalisation replaces it with the server's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutineDefinition {
    /// `pg_get_functiondef`: the whole `CREATE OR REPLACE FUNCTION|PROCEDURE` statement,
    /// body included, exactly as stored (the comparison key).
    pub text: String,
    /// `pg_get_function_arguments`: names, modes, types and defaults.
    pub arguments: String,
    /// `pg_get_function_result` (`integer`, `SETOF text`, `TABLE(a integer)`); `None` for
    /// a procedure.
    pub result: Option<String>,
    pub language: String,
    pub security_definer: bool,
}

impl RoutineDefinition {
    /// The SQL-standard body as a statement the parser accepts: a `BEGIN ATOMIC … END`
    /// body's statements, or `SELECT <expression>` for `RETURN <expression>`; `None` for
    /// a string body (`AS …`), which the server does not parse at creation.
    pub fn sql_body(&self) -> Option<String> {
        sql_body(&self.text)
    }
}

/// [`RoutineDefinition::sql_body`] of a `pg_get_functiondef` text: the body starts at
/// the first line that is not part of the header.
pub fn sql_body(text: &str) -> Option<String> {
    let (at, marker) = ["\nAS ", "\nBEGIN ATOMIC\n", "\nRETURN "]
        .iter()
        .filter_map(|m| text.find(m).map(|i| (i, *m)))
        .min()?;
    let rest = &text[at + marker.len()..];
    match marker {
        "\nBEGIN ATOMIC\n" => Some(rest.trim_end().strip_suffix("END")?.to_string()),
        "\nRETURN " => Some(format!("SELECT {rest}")),
        _ => None,
    }
}

impl super::SchemaKey for FunctionId {
    fn schema(&self) -> &str {
        &self.schema
    }
    fn first_in(schema: &str) -> Self {
        FunctionId {
            schema: schema.to_string(),
            name: String::new(),
            arguments: String::new(),
        }
    }
}
