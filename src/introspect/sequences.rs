//! Sequences; an identity sequence's options go onto its column.

use super::columns::ColumnsByNumber;
use super::queries::user_relation;
use super::rows::regclass_name;
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::model::{QualifiedName, Sequence, SequenceOptions, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Every sequence in the schemas `schemas()` returns, with its raw options and what it
/// belongs to: `dep_type` `i` (an identity column's: its options become the column's
/// identity options) or `a` (`OWNED BY` a column), with that table's oid and column
/// number (named by the reader) and, for `OWNED BY`, the table as `regclass` text.
pub fn sequences() -> String {
    format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name,
                pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
                s.seqstart AS start, s.seqincrement AS increment,
                s.seqmin AS min_value, s.seqmax AS max_value,
                s.seqcache AS cache, s.seqcycle AS cycle,
                dep.deptype::text AS dep_type,
                dep.refobjid AS table_oid, dep.refobjsubid AS column_num,
                CASE WHEN dep.deptype = 'a'
                     THEN dep.refobjid::pg_catalog.regclass::text END AS table_name,
                d.description AS comment
         FROM pg_catalog.pg_sequence AS s
         JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_depend AS dep
                ON dep.classid = 'pg_catalog.pg_class'::regclass AND dep.objid = s.seqrelid
               AND dep.objsubid = 0
               AND dep.refclassid = 'pg_catalog.pg_class'::regclass
               AND dep.deptype IN ('a', 'i')
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         WHERE {user_relation}",
        user_relation = user_relation("c", "n"),
    )
}

/// The range of a sequence data type as `format_type` names it.
fn type_range(data_type: &str) -> (i64, i64) {
    match data_type {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Sequence options with every value equal to PostgreSQL's default for the data type
/// and direction left out: increment 1; ascending: min 1, max the type's maximum, start
/// the sequence's own minimum; descending: min the type's minimum, max -1, start the
/// sequence's own maximum; cache 1; no cycle.
pub(super) fn sequence_options(
    data_type: &str,
    start: i64,
    increment: i64,
    min_value: i64,
    max_value: i64,
    cache: i64,
    cycle: bool,
) -> SequenceOptions {
    let (type_min, type_max) = type_range(data_type);
    let ascending = increment > 0;
    let (default_min, default_max, default_start) = if ascending {
        (1, type_max, min_value)
    } else {
        (type_min, -1, max_value)
    };
    let unless = |value: i64, default: i64| (value != default).then_some(value);
    SequenceOptions {
        start: unless(start, default_start),
        increment: unless(increment, 1),
        min_value: unless(min_value, default_min),
        max_value: unless(max_value, default_max),
        cache: unless(cache, 1),
        cycle,
    }
}

/// Standalone and owned-by sequences into `sequences`; an identity sequence's options
/// onto its column's identity.
pub(super) fn read_sequences(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
    columns: &ColumnsByNumber,
) -> Result<BTreeMap<QualifiedName, Sequence>, IntrospectError> {
    let mut sequences = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let data_type: String = get(what, row, "data_type")?;
        let options = sequence_options(
            &data_type,
            get(what, row, "start")?,
            get(what, row, "increment")?,
            get(what, row, "min_value")?,
            get(what, row, "max_value")?,
            get(what, row, "cache")?,
            get(what, row, "cycle")?,
        );
        let dep_type: Option<&str> = get(what, row, "dep_type")?;
        let table_oid: Option<u32> = get(what, row, "table_oid")?;
        let column_num: Option<i32> = get(what, row, "column_num")?;
        let column_name = match (table_oid, column_num) {
            (Some(table), Some(num)) => i16::try_from(num)
                .ok()
                .and_then(|num| columns.get(&(table, num)))
                .map(|info| info.name.clone()),
            _ => None,
        };
        if dep_type == Some("i") {
            // An identity column's sequence: part of the column, not a sequence of its own.
            if let (Some(table), Some(column_name)) = (table_oid, column_name)
                && let Some(column) = tables
                    .get_mut(&table)
                    .and_then(|t| t.columns.iter_mut().find(|c| c.name == column_name))
                && let Some(identity) = column.identity.as_mut()
            {
                identity.options = options;
                column.identity_sequence = Some(name);
            }
            continue;
        }
        let owned_by = match (dep_type, column_name) {
            (Some("a"), Some(column_name)) => {
                let table: Option<String> = get(what, row, "table_name")?;
                let table = table.as_deref().and_then(regclass_name).ok_or_else(|| {
                    unexpected(what, format!("sequence {name} is owned by table {table:?}"))
                })?;
                Some((table, column_name))
            }
            _ => None,
        };
        let sequence = Sequence {
            // The owner lives in `Catalog.relations`, like every relation's.
            owner: None,
            data_type,
            options,
            owned_by,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        sequences.insert(name, sequence);
    }
    Ok(sequences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sequence_options_are_left_out() {
        assert_eq!(
            sequence_options("bigint", 1, 1, 1, i64::MAX, 1, false),
            SequenceOptions::default()
        );
        assert_eq!(
            sequence_options("integer", 1, 1, 1, i32::MAX.into(), 1, false),
            SequenceOptions::default()
        );
        assert_eq!(
            sequence_options("smallint", -1, -1, i16::MIN.into(), -1, 1, false),
            SequenceOptions {
                increment: Some(-1),
                ..SequenceOptions::default()
            }
        );
        // A custom minimum moves the default start with it.
        assert_eq!(
            sequence_options("bigint", 10, 1, 10, i64::MAX, 1, false),
            SequenceOptions {
                min_value: Some(10),
                ..SequenceOptions::default()
            }
        );
        assert_eq!(
            sequence_options("integer", 20, 5, 10, 100_000, 10, true),
            SequenceOptions {
                start: Some(20),
                increment: Some(5),
                min_value: Some(10),
                max_value: Some(100_000),
                cache: Some(10),
                cycle: true,
            }
        );
        // An integer-sized maximum on a bigint sequence is not the default.
        assert_eq!(
            sequence_options("bigint", 1, 1, 1, i32::MAX.into(), 1, false).max_value,
            Some(i32::MAX.into())
        );
    }
}
