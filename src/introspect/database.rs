//! The current database: owner, comment, ACL (its settings come with `settings`).

use super::acl::{acl_join, read_acl};
use super::{IntrospectError, get, unexpected};
use crate::model::Database;
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// The current database: owner, comment and ACL (`acldefault('d')` gives `PUBLIC`
/// `CONNECT` and `TEMPORARY`).
pub fn database() -> String {
    format!(
        "SELECT d.datname::text AS name,
                pg_catalog.pg_get_userbyid(d.datdba)::text AS owner,
                sd.description AS comment,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_database AS d
         LEFT JOIN pg_catalog.pg_shdescription AS sd
                ON sd.objoid = d.oid AND sd.classoid = 'pg_catalog.pg_database'::regclass
         {acl}
         WHERE d.datname = current_database()",
        acl = acl_join(
            "coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))",
            "d.datdba"
        ),
    )
}

pub(super) fn read_database(what: &'static str, rows: &[Row]) -> Result<Database, IntrospectError> {
    let [row] = rows else {
        return Err(unexpected(
            what,
            format!("{} rows instead of 1", rows.len()),
        ));
    };
    let name: String = get(what, row, "name")?;
    let acl = read_acl(what, row, &|| format!("database {name}"))?;
    Ok(Database {
        owner: Some(get(what, row, "owner")?),
        comment: get(what, row, "comment")?,
        acl,
        settings: BTreeMap::new(),
        name: Some(name),
    })
}
