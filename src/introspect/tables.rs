//! Tables and partitioned tables, by oid: the rows of the column, constraint, index,
//! policy and sequence queries attach to them.
//!
//! Child rows (columns, constraints, indexes, policies) carry their table's oid; rows of
//! tables the table query did not return (system catalogs, extension members) are
//! skipped. Nothing here depends on the order rows arrive in: columns are sorted by
//! `attnum`, the rest lands in ordered maps or is sorted.

use super::queries::user_table;
use super::{IntrospectError, get};
use crate::model::{PartitionOf, QualifiedName, Table, is_system_schema};
use std::collections::HashMap;
use tokio_postgres::Row;

/// Tables by oid, as the table query returned them.
pub(super) type TablesByOid = HashMap<u32, Table>;

/// Tables and partitioned tables: persistence, row-level security, comment, partition
/// key (`pg_get_partkeydef`, partitioned tables only) and, for a partition, its parent
/// and bound (`pg_get_expr(relpartbound)`: `FOR VALUES FROM ('2024-01-01') TO (…)`,
/// `DEFAULT`); for a table that is not a partition, the tables it inherits from
/// (`pg_inherits`, in `inhseqno` order). `oid` keys the rows of the column, constraint, index and policy queries.
pub fn tables() -> String {
    format!(
        "SELECT c.oid AS oid, n.nspname::text AS schema, c.relname::text AS name,
                c.relpersistence = 'u' AS unlogged,
                c.relrowsecurity AS row_level_security,
                c.relforcerowsecurity AS force_row_level_security,
                d.description AS comment,
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END
                    AS partition_by,
                pn.nspname::text AS parent_schema, pc.relname::text AS parent_name,
                CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, 0) END
                    AS partition_bound,
                ARRAY(SELECT pn2.nspname::text FROM pg_catalog.pg_inherits AS i2
                      JOIN pg_catalog.pg_class AS pc2 ON pc2.oid = i2.inhparent
                      JOIN pg_catalog.pg_namespace AS pn2 ON pn2.oid = pc2.relnamespace
                      WHERE i2.inhrelid = c.oid AND NOT c.relispartition
                      ORDER BY i2.inhseqno) AS inherits_schemas,
                ARRAY(SELECT pc2.relname::text FROM pg_catalog.pg_inherits AS i2
                      JOIN pg_catalog.pg_class AS pc2 ON pc2.oid = i2.inhparent
                      WHERE i2.inhrelid = c.oid AND NOT c.relispartition
                      ORDER BY i2.inhseqno) AS inherits_names
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         LEFT JOIN pg_catalog.pg_inherits AS i ON c.relispartition AND i.inhrelid = c.oid
         LEFT JOIN pg_catalog.pg_class AS pc ON pc.oid = i.inhparent
         LEFT JOIN pg_catalog.pg_namespace AS pn ON pn.oid = pc.relnamespace
         WHERE {user_table}",
        user_table = user_table("c", "n"),
    )
}

pub(super) fn read_tables(
    what: &'static str,
    rows: &[Row],
) -> Result<TablesByOid, IntrospectError> {
    let mut tables = HashMap::with_capacity(rows.len());
    for row in rows {
        let oid: u32 = get(what, row, "oid")?;
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let parent_schema: Option<String> = get(what, row, "parent_schema")?;
        let parent_name: Option<String> = get(what, row, "parent_name")?;
        let bound: Option<String> = get(what, row, "partition_bound")?;
        let partition_of = match (parent_schema, parent_name, bound) {
            (Some(schema), Some(parent), Some(bound)) => Some(PartitionOf {
                parent: QualifiedName::new(schema, parent),
                bound,
            }),
            _ => None,
        };
        let mut table = Table::new(name);
        table.comment = get(what, row, "comment")?;
        table.unlogged = get(what, row, "unlogged")?;
        table.row_level_security = get(what, row, "row_level_security")?;
        table.force_row_level_security = get(what, row, "force_row_level_security")?;
        table.partition_by = get(what, row, "partition_by")?;
        table.partition_of = partition_of;
        let schemas: Vec<String> = get(what, row, "inherits_schemas")?;
        let names: Vec<String> = get(what, row, "inherits_names")?;
        table.inherits = schemas
            .into_iter()
            .zip(names)
            .map(|(schema, name)| QualifiedName::new(schema, name))
            .collect();
        tables.insert(oid, table);
    }
    Ok(tables)
}
