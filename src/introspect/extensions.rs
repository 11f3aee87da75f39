//! Installed extensions.

use super::{IntrospectError, get};
use crate::model::Extension;
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Installed extensions, except `plpgsql` (always there).
pub fn extensions() -> String {
    "SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version,
            pg_catalog.obj_description(e.oid, 'pg_extension') AS comment,
            pg_catalog.pg_get_userbyid(e.extowner)::text AS owner,
            ARRAY(SELECT p.target FROM pg_catalog.pg_extension_update_paths(e.extname) AS p
                  WHERE p.source = e.extversion AND p.path IS NOT NULL
                  ORDER BY p.target) AS update_targets
     FROM pg_catalog.pg_extension AS e
     JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql'"
        .to_string()
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
            comment: get(what, row, "comment")?,
            update_targets: get(what, row, "update_targets")?,
            owner: get(what, row, "owner")?,
            name: name.clone(),
        };
        extensions.insert(name, extension);
    }
    Ok(extensions)
}
