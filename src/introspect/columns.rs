//! Columns: their rows onto the tables, and every column by (table oid, number) for
//! naming the keys of constraints, indexes and sequences.

use super::acl::{acl_columns, read_acl_at};
use super::lookups::Lookups;
use super::queries::user_table;
use super::rows::{at, position};
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::model::{Column, Identity, IdentityKind, SequenceOptions};
use std::collections::HashMap;
use tokio_postgres::Row;

/// Columns (`attnum > 0`, not dropped) of every table and partitioned table. The
/// columns of the tables `tables()` returns, except partitions and inherited columns
/// that are not the table's own too (`attislocal`), come with every field (`detailed`); the others (partitions, tables outside the scope, which a foreign key
/// may reference) only with what maps a column number to a name.
///
/// Constraints and indexes come back with raw column numbers (`conkey`, `indkey`),
/// which the reader maps to names with these rows: one hash lookup per key instead of a
/// catalog probe and a sorted sub-select per constraint on the server. `type_oid` and
/// `collation_oid` are compared by the reader with the type's collation
/// (`opclasses_and_collations()`) and, for index keys, decide whether an opclass and a
/// collation are the defaults. Defaults and comments come from
/// `column_defaults_and_comments()`. The ACL is the column's own (`attacl`, never
/// defaulted), without the table owner's entries.
pub fn columns(version_num: i32) -> String {
    // PostgreSQL 18 keeps NOT NULL as named constraints (contype 'n').
    let not_null_name = if version_num >= 180000 {
        "CASE WHEN r.detailed AND a.attnotnull
              THEN (SELECT co.conname::text FROM pg_catalog.pg_constraint AS co
                    WHERE co.conrelid = a.attrelid AND co.contype = 'n'
                      AND co.conkey[1] = a.attnum) END"
    } else {
        "NULL::text"
    };
    format!(
        "SELECT a.attrelid AS table_oid, a.attnum::int4 AS num, a.attname::text AS name,
                a.atttypid AS type_oid, a.attcollation AS collation_oid,
                r.detailed AND a.attislocal AS detailed,
                CASE WHEN r.detailed
                     THEN pg_catalog.format_type(a.atttypid, a.atttypmod) END AS type_name,
                a.attnotnull AS not_null,
                {not_null_name} AS not_null_name,
                a.attgenerated::text AS generated,
                a.attidentity::text AS identity,
                {acl}
         FROM (SELECT c.oid, c.relowner,
                      ({user_table} AND NOT c.relispartition) AS detailed
               FROM pg_catalog.pg_class AS c
               JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p')
               OFFSET 0) AS r
         JOIN pg_catalog.pg_attribute AS a ON a.attrelid = r.oid
         WHERE a.attnum > 0 AND NOT a.attisdropped",
        acl = acl_columns("CASE WHEN r.detailed THEN a.attacl END", "r.relowner"),
        user_table = user_table("c", "n"),
    )
}

/// Every column default (`kind` `default`: the default, or the expression of a
/// generated column) and every column comment (`comment`), keyed by table oid and
/// column number; the reader keeps those of the columns `columns()` details.
///
/// Read straight from `pg_attrdef` and `pg_description` rather than joined to the
/// column rows: measured at 10,000 tables (140k columns, 70k defaults), the joins cost
/// more than the rest of the column query. An expression is deparsed without a relation
/// unless it references a column (a `Var` node, which only generated columns have):
/// the text is the same, and deparsing against a relation means building its relcache
/// entry.
pub fn column_defaults_and_comments() -> String {
    "SELECT 'default' AS kind, ad.adrelid AS table_oid, ad.adnum::int4 AS num,
            pg_catalog.pg_get_expr(ad.adbin,
                CASE WHEN pg_catalog.strpos(ad.adbin::text, '{VAR ') > 0 THEN ad.adrelid
                     ELSE 0 END) AS text
     FROM pg_catalog.pg_attrdef AS ad
     UNION ALL
     SELECT 'comment', d.objoid, d.objsubid, d.description
     FROM pg_catalog.pg_description AS d
     WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0"
        .to_string()
}

/// What the reader needs to know about a column to name keys: its name, type and
/// collation, and where it is in its table's `columns` (when the table lists it).
pub(super) struct ColumnInfo {
    pub(super) name: String,
    pub(super) type_oid: u32,
    pub(super) collation_oid: u32,
    position: Option<usize>,
}

/// Every column the column query returned, by (table oid, column number): the tables'
/// own, their partitions' and those of tables outside the scope.
pub(super) type ColumnsByNumber = HashMap<(u32, i16), ColumnInfo>;

/// The columns of every table (`detailed` rows) into `tables`, in `attnum` order; all
/// rows into the returned map, for naming the keys of constraints and indexes.
pub(super) fn apply_columns(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
    lookups: &Lookups,
) -> Result<ColumnsByNumber, IntrospectError> {
    let [
        table_oid,
        num,
        name,
        type_oid,
        collation_oid,
        detailed,
        type_name,
        not_null,
        not_null_name,
        generated,
        identity,
        grantees,
        privileges,
        grantable,
    ] = [
        "table_oid",
        "num",
        "name",
        "type_oid",
        "collation_oid",
        "detailed",
        "type_name",
        "not_null",
        "not_null_name",
        "generated",
        "identity",
        "grantees",
        "privileges",
        "grantable",
    ]
    .map(|column| position(what, rows, column));
    let acl_columns = [grantees?, privileges?, grantable?];
    let (table_oid, num, name, type_oid, collation_oid) =
        (table_oid?, num?, name?, type_oid?, collation_oid?);
    let (detailed, type_name, not_null, generated, identity) =
        (detailed?, type_name?, not_null?, generated?, identity?);
    let not_null_name = not_null_name?;

    let mut by_number = HashMap::with_capacity(rows.len());
    let mut numbered: HashMap<u32, Vec<(i16, Column)>> = HashMap::with_capacity(tables.len());
    for row in rows {
        let oid: u32 = at(what, row, table_oid)?;
        let attnum: i32 = at(what, row, num)?;
        let attnum = i16::try_from(attnum)
            .map_err(|_| unexpected(what, format!("column number {attnum}")))?;
        let info = ColumnInfo {
            name: at(what, row, name)?,
            type_oid: at(what, row, type_oid)?,
            collation_oid: at(what, row, collation_oid)?,
            position: None,
        };
        let is_detailed: bool = at(what, row, detailed)?;
        let table = if is_detailed { tables.get(&oid) } else { None };
        if let Some(table) = table {
            let object = || format!("column {} of {}", info.name, table.name);
            let type_name: Option<String> = at(what, row, type_name)?;
            let type_name =
                type_name.ok_or_else(|| unexpected(what, format!("{} has no type", object())))?;
            let mut column = Column::new(info.name.clone(), type_name);
            column.collation = lookups.collation_unless(
                what,
                info.collation_oid,
                lookups.type_collation(info.type_oid),
                &object,
            )?;
            column.not_null = at(what, row, not_null)?;
            // The name PostgreSQL 18 gives when none is written is no declaration.
            let default_name = format!("{}_{}_not_null", table.name.name, info.name);
            column.not_null_name =
                at::<Option<String>>(what, row, not_null_name)?.filter(|n| *n != default_name);
            // Marks a generated column until its expression arrives (see
            // `apply_column_details`): `s` stored, `v` virtual (PostgreSQL 18).
            let kind = at::<&str>(what, row, generated)?;
            if !kind.is_empty() {
                column.generated = Some(String::new());
                column.generated_virtual = kind == "v";
            }
            column.identity = match at::<&str>(what, row, identity)? {
                "" => None,
                "a" => Some(Identity {
                    kind: IdentityKind::Always,
                    options: SequenceOptions::default(),
                }),
                "d" => Some(Identity {
                    kind: IdentityKind::ByDefault,
                    options: SequenceOptions::default(),
                }),
                other => {
                    return Err(unexpected(
                        what,
                        format!("identity kind {other:?} of {}", object()),
                    ));
                }
            };
            column.acl = read_acl_at(what, row, acl_columns, &object)?;
            numbered.entry(oid).or_default().push((attnum, column));
        }
        by_number.insert((oid, attnum), info);
    }
    for (oid, mut columns) in numbered {
        columns.sort_by_key(|(num, _)| *num);
        if let Some(table) = tables.get_mut(&oid) {
            table.columns = Vec::with_capacity(columns.len());
            for (position, (num, column)) in columns.into_iter().enumerate() {
                if let Some(info) = by_number.get_mut(&(oid, num)) {
                    info.position = Some(position);
                }
                table.columns.push(column);
            }
        }
    }
    Ok(by_number)
}

/// Defaults, generated expressions and comments onto the columns `apply_columns` put in
/// the tables; rows of other columns are skipped.
pub(super) fn apply_column_details(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
    columns: &ColumnsByNumber,
) -> Result<(), IntrospectError> {
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let num: i32 = get(what, row, "num")?;
        let Some(position) = i16::try_from(num)
            .ok()
            .and_then(|num| columns.get(&(oid, num)))
            .and_then(|info| info.position)
        else {
            continue;
        };
        let Some(column) = tables
            .get_mut(&oid)
            .and_then(|table| table.columns.get_mut(position))
        else {
            continue;
        };
        let text: Option<String> = get(what, row, "text")?;
        match get::<&str>(what, row, "kind")? {
            "default" if column.generated.is_some() => column.generated = text,
            "default" => column.default = text,
            "comment" => column.comment = text,
            other => return Err(unexpected(what, format!("column detail kind {other:?}"))),
        }
    }
    // A generated column whose expression did not come (cannot happen in a consistent
    // snapshot) would otherwise carry an empty expression.
    for table in tables.values() {
        if let Some(column) = table
            .columns
            .iter()
            .find(|c| c.generated.as_deref() == Some(""))
        {
            return Err(unexpected(
                what,
                format!(
                    "no expression for generated column {} of {}",
                    column.name, table.name
                ),
            ));
        }
    }
    Ok(())
}

/// The column numbered `num` of table `table`.
pub(super) fn column<'c>(
    what: &'static str,
    columns: &'c ColumnsByNumber,
    table: u32,
    num: i16,
    object: &dyn Fn() -> String,
) -> Result<&'c ColumnInfo, IntrospectError> {
    columns
        .get(&(table, num))
        .ok_or_else(|| unexpected(what, format!("{} names unknown column {num}", object())))
}

/// Names of columns `nums` of table `table`.
pub(super) fn column_names(
    what: &'static str,
    columns: &ColumnsByNumber,
    table: u32,
    nums: &[i16],
    object: &dyn Fn() -> String,
) -> Result<Vec<String>, IntrospectError> {
    nums.iter()
        .map(|&num| column(what, columns, table, num, object).map(|c| c.name.clone()))
        .collect()
}
