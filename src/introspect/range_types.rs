//! Range types and their multirange types.

use super::acl::{read_acl, type_acl};
use super::queries::{qualified_unless_catalog, user_object};
use super::{IntrospectError, get};
use crate::model::{QualifiedName, RangeType, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Range types: subtype, operator class (only when not the default one), collation
/// (only when it differs from the subtype's), canonical and subtype-difference functions
/// (`regproc` text), and the multirange type.
pub fn range_types() -> String {
    format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name,
                pg_catalog.pg_get_userbyid(t.typowner)::text AS owner,
                pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
                CASE WHEN NOT opc.opcdefault THEN {opclass} END AS opclass,
                CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
                     THEN r.rngcollation::pg_catalog.regcollation::text END AS collation,
                CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text
                     END AS canonical,
                CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text
                     END AS subtype_diff,
                mn.nspname::text AS multirange_schema, mt.typname::text AS multirange_name,
                d.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_range AS r
         JOIN pg_catalog.pg_type AS t ON t.oid = r.rngtypid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         JOIN pg_catalog.pg_type AS st ON st.oid = r.rngsubtype
         JOIN pg_catalog.pg_opclass AS opc ON opc.oid = r.rngsubopc
         JOIN pg_catalog.pg_namespace AS opn ON opn.oid = opc.opcnamespace
         JOIN pg_catalog.pg_type AS mt ON mt.oid = r.rngmultitypid
         JOIN pg_catalog.pg_namespace AS mn ON mn.oid = mt.typnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass
               AND d.objsubid = 0
         {acl}
         WHERE {user_type}",
        opclass = qualified_unless_catalog("opn", "opc.opcname"),
        user_type = user_object("pg_type", "t.oid", "n"),
        acl = type_acl(),
    )
}

pub(super) fn read_range_types(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, RangeType>, IntrospectError> {
    let mut types = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let t = RangeType {
            owner: Some(get(what, row, "owner")?),
            subtype: get(what, row, "subtype")?,
            subtype_opclass: get(what, row, "opclass")?,
            collation: get(what, row, "collation")?,
            canonical: get(what, row, "canonical")?,
            subtype_diff: get(what, row, "subtype_diff")?,
            multirange: QualifiedName::new(
                get::<String>(what, row, "multirange_schema")?,
                get::<String>(what, row, "multirange_name")?,
            ),
            comment: get(what, row, "comment")?,
            acl: Some(read_acl(what, row, &|| format!("range type {name}"))?),
            name: name.clone(),
        };
        types.insert(name, t);
    }
    Ok(types)
}
