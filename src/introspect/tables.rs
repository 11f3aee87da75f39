//! Rows of the relational queries (tables, columns, constraints, indexes, policies,
//! sequences, enums, domains, extensions, unmanaged objects) into the model.
//!
//! Child rows (columns, constraints, indexes, policies) carry their table's oid; rows of
//! tables the table query did not return (system catalogs, extension members) are
//! skipped. Nothing here depends on the order rows arrive in: columns are sorted by
//! `attnum`, the rest lands in ordered maps or is sorted.

use super::{IntrospectError, get, read_acl_at, unexpected};
use crate::model::{
    Column, Constraint, ConstraintKind, Domain, EnumType, ExclusionElement, Extension,
    ForeignKeyAction, Identity, IdentityKind, Index, IndexKey, PartitionOf, Policy, QualifiedName,
    Sequence, SequenceOptions, Table, UnmanagedObject, is_system_schema,
};
use std::collections::{BTreeMap, HashMap};
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

/// Tables by oid, as the table query returned them.
pub(super) type TablesByOid = HashMap<u32, Table>;

/// Position of `column` in the rows of a query (rows all share one description), so
/// that hot loops index instead of searching by name on every field.
fn position(what: &'static str, rows: &[Row], column: &str) -> Result<usize, IntrospectError> {
    match rows.first() {
        None => Ok(0),
        Some(row) => row
            .columns()
            .iter()
            .position(|c| c.name() == column)
            .ok_or_else(|| unexpected(what, format!("no column {column} in the result"))),
    }
}

fn at<'r, T: FromSql<'r>>(
    what: &'static str,
    row: &'r Row,
    index: usize,
) -> Result<T, IntrospectError> {
    row.try_get(index)
        .map_err(|source| IntrospectError::Query { what, source })
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
        tables.insert(oid, table);
    }
    Ok(tables)
}

/// What the reader needs to know about a column to name keys: its name, type and
/// collation, and where it is in its table's `columns` (when the table lists it).
pub(super) struct ColumnInfo {
    name: String,
    type_oid: u32,
    collation_oid: u32,
    position: Option<usize>,
}

/// Every column the column query returned, by (table oid, column number): the tables'
/// own, their partitions' and those of tables outside the scope.
pub(super) type ColumnsByNumber = HashMap<(u32, i16), ColumnInfo>;

/// Operator classes, collations and the default collation of collatable types, see
/// `queries::opclasses_and_collations`.
#[derive(Default)]
pub(super) struct Lookups {
    opclasses: HashMap<u32, Opclass>,
    /// The default opclass of (index method, input type).
    default_opclass: HashMap<(u32, u32), u32>,
    collations: HashMap<u32, String>,
    /// `typcollation` of every collatable type (others have none).
    type_collations: HashMap<u32, u32>,
    operators: HashMap<u32, String>,
}

struct Opclass {
    name: String,
    is_default: bool,
    method: u32,
}

/// `DEFAULT_COLLATION_OID`: the database's default collation.
const DEFAULT_COLLATION: u32 = 100;

impl Lookups {
    /// The opclass of an index key, `None` when it is the default one: the default
    /// opclass of the column's exact type, or, when the type has none (`varchar`,
    /// domains, enums, arrays), a default opclass the type is binary-compatible with
    /// (as `GetDefaultOpClass` resolves them). For an expression key (`column_type`
    /// unknown), any default opclass.
    fn opclass(&self, oid: u32, column_type: Option<u32>) -> Option<String> {
        let opclass = self.opclasses.get(&oid)?;
        let is_default = opclass.is_default
            && column_type.is_none_or(|type_oid| {
                self.default_opclass
                    .get(&(opclass.method, type_oid))
                    .is_none_or(|&default| default == oid)
            });
        (!is_default).then(|| opclass.name.clone())
    }

    /// The name of collation `oid` unless it is `default` (the collation a column or
    /// key gets when none is written); 0 is no collation.
    fn collation_unless(
        &self,
        what: &'static str,
        oid: u32,
        default: u32,
        object: &dyn Fn() -> String,
    ) -> Result<Option<String>, IntrospectError> {
        if oid == 0 || oid == default {
            return Ok(None);
        }
        self.collations
            .get(&oid)
            .cloned()
            .map(Some)
            .ok_or_else(|| unexpected(what, format!("{} uses unknown collation {oid}", object())))
    }

    /// The collation a column of type `type_oid` gets by default.
    fn type_collation(&self, type_oid: u32) -> u32 {
        self.type_collations.get(&type_oid).copied().unwrap_or(0)
    }
}

pub(super) fn read_lookups(what: &'static str, rows: &[Row]) -> Result<Lookups, IntrospectError> {
    let mut lookups = Lookups::default();
    for row in rows {
        let kind: &str = get(what, row, "kind")?;
        let oid: u32 = get(what, row, "oid")?;
        match kind {
            "opclass" => {
                let is_default: bool = get(what, row, "is_default")?;
                let method: u32 = get(what, row, "method")?;
                let input_type: u32 = get(what, row, "input_type")?;
                if is_default {
                    lookups.default_opclass.insert((method, input_type), oid);
                }
                let opclass = Opclass {
                    name: get(what, row, "name")?,
                    is_default,
                    method,
                };
                lookups.opclasses.insert(oid, opclass);
            }
            "collation" => {
                lookups.collations.insert(oid, get(what, row, "name")?);
            }
            "type" => {
                lookups
                    .type_collations
                    .insert(oid, get(what, row, "type_collation")?);
            }
            "operator" => {
                lookups.operators.insert(oid, get(what, row, "name")?);
            }
            other => return Err(unexpected(what, format!("lookup kind {other:?}"))),
        }
    }
    Ok(lookups)
}

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

/// A `text[]` that may be NULL or hold NULLs.
fn strings(
    what: &'static str,
    row: &Row,
    column: &str,
) -> Result<Vec<Option<String>>, IntrospectError> {
    Ok(get::<Option<Vec<Option<String>>>>(what, row, column)?.unwrap_or_default())
}

/// A list of names in which no element may be NULL.
fn names(
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
fn numbers(what: &'static str, row: &Row, column: &str) -> Result<Vec<i16>, IntrospectError> {
    Ok(get::<Option<Vec<i16>>>(what, row, column)?.unwrap_or_default())
}

/// The column numbered `num` of table `table`.
fn column<'c>(
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
fn column_names(
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

/// A table named by `regclass` output under an empty `search_path`: `schema.name`, or a
/// bare name for a `pg_catalog` table.
fn regclass_name(text: &str) -> Option<QualifiedName> {
    QualifiedName::parse(text).or_else(|| {
        let parts = crate::sql::split_qualified(text)?;
        match parts.as_slice() {
            [name] => Some(QualifiedName::new("pg_catalog", name.clone())),
            _ => None,
        }
    })
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
    table_oid: u32,
    index: Index,
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

/// The indexes `apply_constraints` left (those backing no constraint) into their tables.
pub(super) fn apply_indexes(indexes: IndexesByOid, tables: &mut TablesByOid) {
    for row in indexes.into_values() {
        if let Some(table) = tables.get_mut(&row.table_oid) {
            table.indexes.insert(row.index.name.clone(), row.index);
        }
    }
}

fn policy_command(code: &str) -> Option<&'static str> {
    Some(match code {
        "r" => "SELECT",
        "a" => "INSERT",
        "w" => "UPDATE",
        "d" => "DELETE",
        "*" => "ALL",
        _ => return None,
    })
}

pub(super) fn apply_policies(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
) -> Result<(), IntrospectError> {
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        let name: String = get(what, row, "name")?;
        let object = || format!("policy {name} on {}", table.name);
        let code: String = get(what, row, "command")?;
        let command = policy_command(&code)
            .ok_or_else(|| unexpected(what, format!("command {code:?} of {}", object())))?;
        let mut roles = names(what, row, "roles", &object)?;
        roles.sort();
        roles.dedup();
        let policy = Policy {
            permissive: get(what, row, "permissive")?,
            command: command.to_string(),
            roles,
            using: get(what, row, "using_expr")?,
            with_check: get(what, row, "with_check")?,
            name: name.clone(),
        };
        table.policies.insert(name, policy);
    }
    Ok(())
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

pub(super) fn read_enums(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, EnumType>, IntrospectError> {
    let mut enums = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let object = || format!("enum {name}");
        let enum_type = EnumType {
            owner: Some(get(what, row, "owner")?),
            values: names(what, row, "labels", &object)?,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        enums.insert(name, enum_type);
    }
    Ok(enums)
}

pub(super) fn read_domains(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, Domain>, IntrospectError> {
    let mut domains = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let object = || format!("domain {name}");
        let check_names = names(what, row, "check_names", &object)?;
        let check_exprs = names(what, row, "check_exprs", &object)?;
        if check_names.len() != check_exprs.len() {
            return Err(unexpected(
                what,
                format!("check arrays of {} differ in length", object()),
            ));
        }
        let domain = Domain {
            owner: Some(get(what, row, "owner")?),
            base_type: get(what, row, "base_type")?,
            collation: get(what, row, "collation")?,
            not_null: get(what, row, "not_null")?,
            default: get(what, row, "default_expr")?,
            checks: check_names.into_iter().zip(check_exprs).collect(),
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        domains.insert(name, domain);
    }
    Ok(domains)
}

pub(super) fn read_extensions(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<String, Extension>, IntrospectError> {
    let mut extensions = BTreeMap::new();
    for row in rows {
        let name: String = get(what, row, "name")?;
        let extension = Extension {
            schema: Some(get(what, row, "schema")?),
            version: Some(get(what, row, "version")?),
            name: name.clone(),
        };
        extensions.insert(name, extension);
    }
    Ok(extensions)
}

pub(super) fn read_unmanaged(
    what: &'static str,
    rows: &[Row],
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    use crate::sql::display_ident;
    let mut objects = Vec::with_capacity(rows.len());
    for row in rows {
        let schema: String = get(what, row, "schema")?;
        if is_system_schema(&schema) {
            continue;
        }
        let kind: String = get(what, row, "kind")?;
        let name: String = get(what, row, "name")?;
        let on = match (
            get::<Option<String>>(what, row, "on_schema")?,
            get::<Option<String>>(what, row, "on_name")?,
        ) {
            (Some(s), Some(n)) => Some(QualifiedName::new(s, n)),
            _ => None,
        };
        let arguments: Option<String> = get(what, row, "arguments")?;
        let name = match (on, arguments) {
            (Some(table), _) => format!("{} on {table}", display_ident(&name)),
            (None, Some(arguments)) => format!("{}({arguments})", display_ident(&name)),
            (None, None) => display_ident(&name).to_string(),
        };
        objects.push(UnmanagedObject { kind, schema, name });
    }
    objects.sort();
    objects.dedup();
    Ok(objects)
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

    #[test]
    fn policy_commands() {
        assert_eq!(policy_command("r"), Some("SELECT"));
        assert_eq!(policy_command("*"), Some("ALL"));
        assert_eq!(policy_command("x"), None);
    }

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
