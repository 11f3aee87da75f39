//! Indexes (those backing a constraint are taken by `constraints`).

use super::columns::{ColumnsByNumber, column, column_names};
use super::lookups::{DEFAULT_COLLATION, Lookups};
use super::queries::user_namespace;
use super::rows::{numbers, strings};
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::model::{Index, IndexKey};
use std::collections::{BTreeMap, HashMap};
use tokio_postgres::Row;

/// Indexes in user schemas (the reader keeps those of the tables `tables()` returns),
/// except a partition's copy of a partitioned index (attached to the parent's index
/// through `pg_inherits`: only the parent's is declared). The reader lists those that do
/// not back a primary key, unique or exclusion constraint as indexes, and takes what
/// such a constraint needs from the others.
///
/// Keys are raw arrays, one element per index column: `indkey` (column number, 0 for an
/// expression; entries past `key_count` are INCLUDE columns), `indclass`,
/// `indcollation`, `indoption` (bit 1 DESC, bit 2 NULLS FIRST); `exprs` holds
/// `pg_get_indexdef(index, k, true)` for the expression keys. The reader names columns,
/// opclasses and collations and drops the defaults. `with` is `reloptions` as stored
/// (`fillfactor=70`).
pub fn indexes(version_num: i32) -> String {
    format!(
        "SELECT i.indexrelid AS index_oid, i.indrelid AS table_oid,
                ic.relname::text AS name,
                i.indisunique AS is_unique, i.indisvalid AS is_valid,
                {nulls_not_distinct} AS nulls_not_distinct,
                am.amname::text AS method,
                i.indkey::int2[] AS keys, i.indnkeyatts::int4 AS key_count,
                i.indclass::oid[] AS opclasses, i.indcollation::oid[] AS collations,
                i.indoption::int2[] AS options,
                CASE WHEN i.indexprs IS NOT NULL THEN {exprs} END AS exprs,
                CASE WHEN i.indpred IS NOT NULL
                     THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid) END AS predicate,
                ic.reloptions::text[] AS with_options,
                d.description AS comment
         FROM pg_catalog.pg_index AS i
         JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
         JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass
               AND d.objsubid = 0
         WHERE {user_namespace}
           AND i.indexrelid NOT IN (SELECT inh.inhrelid FROM pg_catalog.pg_inherits AS inh)",
        nulls_not_distinct = nulls_not_distinct("i", version_num),
        exprs = key_expressions("i"),
        user_namespace = user_namespace("n"),
    )
}

/// `indnullsnotdistinct` exists on PostgreSQL 15+.
fn nulls_not_distinct(index: &str, version_num: i32) -> String {
    if version_num >= 150000 {
        format!("coalesce({index}.indnullsnotdistinct, false)")
    } else {
        "false".to_string()
    }
}

/// Most key columns an index can have (`INDEX_MAX_KEYS` of a standard build).
pub const INDEX_MAX_KEYS: usize = 32;

/// `ARRAY[…]` of `pg_get_indexdef(index, k, true)` for each key column `k` of `index`
/// (a pg_index alias) that is an expression, `NULL` for a plain column, one element per
/// possible key column ([`INDEX_MAX_KEYS`]; the reader uses the first `indnkeyatts`).
/// Written out rather than as a sub-select over `unnest(indkey)`, which would cost a
/// sub-plan start per index.
fn key_expressions(index: &str) -> String {
    let elements: Vec<String> = (1..=INDEX_MAX_KEYS)
        .map(|k| {
            format!(
                "CASE WHEN {index}.indnkeyatts >= {k} AND {index}.indkey[{k0}] = 0
                      THEN pg_catalog.pg_get_indexdef({index}.indexrelid, {k}, true) END",
                k0 = k - 1
            )
        })
        .collect();
    format!("ARRAY[{}]", elements.join(",\n"))
}

/// `indoption` bits.
const INDOPTION_DESC: i16 = 0x01;
const INDOPTION_NULLS_FIRST: i16 = 0x02;

/// `k=v` storage parameters as `reloptions` stores them, split on the first `=`.
fn storage_parameters(
    what: &'static str,
    options: Option<Vec<String>>,
    object: &dyn Fn() -> String,
) -> Result<BTreeMap<String, String>, IntrospectError> {
    options
        .unwrap_or_default()
        .into_iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(unexpected(
                what,
                format!("storage parameter without '=' ({item}) on {}", object()),
            )),
        })
        .collect()
}

/// An index of a table the table query returned, by index oid.
pub(super) struct IndexRow {
    pub(super) table_oid: u32,
    pub(super) index: Index,
}

pub(super) type IndexesByOid = HashMap<u32, IndexRow>;

/// Every index of the tables in `tables`, named and with defaults dropped, by index
/// oid; `apply_constraints` takes those that back a constraint, `apply_indexes` adds
/// the rest to their tables.
pub(super) fn read_indexes(
    what: &'static str,
    rows: &[Row],
    tables: &TablesByOid,
    columns: &ColumnsByNumber,
    lookups: &Lookups,
) -> Result<IndexesByOid, IntrospectError> {
    let mut indexes = HashMap::with_capacity(rows.len());
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let Some(table) = tables.get(&oid) else {
            continue;
        };
        let index_oid: u32 = get(what, row, "index_oid")?;
        let name: String = get(what, row, "name")?;
        let object = || format!("index {name} on {}", table.name);
        let all_keys = numbers(what, row, "keys")?;
        let key_count: i32 = get(what, row, "key_count")?;
        let key_count = usize::try_from(key_count)
            .ok()
            .filter(|&count| count <= all_keys.len())
            .ok_or_else(|| {
                unexpected(
                    what,
                    format!(
                        "{} has {key_count} key columns out of {}",
                        object(),
                        all_keys.len()
                    ),
                )
            })?;
        let (keys, include) = all_keys.split_at(key_count);
        let opclasses: Vec<u32> = get(what, row, "opclasses")?;
        let collations: Vec<u32> = get(what, row, "collations")?;
        let options: Vec<i16> = get(what, row, "options")?;
        let expressions = strings(what, row, "exprs")?;
        if opclasses.len() != keys.len()
            || collations.len() != keys.len()
            || options.len() != keys.len()
            || !(expressions.is_empty() || expressions.len() >= keys.len())
        {
            return Err(unexpected(
                what,
                format!("key arrays of {} differ in length", object()),
            ));
        }
        let mut index_keys = Vec::with_capacity(keys.len());
        for (k, &num) in keys.iter().enumerate() {
            let (column_name, expression, column_type, default_collation) = if num == 0 {
                let expression = expressions.get(k).cloned().flatten().ok_or_else(|| {
                    unexpected(what, format!("{} has an empty key expression", object()))
                })?;
                // The expression's own collation is not in the catalog: any collation
                // but the database default is reported.
                (None, Some(expression), None, DEFAULT_COLLATION)
            } else {
                let info = column(what, columns, oid, num, &object)?;
                (
                    Some(info.name.clone()),
                    None,
                    Some(info.type_oid),
                    info.collation_oid,
                )
            };
            let descending = options[k] & INDOPTION_DESC != 0;
            let nulls_first = options[k] & INDOPTION_NULLS_FIRST != 0;
            index_keys.push(IndexKey {
                column: column_name,
                expression,
                opclass: lookups.opclass(opclasses[k], column_type),
                collation: lookups.collation_unless(
                    what,
                    collations[k],
                    default_collation,
                    &object,
                )?,
                descending,
                // NULLS LAST is the default for ASC, NULLS FIRST for DESC.
                nulls_first: (nulls_first != descending).then_some(nulls_first),
            });
        }
        let index = Index {
            renamed_from: None,
            unique: get(what, row, "is_unique")?,
            nulls_not_distinct: get(what, row, "nulls_not_distinct")?,
            method: get(what, row, "method")?,
            keys: index_keys,
            include: column_names(what, columns, oid, include, &object)?,
            predicate: get(what, row, "predicate")?,
            with: storage_parameters(what, get(what, row, "with_options")?, &object)?,
            concurrently: false,
            valid: get(what, row, "is_valid")?,
            comment: get(what, row, "comment")?,
            name,
        };
        indexes.insert(
            index_oid,
            IndexRow {
                table_oid: oid,
                index,
            },
        );
    }
    Ok(indexes)
}

/// The indexes `apply_constraints` left (those backing no constraint) into their tables.
pub(super) fn apply_indexes(indexes: IndexesByOid, tables: &mut TablesByOid) {
    for row in indexes.into_values() {
        if let Some(table) = tables.get_mut(&row.table_oid) {
            table.indexes.insert(row.index.name.clone(), row.index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_parameters_split_on_the_first_equals_sign() {
        let object = || "index i".to_string();
        assert_eq!(
            storage_parameters(
                "t",
                Some(vec!["fillfactor=70".into(), "a=b=c".into()]),
                &object
            )
            .unwrap(),
            BTreeMap::from([
                ("a".to_string(), "b=c".to_string()),
                ("fillfactor".to_string(), "70".to_string()),
            ])
        );
        assert!(storage_parameters("t", Some(vec!["x".into()]), &object).is_err());
        assert!(storage_parameters("t", None, &object).unwrap().is_empty());
    }
}
