//! Functions and procedures: definition, owner, comment and ACL, and what of a table
//! calls each (`pg_depend`: indexes, defaults, checks, triggers, policies).

use super::acl::{acl_join, read_acl};
use super::queries::{not_extension_member, user_schema};
use super::{IntrospectError, get};
use crate::model::{
    Function, FunctionId, QualifiedName, RoutineDefinition, RoutineUser, RoutineUserKind,
    is_system_schema,
};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Functions and procedures (no aggregates, no window functions) in the schemas
/// `schemas()` returns, without extension members and without the constructors
/// PostgreSQL creates with a range type (they belong to the type: `pg_depend` `i`). The
/// definition is deparsed whole (`pg_get_functiondef`): routines are few, and their
/// stored text is the comparison key.
pub fn functions() -> String {
    format!(
        "SELECT n.nspname::text AS schema, p.proname::text AS name,
                pg_catalog.oidvectortypes(p.proargtypes) AS arguments,
                p.prokind = 'p' AS is_procedure,
                pg_catalog.pg_get_userbyid(p.proowner)::text AS owner,
                acl.grantees, acl.privileges, acl.grantable,
                pg_catalog.pg_get_functiondef(p.oid) AS definition,
                pg_catalog.pg_get_function_arguments(p.oid) AS full_arguments,
                CASE WHEN p.prokind = 'p' THEN NULL
                     ELSE pg_catalog.pg_get_function_result(p.oid) END AS result,
                l.lanname::text AS language, p.prosecdef AS security_definer,
                d.description AS comment,
                -- JSON [kind, schema, table, name]: what of a table calls it.
                ARRAY(SELECT DISTINCT pg_catalog.json_build_array(u.kind, un.nspname::text,
                                          uc.relname::text, u.name)::text
                      FROM pg_catalog.pg_depend AS dep
                      CROSS JOIN LATERAL (
                          SELECT 'index' AS kind, i.indrelid AS rel, ic.relname::text AS name
                          FROM pg_catalog.pg_index AS i
                          JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
                          WHERE dep.classid = 'pg_catalog.pg_class'::regclass
                            AND i.indexrelid = dep.objid
                          UNION ALL
                          SELECT CASE WHEN a.attgenerated <> '' THEN 'generated'
                                      ELSE 'default' END, ad.adrelid, a.attname::text
                          FROM pg_catalog.pg_attrdef AS ad
                          JOIN pg_catalog.pg_attribute AS a
                            ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                          WHERE dep.classid = 'pg_catalog.pg_attrdef'::regclass
                            AND ad.oid = dep.objid
                          UNION ALL
                          SELECT 'constraint', co.conrelid, co.conname::text
                          FROM pg_catalog.pg_constraint AS co
                          WHERE dep.classid = 'pg_catalog.pg_constraint'::regclass
                            AND co.oid = dep.objid AND co.conrelid <> 0
                          UNION ALL
                          SELECT 'trigger', tg.tgrelid, tg.tgname::text
                          FROM pg_catalog.pg_trigger AS tg
                          WHERE dep.classid = 'pg_catalog.pg_trigger'::regclass
                            AND tg.oid = dep.objid
                          UNION ALL
                          SELECT 'policy', po.polrelid, po.polname::text
                          FROM pg_catalog.pg_policy AS po
                          WHERE dep.classid = 'pg_catalog.pg_policy'::regclass
                            AND po.oid = dep.objid) AS u
                      JOIN pg_catalog.pg_class AS uc ON uc.oid = u.rel
                      JOIN pg_catalog.pg_namespace AS un ON un.oid = uc.relnamespace
                      WHERE dep.refclassid = 'pg_catalog.pg_proc'::regclass
                        AND dep.refobjid = p.oid AND dep.deptype = 'n') AS used_by
         FROM pg_catalog.pg_proc AS p
         JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
         JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
         LEFT JOIN pg_catalog.pg_description AS d
           ON d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objoid = p.oid
          AND d.objsubid = 0
         {acl}
         WHERE p.prokind IN ('f', 'p')
           AND {user_schema} AND {not_ext_proc} AND {not_ext_nsp}
           AND p.oid NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend AS dep
                             WHERE dep.classid = 'pg_catalog.pg_proc'::regclass
                               AND dep.refclassid = 'pg_catalog.pg_type'::regclass
                               AND dep.deptype = 'i')",
        acl = acl_join(
            "coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))",
            "p.proowner"
        ),
        user_schema = user_schema("n"),
        not_ext_proc = not_extension_member("pg_proc", "p.oid"),
        not_ext_nsp = not_extension_member("pg_namespace", "n.oid"),
    )
}

pub(super) fn read_functions(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<FunctionId, Function>, IntrospectError> {
    let mut functions = BTreeMap::new();
    for row in rows {
        let id = FunctionId {
            schema: get(what, row, "schema")?,
            name: get(what, row, "name")?,
            arguments: get(what, row, "arguments")?,
        };
        if is_system_schema(&id.schema) {
            continue;
        }
        let acl = read_acl(what, row, &|| format!("function {id}"))?;
        let function = Function {
            is_procedure: get(what, row, "is_procedure")?,
            owner: Some(get(what, row, "owner")?),
            acl,
            definition: Some(RoutineDefinition {
                text: get(what, row, "definition")?,
                arguments: get(what, row, "full_arguments")?,
                result: get(what, row, "result")?,
                language: get(what, row, "language")?,
                security_definer: get(what, row, "security_definer")?,
            }),
            comment: get(what, row, "comment")?,
            used_by: read_users(what, row, &id)?,
            id: id.clone(),
        };
        functions.insert(id, function);
    }
    Ok(functions)
}

/// The `used_by` column: what of a table calls the routine, sorted.
fn read_users(
    what: &'static str,
    row: &Row,
    id: &FunctionId,
) -> Result<Vec<RoutineUser>, IntrospectError> {
    let rows: Vec<String> = get(what, row, "used_by")?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (kind, schema, table, name): (String, String, String, String) =
            serde_json::from_str(&r).map_err(|e| IntrospectError::Unexpected {
                what,
                detail: format!("what calls {id}: {e}"),
            })?;
        let kind = match kind.as_str() {
            "index" => RoutineUserKind::Index,
            "default" => RoutineUserKind::Default,
            "generated" => RoutineUserKind::Generated,
            "constraint" => RoutineUserKind::Constraint,
            "trigger" => RoutineUserKind::Trigger,
            _ => RoutineUserKind::Policy,
        };
        out.push(RoutineUser {
            kind,
            table: QualifiedName::new(schema, table),
            name,
        });
    }
    out.sort();
    Ok(out)
}
