//! Rows of the relational queries (tables, columns, constraints, indexes, policies,
//! sequences, enums, domains, extensions, unmanaged objects) into the model.
//!
//! Child rows (columns, constraints, indexes, policies) carry their table's oid; rows of
//! tables the table query did not return (system catalogs, extension members) are
//! skipped. Nothing here depends on the order rows arrive in: columns are sorted by
//! `attnum`, the rest lands in ordered maps or is sorted.

use super::{IntrospectError, get, read_acl, unexpected};
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

pub(super) fn apply_columns(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
) -> Result<(), IntrospectError> {
    let [
        table_oid,
        num,
        name,
        type_name,
        collation,
        not_null,
        default_expr,
        generated,
        identity,
        comment,
    ] = [
        "table_oid",
        "num",
        "name",
        "type_name",
        "collation",
        "not_null",
        "default_expr",
        "generated",
        "identity",
        "comment",
    ]
    .map(|column| position(what, rows, column));
    let (table_oid, num, name, type_name, collation, not_null) =
        (table_oid?, num?, name?, type_name?, collation?, not_null?);
    let (default_expr, generated, identity, comment) =
        (default_expr?, generated?, identity?, comment?);

    let mut numbered: HashMap<u32, Vec<(i32, Column)>> = HashMap::with_capacity(tables.len());
    for row in rows {
        let oid: u32 = at(what, row, table_oid)?;
        let Some(table) = tables.get(&oid) else {
            continue;
        };
        let column_name: String = at(what, row, name)?;
        let expression: Option<String> = at(what, row, default_expr)?;
        let generated_kind: &str = at(what, row, generated)?;
        let identity_kind: &str = at(what, row, identity)?;
        let mut column = Column::new(column_name, at::<String>(what, row, type_name)?);
        column.collation = at(what, row, collation)?;
        column.not_null = at(what, row, not_null)?;
        match generated_kind {
            "" => column.default = expression,
            // `s` stored; `v` virtual (PostgreSQL 18) has no place in the model yet and
            // is read as a generated column too.
            _ => column.generated = expression,
        }
        column.identity = match identity_kind {
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
                    format!(
                        "identity kind {other:?} of column {} of {}",
                        column.name, table.name
                    ),
                ));
            }
        };
        column.comment = at(what, row, comment)?;
        column.acl = read_acl(what, row, &|| {
            format!("column {} of {}", column.name, table.name)
        })?;
        numbered
            .entry(oid)
            .or_default()
            .push((at(what, row, num)?, column));
    }
    for (oid, mut columns) in numbered {
        columns.sort_by_key(|(num, _)| *num);
        if let Some(table) = tables.get_mut(&oid) {
            table.columns = columns.into_iter().map(|(_, c)| c).collect();
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

/// A `text[]` that must be there (an `ARRAY(…)` is never NULL, an aggregate over no row
/// is: both read as a list).
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

pub(super) fn apply_constraints(
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
        let object = || format!("constraint {name} of {}", table.name);
        let columns = names(what, row, "columns", &object)?;
        let code: String = get(what, row, "kind")?;
        let kind = match code.as_str() {
            "p" => ConstraintKind::PrimaryKey {
                columns,
                include: names(what, row, "include", &object)?,
            },
            "u" => ConstraintKind::Unique {
                columns,
                include: names(what, row, "include", &object)?,
                nulls_not_distinct: get(what, row, "nulls_not_distinct")?,
            },
            "f" => {
                let schema: Option<String> = get(what, row, "ref_schema")?;
                let ref_table: Option<String> = get(what, row, "ref_table")?;
                let (Some(schema), Some(ref_table)) = (schema, ref_table) else {
                    return Err(unexpected(
                        what,
                        format!("{} references no table", object()),
                    ));
                };
                ConstraintKind::ForeignKey {
                    columns,
                    references: QualifiedName::new(schema, ref_table),
                    referenced_columns: names(what, row, "ref_columns", &object)?,
                    on_update: foreign_key_action(
                        what,
                        &get::<String>(what, row, "on_update")?,
                        &object,
                    )?,
                    on_delete: foreign_key_action(
                        what,
                        &get::<String>(what, row, "on_delete")?,
                        &object,
                    )?,
                    match_full: get::<String>(what, row, "match_type")? == "f",
                }
            }
            "c" => ConstraintKind::Check {
                expression: get::<Option<String>>(what, row, "check_expr")?
                    .ok_or_else(|| unexpected(what, format!("{} has no expression", object())))?,
                no_inherit: get(what, row, "no_inherit")?,
            },
            "x" => {
                let element_columns = strings(what, row, "element_columns")?;
                let element_exprs = strings(what, row, "element_exprs")?;
                let operators = names(what, row, "element_operators", &object)?;
                if element_columns.len() != operators.len()
                    || element_exprs.len() != operators.len()
                {
                    return Err(unexpected(
                        what,
                        format!("element arrays of {} differ in length", object()),
                    ));
                }
                let elements = element_columns
                    .into_iter()
                    .zip(element_exprs)
                    .zip(operators)
                    .map(|((column, expression), operator)| ExclusionElement {
                        expression: if column.is_some() { None } else { expression },
                        column,
                        operator,
                    })
                    .collect();
                ConstraintKind::Exclusion {
                    method: get::<Option<String>>(what, row, "method")?.ok_or_else(|| {
                        unexpected(what, format!("{} has no index method", object()))
                    })?,
                    elements,
                    predicate: get(what, row, "predicate")?,
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
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        table.constraints.insert(name, constraint);
    }
    Ok(())
}

/// `indoption` bits.
const INDOPTION_DESC: i32 = 0x01;
const INDOPTION_NULLS_FIRST: i32 = 0x02;

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

pub(super) fn apply_indexes(
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
        let object = || format!("index {name} on {}", table.name);
        let columns = strings(what, row, "columns")?;
        let exprs = strings(what, row, "exprs")?;
        let opclasses = strings(what, row, "opclasses")?;
        let collations = strings(what, row, "collations")?;
        let options: Vec<Option<i32>> =
            get::<Option<Vec<Option<i32>>>>(what, row, "options")?.unwrap_or_default();
        let n = columns.len();
        if [
            exprs.len(),
            opclasses.len(),
            collations.len(),
            options.len(),
        ]
        .iter()
        .any(|&len| len != n)
        {
            return Err(unexpected(
                what,
                format!("key arrays of {} differ in length", object()),
            ));
        }
        let mut keys = Vec::with_capacity(n);
        for ((((column, expression), opclass), collation), option) in columns
            .into_iter()
            .zip(exprs)
            .zip(opclasses)
            .zip(collations)
            .zip(options)
        {
            let option = option.unwrap_or(0);
            let descending = option & INDOPTION_DESC != 0;
            let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
            keys.push(IndexKey {
                expression: if column.is_some() { None } else { expression },
                column,
                opclass,
                collation,
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
            keys,
            include: names(what, row, "include", &object)?,
            predicate: get(what, row, "predicate")?,
            with: storage_parameters(what, get(what, row, "with_options")?, &object)?,
            concurrently: false,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        table.indexes.insert(name, index);
    }
    Ok(())
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
    tables: &mut BTreeMap<QualifiedName, Table>,
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
        let dep_type: Option<String> = get(what, row, "dep_type")?;
        let owner_column = match (
            get::<Option<String>>(what, row, "table_schema")?,
            get::<Option<String>>(what, row, "table_name")?,
            get::<Option<String>>(what, row, "column_name")?,
        ) {
            (Some(schema), Some(table), Some(column)) => {
                Some((QualifiedName::new(schema, table), column))
            }
            _ => None,
        };
        if dep_type.as_deref() == Some("i") {
            // An identity column's sequence: part of the column, not a sequence of its own.
            if let Some((table, column)) = owner_column
                && let Some(column) = tables
                    .get_mut(&table)
                    .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
                && let Some(identity) = column.identity.as_mut()
            {
                identity.options = options;
            }
            continue;
        }
        let sequence = Sequence {
            // The owner lives in `Catalog.relations`, like every relation's.
            owner: None,
            data_type,
            options,
            owned_by: owner_column,
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
