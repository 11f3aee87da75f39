//! Schema-specific default privileges.

use super::acl::{acl_join, read_acl};
use super::queries::user_schema;
use super::{IntrospectError, get, unexpected};
use crate::model::{Acl, DefaultPrivilegeKey, ObjectKind, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Schema-specific default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s`)
/// on tables, sequences, functions and types, exactly as stored — no `acldefault`: a
/// schema-specific entry only ever adds to the global defaults.
///
/// Checked on PostgreSQL 15: after `ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s GRANT
/// SELECT ON TABLES TO r`, `defaclacl` is `{r=r/o}` — the owner is *not* added (unlike a
/// global entry, which starts from `acldefault` and so holds `o=arwdDxt/o`). An owner
/// entry appears only when one explicitly grants to the owner in that schema (`… GRANT …
/// TO o`); it is still removed here, since the owner's implicit privileges never take
/// part in the model. After a `REVOKE` that empties the entry, the row disappears.
pub fn default_privileges() -> String {
    format!(
        "SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text AS for_role,
                n.nspname::text AS schema,
                d.defaclobjtype::text AS kind,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_default_acl AS d
         JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
         {acl}
         WHERE d.defaclobjtype IN ('r', 'S', 'f', 'T') AND {user_schema}",
        acl = acl_join("d.defaclacl", "d.defaclrole"),
        user_schema = user_schema("n"),
    )
}

pub(super) fn read_default_privileges(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<DefaultPrivilegeKey, Acl>, IntrospectError> {
    let mut defaults = BTreeMap::new();
    for row in rows {
        let for_role: String = get(what, row, "for_role")?;
        let schema: String = get(what, row, "schema")?;
        if is_system_schema(&schema) {
            continue;
        }
        let code: String = get(what, row, "kind")?;
        let kind = match ObjectKind::from_default_acl_code(&code) {
            Some(
                kind @ (ObjectKind::Table
                | ObjectKind::Sequence
                | ObjectKind::Function
                | ObjectKind::Type),
            ) => kind,
            _ => return Err(unexpected(what, format!("default ACL object type {code}"))),
        };
        let acl = read_acl(what, row, &|| {
            format!("default privileges for role {for_role} in schema {schema} on {code}")
        })?;
        // An entry that held nothing but the owner's own grants adds nothing.
        if acl.is_empty() {
            continue;
        }
        defaults.insert(
            DefaultPrivilegeKey {
                for_role,
                schema,
                kind,
            },
            acl,
        );
    }
    Ok(defaults)
}
