//! Views and materialized views: definition (`pg_get_viewdef`, the one whole-object
//! deparse introspection does, because a view's query has no other canonical form),
//! columns, options, comments, what each reads and calls (`pg_depend` of its `_RETURN`
//! rule: relations and columns, routines outside the system schemas), and
//! a materialized view's indexes (`pg_get_indexdef(index, 0, true)`, whole: declared as
//! `CREATE INDEX` statements, they have no finer model; few, so cheap) and their comments.

use super::queries::{user_object, user_relation};
use super::{IntrospectError, get};
use crate::model::{
    FunctionId, QualifiedName, View, ViewColumn, is_system_schema, normalize_view_definition,
    reloption_is_true,
};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// One row per view or materialized view in the schemas `schemas()` returns. The
/// definition is read under the empty `search_path`, so every name is qualified.
pub fn views() -> String {
    format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name,
                c.relkind = 'm' AS materialized,
                pg_catalog.pg_get_viewdef(c.oid) AS definition,
                c.reloptions::text[] AS options, c.relispopulated AS populated,
                d.description AS comment,
                cols.names AS column_names, cols.types AS column_types,
                cols.comments AS column_comments,
                deps.schemas AS read_schemas, deps.names AS read_names,
                deps.columns AS read_columns,
                -- JSON [schema, name, argument types]: names may hold any character.
                ARRAY(SELECT DISTINCT pg_catalog.json_build_array(pn.nspname::text,
                                          p.proname::text,
                                          pg_catalog.oidvectortypes(p.proargtypes))::text
                      FROM pg_catalog.pg_rewrite AS r
                      JOIN pg_catalog.pg_depend AS dep
                        ON dep.classid = 'pg_catalog.pg_rewrite'::regclass
                       AND dep.objid = r.oid
                       AND dep.refclassid = 'pg_catalog.pg_proc'::regclass
                      JOIN pg_catalog.pg_proc AS p ON p.oid = dep.refobjid
                      JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.pronamespace
                      WHERE r.ev_class = c.oid AND {routine_filter}
                        -- A range type's constructors belong to the type.
                        AND NOT EXISTS (
                            SELECT FROM pg_catalog.pg_depend AS td
                            WHERE td.classid = 'pg_catalog.pg_proc'::regclass
                              AND td.objid = p.oid
                              AND td.refclassid = 'pg_catalog.pg_type'::regclass
                              AND td.deptype = 'i')) AS calls,
                ARRAY(SELECT ic.relname::text
                      FROM pg_catalog.pg_index AS i
                      JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
                      WHERE i.indrelid = c.oid AND c.relkind = 'm'
                      ORDER BY ic.relname) AS index_names,
                ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
                      FROM pg_catalog.pg_index AS i
                      JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
                      WHERE i.indrelid = c.oid AND c.relkind = 'm'
                      ORDER BY ic.relname) AS index_definitions,
                ARRAY(SELECT id.description
                      FROM pg_catalog.pg_index AS i
                      JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
                      LEFT JOIN pg_catalog.pg_description AS id
                        ON id.objoid = i.indexrelid
                       AND id.classoid = 'pg_catalog.pg_class'::regclass
                       AND id.objsubid = 0
                      WHERE i.indrelid = c.oid AND c.relkind = 'm'
                      ORDER BY ic.relname) AS index_comments
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_description AS d
           ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
          AND d.objsubid = 0
         LEFT JOIN LATERAL (
             SELECT array_agg(a.attname::text ORDER BY a.attnum) AS names,
                    array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod)
                              ORDER BY a.attnum) AS types,
                    array_agg(cd.description ORDER BY a.attnum) AS comments
             FROM pg_catalog.pg_attribute AS a
             LEFT JOIN pg_catalog.pg_description AS cd
               ON cd.objoid = a.attrelid AND cd.classoid = 'pg_catalog.pg_class'::regclass
              AND cd.objsubid = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS cols ON true
         LEFT JOIN LATERAL (
             SELECT array_agg(x.schema ORDER BY x.schema, x.name, x.col) AS schemas,
                    array_agg(x.name ORDER BY x.schema, x.name, x.col) AS names,
                    array_agg(x.col ORDER BY x.schema, x.name, x.col) AS columns
             FROM (SELECT DISTINCT rn.nspname::text AS schema, rc.relname::text AS name,
                          ra.attname::text AS col
                   FROM pg_catalog.pg_rewrite AS r
                   JOIN pg_catalog.pg_depend AS dep
                     ON dep.classid = 'pg_catalog.pg_rewrite'::regclass AND dep.objid = r.oid
                    AND dep.refclassid = 'pg_catalog.pg_class'::regclass
                    AND dep.refobjid <> c.oid
                   JOIN pg_catalog.pg_class AS rc ON rc.oid = dep.refobjid
                   JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
                   LEFT JOIN pg_catalog.pg_attribute AS ra
                     ON ra.attrelid = dep.refobjid AND ra.attnum = dep.refobjsubid
                    AND dep.refobjsubid > 0
                   WHERE r.ev_class = c.oid) AS x) AS deps ON true
         WHERE c.relkind IN ('v', 'm') AND {filter}",
        filter = user_relation("c", "n"),
        routine_filter = user_object("pg_proc", "p.oid", "pn"),
    )
}

pub(super) fn read_views(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, View>, IntrospectError> {
    let mut views = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let mut v = View::new(name.clone(), get(what, row, "materialized")?);
        let definition: Option<String> = get(what, row, "definition")?;
        v.definition = normalize_view_definition(&definition.unwrap_or_default());
        let options: Option<Vec<String>> = get(what, row, "options")?;
        apply_options(&mut v, &options.unwrap_or_default());
        v.with_data = !v.materialized || get::<bool>(what, row, "populated")?;
        v.comment = get(what, row, "comment")?;
        let names: Option<Vec<String>> = get(what, row, "column_names")?;
        let types: Option<Vec<String>> = get(what, row, "column_types")?;
        let comments: Option<Vec<Option<String>>> = get(what, row, "column_comments")?;
        let (names, types, comments) = (
            names.unwrap_or_default(),
            types.unwrap_or_default(),
            comments.unwrap_or_default(),
        );
        for (i, (n, t)) in names.iter().zip(types).enumerate() {
            if let Some(Some(c)) = comments.get(i) {
                v.column_comments.insert(n.clone(), c.clone());
            }
            v.columns.push(ViewColumn {
                name: n.clone(),
                type_name: t,
            });
        }
        let schemas: Option<Vec<String>> = get(what, row, "read_schemas")?;
        let rel_names: Option<Vec<String>> = get(what, row, "read_names")?;
        let columns: Option<Vec<Option<String>>> = get(what, row, "read_columns")?;
        let columns = columns.unwrap_or_default();
        for (i, (s, n)) in schemas
            .unwrap_or_default()
            .into_iter()
            .zip(rel_names.unwrap_or_default())
            .enumerate()
        {
            v.reads
                .push((QualifiedName::new(s, n), columns.get(i).cloned().flatten()));
        }
        let index_names: Vec<String> = get(what, row, "index_names")?;
        let index_definitions: Vec<String> = get(what, row, "index_definitions")?;
        let index_comments: Vec<Option<String>> = get(what, row, "index_comments")?;
        for (index, comment) in index_names.iter().zip(index_comments) {
            if let Some(comment) = comment {
                v.index_comments.insert(index.clone(), comment);
            }
        }
        v.indexes = index_names.into_iter().zip(index_definitions).collect();
        let calls: Vec<String> = get(what, row, "calls")?;
        for call in calls {
            let (schema, name, arguments): (String, String, String) =
                serde_json::from_str(&call).map_err(|e| IntrospectError::Unexpected {
                    what,
                    detail: format!("a routine view {} calls: {e}", v.name),
                })?;
            v.calls.push(FunctionId {
                schema,
                name,
                arguments,
            });
        }
        v.calls.sort();
        views.insert(name, v);
    }
    Ok(views)
}

/// Splits `reloptions` into the view options and, for materialized views, the storage
/// parameters.
pub(crate) fn apply_options(v: &mut View, options: &[String]) {
    for o in options {
        let (k, value) = o.split_once('=').unwrap_or((o.as_str(), "true"));
        match k {
            "security_barrier" if !v.materialized => v.security_barrier = reloption_is_true(value),
            "security_invoker" if !v.materialized => v.security_invoker = reloption_is_true(value),
            "check_option" if !v.materialized => {
                v.check_option = Some(value.to_ascii_lowercase());
            }
            _ => {
                v.storage.insert(k.to_string(), value.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_split_into_view_options_and_storage() {
        let mut v = View::new(QualifiedName::new("s", "v"), false);
        apply_options(
            &mut v,
            &[
                "security_barrier=true".into(),
                "check_option=local".into(),
                "security_invoker=off".into(),
            ],
        );
        assert!(v.security_barrier && !v.security_invoker);
        assert_eq!(v.check_option.as_deref(), Some("local"));
        let mut m = View::new(QualifiedName::new("s", "m"), true);
        apply_options(&mut m, &["fillfactor=70".into()]);
        assert_eq!(m.storage.get("fillfactor").map(String::as_str), Some("70"));
    }
}
