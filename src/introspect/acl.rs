//! ACLs: the SQL that explodes them into three parallel arrays, and the reader of those.

use super::{IntrospectError, unexpected};
use crate::model::{Acl, Grantee, Privilege};
use tokio_postgres::Row;

/// `LEFT JOIN LATERAL` that explodes `acl` minus the entries of `owner` into the columns
/// `acl.grantees text[]`, `acl.privileges text[]`, `acl.grantable bool[]` (all `NULL`
/// when nothing is left).
pub(super) fn acl_join(acl: &str, owner: &str) -> String {
    format!(
        "LEFT JOIN LATERAL (
            SELECT array_agg(CASE WHEN e.grantee = 0 THEN NULL
                                  ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END) AS grantees,
                   array_agg(e.privilege_type::text) AS privileges,
                   array_agg(e.is_grantable) AS grantable
            FROM pg_catalog.aclexplode({acl}) AS e
            WHERE e.grantee <> {owner}
        ) AS acl ON true"
    )
}

/// [`acl_join`] of the ACL of the type `t` (PostgreSQL's default when never granted on:
/// `PUBLIC` `USAGE`).
pub(super) fn type_acl() -> String {
    acl_join(
        "coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))",
        "t.typowner",
    )
}

/// The same three columns as [`acl_join`] (`grantees`, `privileges`, `grantable`), as
/// sub-selects that only run when `acl` is not NULL: for ACLs that are NULL on nearly
/// every row (column ACLs), where a lateral join per row would cost more than the rest of
/// the query. `aclexplode` returns the entries of one ACL in the same order each time,
/// so the three arrays stay parallel.
pub(super) fn acl_columns(acl: &str, owner: &str) -> String {
    let column = |expr: &str, name: &str| {
        format!(
            "CASE WHEN ({acl}) IS NOT NULL THEN
                 ARRAY(SELECT {expr} FROM pg_catalog.aclexplode({acl}) AS e
                       WHERE e.grantee <> {owner})
             END AS {name}"
        )
    };
    [
        column(
            "CASE WHEN e.grantee = 0 THEN NULL
                  ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END",
            "grantees",
        ),
        column("e.privilege_type::text", "privileges"),
        column("e.is_grantable", "grantable"),
    ]
    .join(",\n")
}

/// Builds an ACL from the `grantees`, `privileges`, `grantable` arrays of a query row
/// (see [`acl_join`]). `object` names the object in error messages.
pub(super) fn read_acl(
    what: &'static str,
    row: &Row,
    object: &dyn Fn() -> String,
) -> Result<Acl, IntrospectError> {
    read_acl_at(what, row, ["grantees", "privileges", "grantable"], object)
}

/// [`read_acl`] with the three columns given by name or position (hot loops look the
/// positions up once).
pub(super) fn read_acl_at<I>(
    what: &'static str,
    row: &Row,
    [grantees, privileges, grantable]: [I; 3],
    object: &dyn Fn() -> String,
) -> Result<Acl, IntrospectError>
where
    I: tokio_postgres::row::RowIndex + std::fmt::Display,
{
    let error = |source| IntrospectError::Query { what, source };
    let grantees: Option<Vec<Option<String>>> = row.try_get(grantees).map_err(error)?;
    let privileges: Option<Vec<String>> = row.try_get(privileges).map_err(error)?;
    let grantable: Option<Vec<bool>> = row.try_get(grantable).map_err(error)?;
    let (grantees, privileges, grantable) = (
        grantees.unwrap_or_default(),
        privileges.unwrap_or_default(),
        grantable.unwrap_or_default(),
    );
    if grantees.len() != privileges.len() || grantees.len() != grantable.len() {
        return Err(unexpected(
            what,
            format!("ACL arrays of {} differ in length", object()),
        ));
    }
    let mut acl = Acl::default();
    for ((grantee, privilege), grantable) in grantees.into_iter().zip(privileges).zip(grantable) {
        let privilege = Privilege::parse(&privilege).ok_or_else(|| {
            unexpected(
                what,
                format!("unknown privilege {privilege} in the ACL of {}", object()),
            )
        })?;
        let grantee = match grantee {
            None => Grantee::Public,
            Some(name) => Grantee::Role(name),
        };
        acl.grant(grantee, privilege, grantable);
    }
    Ok(acl)
}
