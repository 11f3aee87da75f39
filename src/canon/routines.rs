//! Functions and procedures: the declared statement → the server's text
//! (`pg_get_functiondef`) and identity (`oidvectortypes`).
//!
//! A declared statement equal to a live routine's text (of the same schema and name) is
//! settled: it takes the live routine's identity and definition. Every other one is
//! created in a scratch schema, one at a time in its own savepoint (overloads and
//! routines that replace a live one never collide), with `check_function_bodies` off so
//! that a body may name what the plan has yet to create, and read back. Only the
//! schema of the header's name is mapped back to the real one; the body is the server's
//! as stored (a `BEGIN ATOMIC` body is deparsed with every name qualified, never with the
//! scratch schema, which it cannot reference).

use super::ddl::lowercase_first;
use super::error::db_error;
use super::{CanonError, CanonProblem, Declared, SCRATCH_PREFIX};
use crate::config::routine_sql;
use crate::config::sql_check::{SqlKind, check_pasted};
use crate::model::*;
use crate::sql::{qualified, quote_ident, quote_literal};
use tokio_postgres::GenericClient;
use tokio_postgres::types::Type;

const ROUTINES_SAVEPOINT: &str = "pgrecon_canon_routines";
const ROUTINE_SAVEPOINT: &str = "pgrecon_canon_routine";

const READ_BACK: &str = "SELECT p.proname::text, pg_catalog.oidvectortypes(p.proargtypes),
        p.prokind = 'p', pg_catalog.pg_get_functiondef(p.oid),
        pg_catalog.pg_get_function_arguments(p.oid),
        CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_catalog.pg_get_function_result(p.oid) END,
        l.lanname::text, p.prosecdef,
        pg_catalog.quote_ident($1::text), pg_catalog.quote_ident($2::text)
 FROM pg_catalog.pg_proc AS p
 JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
 JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
 WHERE n.nspname = $1::text";

/// The live routine whose text the declared statement already is.
fn settled<'a>(f: &Function, live: &'a Catalog) -> Option<&'a Function> {
    let text = f.definition.as_ref()?.text.trim_end();
    live.functions.values().find(|l| {
        l.id.schema == f.id.schema
            && l.id.name == f.id.name
            && l.definition
                .as_ref()
                .is_some_and(|d| d.text.trim_end() == text)
    })
}

/// Whether a declared routine needs creating to find its canonical form.
pub(super) fn need_scratch(desired: &Catalog, live: &Catalog) -> bool {
    unsettled(desired, live).next().is_some()
}

/// The declared routines whose definition is not the live one.
pub(super) fn unsettled<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
) -> impl Iterator<Item = &'a Function> {
    desired
        .functions
        .values()
        .filter(|f| f.definition.is_some() && settled(f, live).is_none())
}

/// Replaces each declared routine's statement and identity with the server's.
pub(super) async fn canonicalize(
    client: &impl GenericClient,
    out: &mut Catalog,
    live: &Catalog,
) -> Result<(), CanonError> {
    // (declared identity, canonical identity, procedure, definition)
    let mut results: Vec<(FunctionId, FunctionId, bool, RoutineDefinition)> = Vec::new();
    let mut todo: Vec<FunctionId> = Vec::new();
    for (id, f) in &out.functions {
        if f.definition.is_none() {
            continue;
        }
        match settled(f, live) {
            Some(l) => results.push((
                id.clone(),
                l.id.clone(),
                l.is_procedure,
                l.definition
                    .clone()
                    .expect("live routines are read with their definition"),
            )),
            None => todo.push(id.clone()),
        }
    }
    let mut problems = Vec::new();
    if !todo.is_empty() {
        let mut scratch = format!("{SCRATCH_PREFIX}routines");
        while live.schemas.contains_key(&scratch) {
            scratch.push('_');
        }
        exec(
            client,
            &format!(
                "SAVEPOINT {ROUTINES_SAVEPOINT}; CREATE SCHEMA {}",
                quote_ident(&scratch)
            ),
        )
        .await
        .map_err(|e| {
            CanonError::Database(format!(
                "cannot create a scratch schema to check the declared functions in: {e}; \
                 grant CREATE on the database to the role pgrecon runs as"
            ))
        })?;
        placeholders(client, out, live, &todo).await?;
        under_real_names(client, out, live, &todo).await?;
        for id in &todo {
            let f = &out.functions[id];
            match create_and_read(client, f, &scratch).await? {
                Ok(r) => results.push((id.clone(), r.0, r.1, r.2)),
                Err(message) => problems.push(CanonProblem {
                    object: format!("{} {id}", what(f)),
                    declared: Some(Declared::Function(id.clone())),
                    clause: None,
                    message: message.replace(&scratch, &quote_ident(&id.schema)),
                }),
            }
        }
        undo(client, ROUTINES_SAVEPOINT).await?;
    }
    let mut taken: Vec<(FunctionId, Function)> = Vec::new();
    for (declared, canonical, is_procedure, definition) in results {
        let Some(mut f) = out.functions.remove(&declared) else {
            continue;
        };
        f.id = canonical.clone();
        f.is_procedure = is_procedure;
        f.definition = Some(definition);
        taken.push((declared, f));
    }
    for (declared, f) in taken {
        if out.functions.contains_key(&f.id) {
            problems.push(CanonProblem {
                object: format!("{} {}", what(&f), f.id),
                declared: Some(Declared::Function(declared)),
                clause: None,
                message: "declared twice (the argument types name the same types)".into(),
            });
            continue;
        }
        out.functions.insert(f.id.clone(), f);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CanonError::Rejected(problems))
    }
}

/// Stand-ins, under their real names, for the declared tables that do not exist yet and
/// whose name a routine's statement mentions: a signature may name a table's row type
/// (`RETURNS SETOF app.items`), whose canonical text depends only on the name, and a
/// `BEGIN ATOMIC` body may read its columns (their declared types). A stand-in that
/// cannot be created with its columns is created empty, or left out (the routine then
/// says why). Declared views likewise.
async fn placeholders(
    client: &impl GenericClient,
    desired: &Catalog,
    live: &Catalog,
    todo: &[FunctionId],
) -> Result<(), CanonError> {
    let texts: Vec<&str> = todo
        .iter()
        .filter_map(|id| Some(desired.functions[id].definition.as_ref()?.text.as_str()))
        .collect();
    for (name, table) in &desired.tables {
        if live.tables.contains_key(name) || !texts.iter().any(|t| t.contains(&name.name)) {
            continue;
        }
        let columns: Option<Vec<String>> = table
            .columns
            .iter()
            .map(|c| {
                check_pasted(SqlKind::Type, &c.type_name).ok()?;
                Some(format!("{} {}", quote_ident(&c.name), c.type_name))
            })
            .collect();
        let table_name = qualified(&name.schema, &name.name);
        let path = set_search_path(&name.schema);
        for body in [columns.map(|c| c.join(", ")), Some(String::new())]
            .into_iter()
            .flatten()
        {
            let create = format!(
                "SAVEPOINT {ROUTINE_SAVEPOINT}; {path}; CREATE TABLE {table_name} ({body}); \
                 RELEASE SAVEPOINT {ROUTINE_SAVEPOINT}"
            );
            if client.batch_execute(&create).await.is_ok() {
                break;
            }
            undo(client, ROUTINE_SAVEPOINT).await?;
        }
    }
    // A declared view not created yet: its row type may be in a signature too
    // (`RETURNS SETOF app.actor`). Its query, or an empty table of its name.
    for (name, view) in &desired.views {
        let exists = live.views.contains_key(name) || live.tables.contains_key(name);
        if exists || !texts.iter().any(|t| t.contains(&name.name)) {
            continue;
        }
        let view_name = qualified(&name.schema, &name.name);
        let path = set_search_path(&name.schema);
        for create in [
            format!("CREATE VIEW {view_name} AS {}", view.definition),
            format!("CREATE TABLE {view_name} ()"),
        ] {
            let create = format!(
                "SAVEPOINT {ROUTINE_SAVEPOINT}; {path}; {create}; \
                 RELEASE SAVEPOINT {ROUTINE_SAVEPOINT}"
            );
            if client.batch_execute(&create).await.is_ok() {
                break;
            }
            undo(client, ROUTINE_SAVEPOINT).await?;
        }
    }
    Ok(())
}

/// Creates the new routines among `todo` under their real names, as declared, so that a
/// routine whose signature or defaults name another new one resolves it when checked in
/// the scratch schema. Their order is unknown: what fails is tried again while another
/// succeeds. Runs inside the routines' savepoint, which is rolled back.
async fn under_real_names(
    client: &impl GenericClient,
    desired: &Catalog,
    live: &Catalog,
    todo: &[FunctionId],
) -> Result<(), CanonError> {
    let mut pending: Vec<&Function> = todo
        .iter()
        .filter(|id| !live.functions.contains_key(*id))
        .filter_map(|id| desired.functions.get(id))
        .collect();
    let schemas: std::collections::BTreeSet<&str> = pending
        .iter()
        .map(|f| f.id.schema.as_str())
        .filter(|s| !live.schemas.contains_key(*s))
        .collect();
    for schema in schemas {
        exec(
            client,
            &format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema)),
        )
        .await?;
    }
    while !pending.is_empty() {
        let mut failed = Vec::new();
        for f in &pending {
            let text = f.definition.as_ref().map_or("", |d| d.text.as_str());
            exec(
                client,
                &format!(
                    "{}; SELECT pg_catalog.set_config('check_function_bodies', 'off', true)",
                    set_search_path(&f.id.schema)
                ),
            )
            .await?;
            let create = format!(
                "SAVEPOINT {ROUTINE_SAVEPOINT}; {}; RELEASE SAVEPOINT {ROUTINE_SAVEPOINT}",
                text.trim_end()
            );
            if client.batch_execute(&create).await.is_err() {
                undo(client, ROUTINE_SAVEPOINT).await?;
                failed.push(*f);
            }
        }
        // No progress: the scratch pass reports the server's reason for each.
        if failed.len() == pending.len() {
            break;
        }
        pending = failed;
    }
    Ok(())
}

/// Creates the declared routines that do not exist yet under their real names (their
/// canonical statements), for the scratch tables whose expressions call them.
pub(super) async fn create_missing(
    client: &impl GenericClient,
    desired: &Catalog,
    live: &Catalog,
) -> Result<(), CanonError> {
    let missing: Vec<&str> = desired
        .functions
        .iter()
        .filter(|(id, _)| !live.functions.contains_key(id))
        .filter_map(|(_, f)| Some(f.definition.as_ref()?.text.trim_end()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    exec(
        client,
        "SELECT pg_catalog.set_config('search_path', '', true), \
                pg_catalog.set_config('check_function_bodies', 'off', true)",
    )
    .await?;
    for text in missing {
        // One that cannot exist before the tables (a table's row type in its signature)
        // is left out: no table expression can call it then.
        let create =
            format!("SAVEPOINT {ROUTINE_SAVEPOINT}; {text}; RELEASE SAVEPOINT {ROUTINE_SAVEPOINT}");
        if client.batch_execute(&create).await.is_err() {
            undo(client, ROUTINE_SAVEPOINT).await?;
        }
    }
    Ok(())
}

fn what(f: &Function) -> &'static str {
    if f.is_procedure {
        "procedure"
    } else {
        "function"
    }
}

type Created = (FunctionId, bool, RoutineDefinition);

/// Creates one routine in the scratch schema and reads it back; the inner error is the
/// server's rejection of the statement.
async fn create_and_read(
    client: &impl GenericClient,
    f: &Function,
    scratch: &str,
) -> Result<Result<Created, String>, CanonError> {
    let text = f.definition.as_ref().map_or("", |d| d.text.as_str());
    let Some((_, schema)) = routine_sql::name_ranges(text) else {
        return Ok(Err(
            "the routine's name cannot be found in the statement".into()
        ));
    };
    let sql = format!(
        "{}{}{}",
        &text[..schema.start],
        quote_ident(scratch),
        &text[schema.end..]
    );
    exec(
        client,
        &format!(
            "SAVEPOINT {ROUTINE_SAVEPOINT}; {}; \
             SELECT pg_catalog.set_config('check_function_bodies', 'off', true)",
            set_search_path(&f.id.schema)
        ),
    )
    .await?;
    let created = match client.batch_execute(&sql).await {
        Ok(()) => {
            exec(
                client,
                "SELECT pg_catalog.set_config('search_path', '', true)",
            )
            .await?;
            let rows = client
                .query_typed(
                    READ_BACK,
                    &[(&scratch, Type::TEXT), (&f.id.schema.as_str(), Type::TEXT)],
                )
                .await
                .map_err(|e| db_error(&e))?;
            match rows.as_slice() {
                [row] => Ok(read_row(row, scratch, &f.id.schema)?),
                _ => Err("the statement did not create one routine".to_string()),
            }
        }
        Err(e) => match e.as_db_error() {
            Some(_) if crate::db_error::is_lock_timeout(&e) => return Err(db_error(&e)),
            Some(db) => Err(lowercase_first(db.message())),
            None => return Err(db_error(&e)),
        },
    };
    undo(client, ROUTINE_SAVEPOINT).await?;
    Ok(created)
}

fn read_row(row: &tokio_postgres::Row, scratch: &str, schema: &str) -> Result<Created, CanonError> {
    let get = |e: tokio_postgres::Error| db_error(&e);
    let name: String = row.try_get(0).map_err(get)?;
    let arguments: String = row.try_get(1).map_err(get)?;
    let is_procedure: bool = row.try_get(2).map_err(get)?;
    let text: String = row.try_get(3).map_err(get)?;
    let quoted_scratch: String = row.try_get(8).map_err(get)?;
    let quoted_real: String = row.try_get(9).map_err(get)?;
    let keyword = if is_procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let head = format!("CREATE OR REPLACE {keyword} {quoted_scratch}.");
    let Some(rest) = text.strip_prefix(&head) else {
        return Err(CanonError::Database(format!(
            "unexpected definition of a declared routine read back from {scratch}"
        )));
    };
    Ok((
        FunctionId {
            schema: schema.to_string(),
            name,
            arguments,
        },
        is_procedure,
        RoutineDefinition {
            text: format!("CREATE OR REPLACE {keyword} {quoted_real}.{rest}"),
            arguments: row.try_get(4).map_err(get)?,
            result: row.try_get(5).map_err(get)?,
            language: row.try_get(6).map_err(get)?,
            security_definer: row.try_get(7).map_err(get)?,
        },
    ))
}

/// Names resolve in the object's schema, then `public`, while it is created.
fn set_search_path(schema: &str) -> String {
    let path = if schema == "public" {
        quote_ident("public")
    } else {
        format!("{}, public", quote_ident(schema))
    };
    format!(
        "SELECT pg_catalog.set_config('search_path', {}, true)",
        quote_literal(&path)
    )
}

/// Rolls back to `savepoint` and releases it: what was created since is gone.
async fn undo(client: &impl GenericClient, savepoint: &str) -> Result<(), CanonError> {
    exec(
        client,
        &format!("ROLLBACK TO SAVEPOINT {savepoint}; RELEASE SAVEPOINT {savepoint}"),
    )
    .await
}

async fn exec(client: &impl GenericClient, sql: &str) -> Result<(), CanonError> {
    client.batch_execute(sql).await.map_err(|e| db_error(&e))
}
