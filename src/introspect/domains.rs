//! Domains.

use super::acl::{read_acl, type_acl};
use super::queries::user_object;
use super::rows::names;
use super::{IntrospectError, get, unexpected};
use crate::model::{Domain, QualifiedName, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Domains: base type, collation (when it differs from the base type's), NOT NULL,
/// default and CHECK constraints (expressions use `VALUE`; deparsed without a
/// relation).
pub fn domains() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
                CASE WHEN t.typcollation <> bt.typcollation
                     THEN t.typcollation::pg_catalog.regcollation::text END AS collation,
                t.typnotnull AS not_null,
                CASE WHEN t.typdefaultbin IS NOT NULL
                     THEN pg_catalog.pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
                chk.names AS check_names, chk.exprs AS check_exprs,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         {acl}
         LEFT JOIN LATERAL (
             SELECT array_agg(con.conname::text) AS names,
                    array_agg(pg_catalog.pg_get_expr(con.conbin, 0)) AS exprs
             FROM pg_catalog.pg_constraint AS con
             WHERE con.contypid = t.oid AND con.contype = 'c'
         ) AS chk ON true
         WHERE t.typtype = 'd' AND {user_type}",
        user_type = user_object("pg_type", "t.oid", "n"),
        acl = type_acl(),
    )
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
            acl: Some(read_acl(what, row, &|| format!("domain {name}"))?),
            name: name.clone(),
        };
        domains.insert(name, domain);
    }
    Ok(domains)
}
