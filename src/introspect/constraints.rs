//! Primary key, unique, foreign key, check and exclusion constraints.

use super::columns::{ColumnsByNumber, column_names};
use super::indexes::IndexesByOid;
use super::lookups::Lookups;
use super::queries::user_namespace;
use super::rows::{numbers, regclass_name};
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::model::{Constraint, ConstraintKind, ExclusionElement, ForeignKeyAction, Index};
use tokio_postgres::Row;

/// Primary key, unique, foreign key, check and exclusion constraints in user schemas
/// (the reader keeps those of the tables `tables()` returns). Not NOT NULL (a column
/// property), not domain constraints (`domains()`), not constraint triggers, and not
/// the copies PostgreSQL maintains itself: constraints inherited from a partitioned
/// parent (`conparentid`) or from an inheritance parent (`NOT conislocal`).
///
/// Column lists are raw column numbers (`conkey`, `confkey`), mapped to names by the
/// reader. What a primary key, unique or exclusion constraint takes from its index
/// (INCLUDE columns, NULLS NOT DISTINCT, exclusion elements, method and predicate)
/// comes from the index query's row for `index_oid`. The referenced table is
/// `regclass` text (`schema.name`; a bare name for a `pg_catalog` table); exclusion
/// operators are oids, named by the reader from `opclasses_and_collations()`.
pub fn constraints() -> String {
    format!(
        "SELECT con.conrelid AS table_oid, con.conname::text AS name,
                con.contype::text AS kind,
                con.condeferrable AS deferrable, con.condeferred AS initially_deferred,
                con.convalidated AS validated,
                d.description AS comment,
                con.conkey AS columns,
                con.conindid AS index_oid,
                con.confrelid AS ref_oid,
                CASE WHEN con.contype = 'f'
                     THEN con.confrelid::pg_catalog.regclass::text END AS ref_table,
                con.confkey AS ref_columns,
                con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
                con.confmatchtype::text AS match_type,
                CASE WHEN con.contype = 'c'
                     THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
                con.connoinherit AS no_inherit,
                con.conexclop AS element_operators
         FROM pg_catalog.pg_constraint AS con
         JOIN pg_catalog.pg_namespace AS n ON n.oid = con.connamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = con.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass
               AND d.objsubid = 0
         WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conrelid <> 0
           AND con.conparentid = 0 AND con.conislocal
           AND {user_namespace}",
        user_namespace = user_namespace("n"),
    )
}

fn foreign_key_action(
    what: &'static str,
    code: &str,
    object: &dyn Fn() -> String,
) -> Result<ForeignKeyAction, IntrospectError> {
    Ok(match code {
        "a" => ForeignKeyAction::NoAction,
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        "d" => ForeignKeyAction::SetDefault,
        other => {
            return Err(unexpected(
                what,
                format!("foreign key action {other:?} of {}", object()),
            ));
        }
    })
}

/// Constraints into their tables. A primary key, unique or exclusion constraint takes
/// its index out of `indexes` (such an index is part of the constraint, not an index of
/// its own) for its INCLUDE columns, NULLS NOT DISTINCT, elements, method and predicate.
pub(super) fn apply_constraints(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
    columns: &ColumnsByNumber,
    indexes: &mut IndexesByOid,
    lookups: &Lookups,
) -> Result<(), IntrospectError> {
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        let name: String = get(what, row, "name")?;
        let object = || format!("constraint {name} of {}", table.name);
        let code: &str = get(what, row, "kind")?;
        let own_columns =
            || column_names(what, columns, oid, &numbers(what, row, "columns")?, &object);
        let mut backing_index = || -> Result<Index, IntrospectError> {
            let index_oid: u32 = get(what, row, "index_oid")?;
            indexes
                .remove(&index_oid)
                .map(|row| row.index)
                .ok_or_else(|| unexpected(what, format!("{} has no index", object())))
        };
        let kind = match code {
            "p" => ConstraintKind::PrimaryKey {
                columns: own_columns()?,
                include: backing_index()?.include,
            },
            "u" => {
                let index = backing_index()?;
                ConstraintKind::Unique {
                    columns: own_columns()?,
                    include: index.include,
                    nulls_not_distinct: index.nulls_not_distinct,
                }
            }
            "f" => {
                let ref_table: Option<String> = get(what, row, "ref_table")?;
                let references = ref_table
                    .as_deref()
                    .and_then(regclass_name)
                    .ok_or_else(|| {
                        unexpected(what, format!("{} references table {ref_table:?}", object()))
                    })?;
                let ref_oid: u32 = get(what, row, "ref_oid")?;
                let on_update: &str = get(what, row, "on_update")?;
                let on_delete: &str = get(what, row, "on_delete")?;
                ConstraintKind::ForeignKey {
                    columns: own_columns()?,
                    references,
                    referenced_columns: column_names(
                        what,
                        columns,
                        ref_oid,
                        &numbers(what, row, "ref_columns")?,
                        &object,
                    )?,
                    on_update: foreign_key_action(what, on_update, &object)?,
                    on_delete: foreign_key_action(what, on_delete, &object)?,
                    match_full: get::<&str>(what, row, "match_type")? == "f",
                }
            }
            "c" => ConstraintKind::Check {
                expression: get::<Option<String>>(what, row, "check_expr")?
                    .ok_or_else(|| unexpected(what, format!("{} has no expression", object())))?,
                no_inherit: get(what, row, "no_inherit")?,
            },
            "x" => {
                let index = backing_index()?;
                let operators: Vec<u32> =
                    get::<Option<Vec<u32>>>(what, row, "element_operators")?.unwrap_or_default();
                let operators = operators
                    .into_iter()
                    .map(|oid| {
                        lookups.operators.get(&oid).cloned().ok_or_else(|| {
                            unexpected(what, format!("{} uses unknown operator {oid}", object()))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if operators.len() != index.keys.len() {
                    return Err(unexpected(
                        what,
                        format!(
                            "{} has {} operators for {} elements",
                            object(),
                            operators.len(),
                            index.keys.len()
                        ),
                    ));
                }
                let elements = index
                    .keys
                    .into_iter()
                    .zip(operators)
                    .map(|(key, operator)| ExclusionElement {
                        column: key.column,
                        expression: key.expression,
                        operator,
                    })
                    .collect();
                ConstraintKind::Exclusion {
                    method: index.method,
                    elements,
                    predicate: index.predicate,
                }
            }
            other => {
                return Err(unexpected(
                    what,
                    format!("constraint type {other:?} of {}", object()),
                ));
            }
        };
        let constraint = Constraint {
            renamed_from: None,
            kind,
            deferrable: get(what, row, "deferrable")?,
            initially_deferred: get(what, row, "initially_deferred")?,
            validated: get(what, row, "validated")?,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        table.constraints.insert(name, constraint);
    }
    Ok(())
}
