//! Enum types.

use crate::model::QualifiedName;
use crate::sql::{qualified, quote_literal};

/// The quoted labels of an enum, in order.
pub fn enum_labels(values: &[String]) -> Vec<String> {
    values.iter().map(|v| quote_literal(v)).collect()
}

/// `CREATE TYPE s.n AS ENUM ('a', 'b')`.
pub fn create_enum(name: &QualifiedName, values: &[String]) -> String {
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        qualified(&name.schema, &name.name),
        enum_labels(values).join(", ")
    )
}
