//! Collations.

use super::queries::user_object;
use super::{IntrospectError, get, unexpected};
use crate::model::{Collation, CollationProvider, QualifiedName, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Collations: provider, locale (ICU and builtin: `colliculocale` on 15 and 16,
/// `colllocale` from 17, `collcollate` on 14), `LC_COLLATE`/`LC_CTYPE` (libc) and
/// whether they are deterministic.
pub fn collations(version_num: i32) -> String {
    let locale = if version_num >= 170000 {
        "co.colllocale"
    } else if version_num >= 150000 {
        "co.colliculocale"
    } else {
        "CASE WHEN co.collprovider = 'i' THEN co.collcollate::text END"
    };
    format!(
        "SELECT n.nspname::text AS schema, co.collname::text AS name,
                pg_catalog.pg_get_userbyid(co.collowner)::text AS owner,
                co.collprovider::text AS provider,
                CASE WHEN co.collprovider <> 'c' THEN {locale} END AS locale,
                CASE WHEN co.collprovider = 'c' THEN co.collcollate::text END AS lc_collate,
                CASE WHEN co.collprovider = 'c' THEN co.collctype::text END AS lc_ctype,
                co.collisdeterministic AS deterministic,
                d.description AS comment
         FROM pg_catalog.pg_collation AS co
         JOIN pg_catalog.pg_namespace AS n ON n.oid = co.collnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = co.oid AND d.classoid = 'pg_catalog.pg_collation'::regclass
               AND d.objsubid = 0
         WHERE {user_collation}",
        user_collation = user_object("pg_collation", "co.oid", "n"),
    )
}

pub(super) fn read_collations(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, Collation>, IntrospectError> {
    let mut collations = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let provider = match get::<String>(what, row, "provider")?.as_str() {
            "c" => CollationProvider::Libc,
            "i" => CollationProvider::Icu,
            "b" => CollationProvider::Builtin,
            other => {
                return Err(unexpected(
                    what,
                    format!("collation {name} has provider `{other}`"),
                ));
            }
        };
        let collation = Collation {
            owner: Some(get(what, row, "owner")?),
            provider,
            locale: get(what, row, "locale")?,
            lc_collate: get(what, row, "lc_collate")?,
            lc_ctype: get(what, row, "lc_ctype")?,
            deterministic: get(what, row, "deterministic")?,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        collations.insert(name, collation);
    }
    Ok(collations)
}
