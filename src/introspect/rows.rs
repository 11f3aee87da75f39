//! Typed access to result rows shared by the per-kind readers.

use super::{IntrospectError, get, unexpected};
use crate::model::QualifiedName;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

/// Position of `column` in the rows of a query (rows all share one description), so
/// that hot loops index instead of searching by name on every field.
pub(super) fn position(
    what: &'static str,
    rows: &[Row],
    column: &str,
) -> Result<usize, IntrospectError> {
    match rows.first() {
        None => Ok(0),
        Some(row) => row
            .columns()
            .iter()
            .position(|c| c.name() == column)
            .ok_or_else(|| unexpected(what, format!("no column {column} in the result"))),
    }
}

pub(super) fn at<'r, T: FromSql<'r>>(
    what: &'static str,
    row: &'r Row,
    index: usize,
) -> Result<T, IntrospectError> {
    row.try_get(index)
        .map_err(|source| IntrospectError::Query { what, source })
}

/// A `text[]` that may be NULL or hold NULLs.
pub(super) fn strings(
    what: &'static str,
    row: &Row,
    column: &str,
) -> Result<Vec<Option<String>>, IntrospectError> {
    Ok(get::<Option<Vec<Option<String>>>>(what, row, column)?.unwrap_or_default())
}

/// A list of names in which no element may be NULL.
pub(super) fn names(
    what: &'static str,
    row: &Row,
    column: &str,
    object: &dyn Fn() -> String,
) -> Result<Vec<String>, IntrospectError> {
    strings(what, row, column)?
        .into_iter()
        .map(|name| {
            name.ok_or_else(|| unexpected(what, format!("NULL in {column} of {}", object())))
        })
        .collect()
}

/// An `int2[]` of column numbers (NULL reads as empty).
pub(super) fn numbers(
    what: &'static str,
    row: &Row,
    column: &str,
) -> Result<Vec<i16>, IntrospectError> {
    Ok(get::<Option<Vec<i16>>>(what, row, column)?.unwrap_or_default())
}

/// A table named by `regclass` output under an empty `search_path`: `schema.name`, or a
/// bare name for a `pg_catalog` table.
pub(super) fn regclass_name(text: &str) -> Option<QualifiedName> {
    QualifiedName::parse(text).or_else(|| {
        let parts = crate::sql::split_qualified(text)?;
        match parts.as_slice() {
            [name] => Some(QualifiedName::new("pg_catalog", name.clone())),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regclass_names() {
        assert_eq!(
            regclass_name("general.notes"),
            Some(QualifiedName::new("general", "notes"))
        );
        assert_eq!(
            regclass_name("\"My Schema\".\"T.1\""),
            Some(QualifiedName::new("My Schema", "T.1"))
        );
        assert_eq!(
            regclass_name("pg_class"),
            Some(QualifiedName::new("pg_catalog", "pg_class"))
        );
    }
}
