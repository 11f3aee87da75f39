//! The server's own view of each confined role's access, to catch what the model
//! cannot explain.

use super::{Report, Violation, ViolationKind, ident};
use crate::model::Catalog;
use std::fmt::Write as _;

/// Asks the server (`has_schema_privilege`, `has_table_privilege`,
/// `has_database_privilege`) what each confined role can do outside its confinement,
/// in one set-based query, and reports access the model found no path for.
pub async fn server_check(
    client: &impl tokio_postgres::GenericClient,
    desired: &Catalog,
    report: &mut Report,
) -> Result<(), tokio_postgres::Error> {
    let mut names = Vec::new();
    let mut allowed = Vec::new();
    for r in &report.roles {
        if r.violations
            .iter()
            .any(|v| v.kind == ViolationKind::MissingRole)
        {
            continue;
        }
        names.push(r.role.clone());
        allowed.push(r.confined_to.join(","));
    }
    if names.is_empty() {
        return Ok(());
    }
    let _ = desired;
    let rows = client
        .query(
            "WITH conf AS (
               SELECT r.oid AS roleid, c.name AS rolname, string_to_array(c.allowed, ',') AS allowed
                 FROM unnest($1::text[], $2::text[]) AS c(name, allowed)
                 JOIN pg_catalog.pg_roles r ON r.rolname = c.name)
             SELECT conf.rolname, 'schema' AS kind, n.nspname AS schema, n.nspname AS object,
                    concat_ws(', ',
                      CASE WHEN has_schema_privilege(conf.roleid, n.oid, 'USAGE')
                            AND n.nspname <> 'public' THEN 'USAGE' END,
                      CASE WHEN has_schema_privilege(conf.roleid, n.oid, 'CREATE') THEN 'CREATE' END)
                      AS privileges
               FROM conf CROSS JOIN pg_catalog.pg_namespace n
              WHERE n.nspname <> ALL (conf.allowed)
                AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
             UNION ALL
             SELECT conf.rolname, 'table', n.nspname, n.nspname || '.' || c.relname,
                    concat_ws(', ',
                      CASE WHEN has_table_privilege(conf.roleid, c.oid, 'SELECT') THEN 'SELECT' END,
                      CASE WHEN has_table_privilege(conf.roleid, c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')
                           THEN 'write' END)
               FROM conf CROSS JOIN pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND n.nspname <> ALL (conf.allowed)
                AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                AND has_schema_privilege(conf.roleid, n.oid, 'USAGE')
             UNION ALL
             SELECT conf.rolname, 'database', '', current_database(),
                    CASE WHEN has_database_privilege(conf.roleid, current_database(), 'CREATE')
                         THEN 'CREATE' END
               FROM conf",
            &[&names, &allowed],
        )
        .await?;
    for row in rows {
        let role: String = row.get(0);
        let kind: String = row.get(1);
        let schema: String = row.get(2);
        let object: String = row.get(3);
        let privileges: Option<String> = row.get(4);
        let Some(privileges) = privileges.filter(|p| !p.is_empty()) else {
            continue;
        };
        let Some(r) = report.roles.iter_mut().find(|r| r.role == role) else {
            continue;
        };
        // A superuser reaches everything; otherwise the model must have a path to it.
        // Paths through a view or a definer routine run as their owner: the server's
        // `has_*_privilege` answers for the role itself and never reports them, so they
        // explain nothing it reports (and are never reported as unexplained).
        let explained = r.violations.iter().any(|v| match kind.as_str() {
            _ if matches!(
                v.kind,
                ViolationKind::ViewOwnerRights | ViolationKind::SecurityDefiner
            ) =>
            {
                false
            }
            _ if v.kind == ViolationKind::Superuser => true,
            "database" => v.kind == ViolationKind::DatabaseCreate,
            _ => {
                v.path.contains(&format!(" {}", ident(&schema)))
                    || v.path.contains(&format!(" {}.", ident(&schema)))
            }
        });
        if !explained {
            let mut path = String::new();
            let _ = write!(
                path,
                "{} → the server reports {privileges} on {kind} {object} (no path found)",
                ident(&role)
            );
            r.violations.push(Violation {
                kind: ViolationKind::Unexplained,
                path,
            });
        }
    }
    report.ok = report.roles.iter().all(|r| r.violations.is_empty());
    Ok(())
}
