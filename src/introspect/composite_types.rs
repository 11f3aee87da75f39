//! Composite types (not the row types of tables and views).

use super::acl::{read_acl, type_acl};
use super::queries::user_object;
use super::rows::{names, strings};
use super::{IntrospectError, get, unexpected};
use crate::model::{Attribute, CompositeType, QualifiedName, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Composite types with their attributes in order: name, `format_type`, and the
/// collation when it differs from the attribute type's.
pub fn composite_types() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                att.names AS attribute_names, att.types AS attribute_types,
                att.collations AS attribute_collations,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         JOIN pg_catalog.pg_class AS c ON c.oid = t.typrelid AND c.relkind = 'c'
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         {acl}
         LEFT JOIN LATERAL (
             SELECT array_agg(a.attname::text ORDER BY a.attnum) AS names,
                    array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod)
                              ORDER BY a.attnum) AS types,
                    array_agg(CASE WHEN a.attcollation <> at.typcollation
                                   THEN a.attcollation::pg_catalog.regcollation::text END
                              ORDER BY a.attnum) AS collations
             FROM pg_catalog.pg_attribute AS a
             JOIN pg_catalog.pg_type AS at ON at.oid = a.atttypid
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
         ) AS att ON true
         WHERE t.typtype = 'c' AND {user_type}",
        user_type = user_object("pg_type", "t.oid", "n"),
        acl = type_acl(),
    )
}

pub(super) fn read_composite_types(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, CompositeType>, IntrospectError> {
    let mut types = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let object = || format!("composite type {name}");
        let attribute_names = names(what, row, "attribute_names", &object)?;
        let attribute_types = names(what, row, "attribute_types", &object)?;
        let attribute_collations = strings(what, row, "attribute_collations")?;
        if attribute_types.len() != attribute_names.len()
            || attribute_collations.len() != attribute_names.len()
        {
            return Err(unexpected(
                what,
                format!("attribute arrays of {} differ in length", object()),
            ));
        }
        let attributes = attribute_names
            .into_iter()
            .zip(attribute_types)
            .zip(attribute_collations)
            .map(|((name, type_name), collation)| Attribute {
                name,
                type_name,
                collation,
            })
            .collect();
        let t = CompositeType {
            owner: Some(get(what, row, "owner")?),
            attributes,
            comment: get(what, row, "comment")?,
            acl: Some(read_acl(what, row, &|| format!("composite type {name}"))?),
            name: name.clone(),
        };
        types.insert(name, t);
    }
    Ok(types)
}
