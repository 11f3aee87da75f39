//! Row-level security policies.

use super::queries::user_table;
use super::rows::names;
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::model::Policy;
use tokio_postgres::Row;

/// Row-level security policies in user schemas (the reader keeps those of the tables
/// `tables()` returns). Role `0` is `PUBLIC`.
pub fn policies() -> String {
    format!(
        "SELECT p.polrelid AS table_oid, p.polname::text AS name,
                p.polpermissive AS permissive, p.polcmd::text AS command,
                ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC'
                                  ELSE pg_catalog.pg_get_userbyid(r.oid)::text END
                      FROM unnest(p.polroles) AS r(oid)) AS roles,
                CASE WHEN p.polqual IS NOT NULL
                     THEN pg_catalog.pg_get_expr(p.polqual, p.polrelid) END AS using_expr,
                CASE WHEN p.polwithcheck IS NOT NULL
                     THEN pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) END AS with_check,
                pg_catalog.obj_description(p.oid, 'pg_policy') AS comment
         FROM pg_catalog.pg_policy AS p
         JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE {user_table}",
        user_table = user_table("c", "n"),
    )
}

fn policy_command(code: &str) -> Option<&'static str> {
    Some(match code {
        "r" => "SELECT",
        "a" => "INSERT",
        "w" => "UPDATE",
        "d" => "DELETE",
        "*" => "ALL",
        _ => return None,
    })
}

pub(super) fn apply_policies(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
) -> Result<(), IntrospectError> {
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        let name: String = get(what, row, "name")?;
        let object = || format!("policy {name} on {}", table.name);
        let code: String = get(what, row, "command")?;
        let command = policy_command(&code)
            .ok_or_else(|| unexpected(what, format!("command {code:?} of {}", object())))?;
        let mut roles = names(what, row, "roles", &object)?;
        roles.sort();
        roles.dedup();
        let policy = Policy {
            permissive: get(what, row, "permissive")?,
            command: command.to_string(),
            roles,
            using: get(what, row, "using_expr")?,
            with_check: get(what, row, "with_check")?,
            comment: get(what, row, "comment")?,
            name: name.clone(),
        };
        table.policies.insert(name, policy);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_commands() {
        assert_eq!(policy_command("r"), Some("SELECT"));
        assert_eq!(policy_command("*"), Some("ALL"));
        assert_eq!(policy_command("x"), None);
    }
}
