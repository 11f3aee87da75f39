//! Enum types.

use super::acl::{read_acl, type_acl};
use super::queries::user_object;
use super::rows::names;
use super::{IntrospectError, get};
use crate::model::{EnumType, QualifiedName, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Enum types with their labels in sort order.
pub fn enums() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum AS e
                      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         {acl}
         WHERE t.typtype = 'e' AND {user_type}",
        user_type = user_object("pg_type", "t.oid", "n"),
        acl = type_acl(),
    )
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
            acl: Some(read_acl(what, row, &|| format!("enum {name}"))?),
            name: name.clone(),
        };
        enums.insert(name, enum_type);
    }
    Ok(enums)
}
