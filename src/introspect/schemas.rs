//! Schemas.

use super::acl::{acl_join, read_acl};
use super::queries::{not_extension_member, user_schema};
use super::{IntrospectError, get};
use crate::model::{Schema, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Non-system schemas not owned by an extension.
pub fn schemas() -> String {
    format!(
        "SELECT n.nspname::text AS name,
                pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_namespace AS n
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass
               AND d.objsubid = 0
         {acl}
         WHERE {user_schema} AND {not_ext}",
        acl = acl_join(
            "coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))",
            "n.nspowner"
        ),
        user_schema = user_schema("n"),
        not_ext = not_extension_member("pg_namespace", "n.oid"),
    )
}

pub(super) fn read_schemas(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<String, Schema>, IntrospectError> {
    let mut schemas = BTreeMap::new();
    for row in rows {
        let name: String = get(what, row, "name")?;
        if is_system_schema(&name) {
            continue;
        }
        let acl = read_acl(what, row, &|| format!("schema {name}"))?;
        let schema = Schema {
            manage_tables: false,
            manage_all: false,
            owner: Some(get(what, row, "owner")?),
            comment: get(what, row, "comment")?,
            acl,
            object_grants: BTreeMap::new(),
            name: name.clone(),
        };
        schemas.insert(name, schema);
    }
    Ok(schemas)
}
