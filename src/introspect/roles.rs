//! Roles and their memberships.

use super::{IntrospectError, get};
use crate::model::{Membership, Password, Role, RoleAttributes, is_builtin_role};
use secrecy::SecretString;
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Every role with its attributes, comment and (when readable) password verifier.
/// `pg_authid` is only readable by superusers; otherwise `pg_roles` (which masks the
/// password) is read and the password column is `NULL`.
///
/// `valid_until` is rendered as PostgreSQL prints a `timestamptz` with `DateStyle=ISO`
/// and `TimeZone=UTC` (fractional seconds only when non-zero), whatever the session's
/// settings are; `infinity` (and no expiry) is `NULL`.
pub fn roles(can_read_passwords: bool) -> String {
    let (source, password) = if can_read_passwords {
        ("pg_catalog.pg_authid", "a.rolpassword")
    } else {
        ("pg_catalog.pg_roles", "NULL::text")
    };
    format!(
        "SELECT a.rolname::text AS name,
                a.rolcanlogin AS login, a.rolsuper AS superuser, a.rolcreatedb AS createdb,
                a.rolcreaterole AS createrole, a.rolinherit AS inherit,
                a.rolreplication AS replication, a.rolbypassrls AS bypassrls,
                a.rolconnlimit AS connection_limit,
                CASE WHEN a.rolvaliduntil IS NULL OR a.rolvaliduntil = 'infinity' THEN NULL
                     WHEN a.rolvaliduntil = '-infinity' THEN '-infinity'
                     ELSE rtrim(rtrim(to_char(a.rolvaliduntil AT TIME ZONE 'UTC',
                                              'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.') || '+00'
                END AS valid_until,
                sd.description AS comment,
                {password} AS password
         FROM {source} AS a
         LEFT JOIN pg_catalog.pg_shdescription AS sd
                ON sd.objoid = a.oid AND sd.classoid = 'pg_catalog.pg_authid'::regclass"
    )
}

/// Memberships of every non-builtin role (the granted role may be builtin). On
/// PostgreSQL 16+ a membership can be granted several times by different grantors; the
/// options are OR-ed together, which is what the member effectively holds. Before 16 the
/// `inherit` and `set` options do not exist and come back `NULL`.
pub fn memberships(version_num: i32) -> String {
    let (inherit, set) = if version_num >= 160000 {
        ("bool_or(am.inherit_option)", "bool_or(am.set_option)")
    } else {
        ("NULL::bool", "NULL::bool")
    };
    format!(
        "SELECT m.rolname::text AS member, g.rolname::text AS granted,
                bool_or(am.admin_option) AS admin,
                array_agg(DISTINCT pg_catalog.pg_get_userbyid(am.grantor)::text) AS grantors,
                {inherit} AS inherit,
                {set} AS set
         FROM pg_catalog.pg_auth_members AS am
         JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
         JOIN pg_catalog.pg_roles AS g ON g.oid = am.roleid
         WHERE left(m.rolname, 3) <> 'pg_'
         GROUP BY m.rolname, g.rolname"
    )
}

pub(super) fn read_roles(
    what: &'static str,
    rows: &[Row],
    can_read_passwords: bool,
) -> Result<BTreeMap<String, Role>, IntrospectError> {
    let mut roles = BTreeMap::new();
    for row in rows {
        let name: String = get(what, row, "name")?;
        if is_builtin_role(&name) {
            continue;
        }
        let password = if can_read_passwords {
            match get::<Option<String>>(what, row, "password")? {
                Some(verifier) => Password::Stored(SecretString::from(verifier)),
                None => Password::Absent,
            }
        } else {
            Password::Unreadable
        };
        let role = Role {
            external: false,
            attributes: RoleAttributes {
                login: get(what, row, "login")?,
                superuser: get(what, row, "superuser")?,
                createdb: get(what, row, "createdb")?,
                createrole: get(what, row, "createrole")?,
                inherit: get(what, row, "inherit")?,
                replication: get(what, row, "replication")?,
                bypassrls: get(what, row, "bypassrls")?,
                connection_limit: get(what, row, "connection_limit")?,
                valid_until: get(what, row, "valid_until")?,
            },
            comment: get(what, row, "comment")?,
            password,
            member_of: BTreeMap::new(),
            settings: BTreeMap::new(),
            database_settings: BTreeMap::new(),
            confinement: None,
            granted_by: BTreeMap::new(),
            name: name.clone(),
        };
        roles.insert(name, role);
    }
    Ok(roles)
}

pub(super) fn apply_memberships(
    what: &'static str,
    rows: &[Row],
    roles: &mut BTreeMap<String, Role>,
) -> Result<(), IntrospectError> {
    for row in rows {
        let member: String = get(what, row, "member")?;
        let granted: String = get(what, row, "granted")?;
        let membership = Membership {
            admin: get(what, row, "admin")?,
            inherit: get(what, row, "inherit")?,
            set: get(what, row, "set")?,
        };
        let grantors: Vec<String> = get(what, row, "grantors")?;
        if let Some(role) = roles.get_mut(&member) {
            role.granted_by.insert(granted.clone(), grantors);
            role.member_of.insert(granted, membership);
        }
    }
    Ok(())
}
