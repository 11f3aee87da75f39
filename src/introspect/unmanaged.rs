//! Objects pgrecon does not manage, listed so that the plan can say they exist.

use super::queries::{user_object, user_relation};
use super::{IntrospectError, get};
use crate::model::{QualifiedName, UnmanagedObject, is_system_schema};
use tokio_postgres::Row;

/// Objects pgrecon does not manage, in the schemas `schemas()` returns and not
/// belonging to an extension: foreign tables, triggers of foreign tables (not internal
/// ones; tables' and views' triggers are managed), rules (not a view's `_RETURN`), functions, procedures,
/// aggregates and window functions (their definitions; their ACLs are managed) other
/// than the constructors PostgreSQL creates with a range type, base types, extended
/// statistics and operators. (Collations, composite and range types are read as such;
/// the diff lists them as unmanaged in schemas that declare none of their kind.) `on_schema`/`on_name`
/// name the table of a trigger or rule, `arguments` the argument types of a routine
/// or an operator.
pub fn unmanaged() -> String {
    let rel_filter = user_relation("c", "n");
    format!(
        "SELECT 'foreign table' AS kind,
                n.nspname::text AS schema, c.relname::text AS name,
                NULL::text AS on_schema, NULL::text AS on_name, NULL::text AS arguments
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE c.relkind = 'f' AND {rel_filter}
         UNION ALL
         SELECT 'trigger', n.nspname::text, tg.tgname::text, n.nspname::text,
                c.relname::text, NULL
         FROM pg_catalog.pg_trigger AS tg
         JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE NOT tg.tgisinternal AND c.relkind NOT IN ('r', 'p', 'v') AND {rel_filter}
         UNION ALL
         SELECT 'rule', n.nspname::text, r.rulename::text, n.nspname::text,
                c.relname::text, NULL
         FROM pg_catalog.pg_rewrite AS r
         JOIN pg_catalog.pg_class AS c ON c.oid = r.ev_class
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE r.rulename <> '_RETURN' AND {rel_filter}
         UNION ALL
         SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                               WHEN 'w' THEN 'window function' ELSE 'function' END,
                n.nspname::text, p.proname::text, NULL, NULL,
                pg_catalog.oidvectortypes(p.proargtypes)
         FROM pg_catalog.pg_proc AS p
         JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
         WHERE {proc_filter}
           AND p.oid NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend AS dep
                             WHERE dep.classid = 'pg_catalog.pg_proc'::regclass
                               AND dep.refclassid = 'pg_catalog.pg_type'::regclass
                               AND dep.deptype = 'i')
         UNION ALL
         SELECT 'base type', n.nspname::text, t.typname::text, NULL, NULL, NULL
         FROM pg_catalog.pg_type AS t
         JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
         WHERE t.typtype = 'b' AND t.typelem = 0 AND {type_filter}
         UNION ALL
         SELECT 'statistics', n.nspname::text, st.stxname::text, NULL, NULL, NULL
         FROM pg_catalog.pg_statistic_ext AS st
         JOIN pg_catalog.pg_namespace AS n ON n.oid = st.stxnamespace
         WHERE {statistics_filter}
         UNION ALL
         SELECT 'operator', n.nspname::text, o.oprname::text, NULL, NULL,
                CASE WHEN o.oprleft = 0 THEN 'NONE'
                     ELSE pg_catalog.format_type(o.oprleft, NULL) END || ', '
                    || pg_catalog.format_type(o.oprright, NULL)
         FROM pg_catalog.pg_operator AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.oprnamespace
         WHERE {operator_filter}",
        proc_filter = user_object("pg_proc", "p.oid", "n"),
        type_filter = user_object("pg_type", "t.oid", "n"),
        statistics_filter = user_object("pg_statistic_ext", "st.oid", "n"),
        operator_filter = user_object("pg_operator", "o.oid", "n"),
    )
}

pub(super) fn read_unmanaged(
    what: &'static str,
    rows: &[Row],
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    use crate::sql::display_ident;
    let mut objects = Vec::with_capacity(rows.len());
    for row in rows {
        let schema: String = get(what, row, "schema")?;
        if is_system_schema(&schema) {
            continue;
        }
        let kind: String = get(what, row, "kind")?;
        let name: String = get(what, row, "name")?;
        let on = match (
            get::<Option<String>>(what, row, "on_schema")?,
            get::<Option<String>>(what, row, "on_name")?,
        ) {
            (Some(s), Some(n)) => Some(QualifiedName::new(s, n)),
            _ => None,
        };
        let arguments: Option<String> = get(what, row, "arguments")?;
        let name = match (on, arguments) {
            (Some(table), _) => format!("{} on {table}", display_ident(&name)),
            (None, Some(arguments)) => format!("{}({arguments})", display_ident(&name)),
            (None, None) => display_ident(&name).to_string(),
        };
        objects.push(UnmanagedObject { kind, schema, name });
    }
    objects.sort();
    objects.dedup();
    Ok(objects)
}
