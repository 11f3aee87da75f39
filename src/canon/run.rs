//! Running the scratch DDL: one batch, and when it fails, each group again in its own
//! savepoint so that every object at fault is named.

use super::ddl::{self, Group};
use super::error::db_error;
use super::{CanonError, CanonProblem, DDL_SAVEPOINT, Declared, OBJECT_SAVEPOINT, SCRATCH_OBJECT};
use crate::sql::{quote_ident, quote_literal};
use std::collections::BTreeMap;
use tokio_postgres::GenericClient;

/// Runs the groups in one batch; when it fails, re-runs them one by one (each in a
/// savepoint) to name every object at fault.
pub(super) async fn run(
    client: &impl GenericClient,
    groups: &[Group],
    scratch: &BTreeMap<String, String>,
) -> Result<(), CanonError> {
    // The savepoint on its own: the server parses a batch whole before running any of
    // it, so a syntax error anywhere (text a newer parser accepted) would leave no
    // savepoint to roll back to.
    client
        .batch_execute(&format!("SAVEPOINT {DDL_SAVEPOINT}"))
        .await
        .map_err(|e| db_error(&e))?;
    let mut batch = String::new();
    let mut path: Option<&str> = None;
    for g in groups {
        if let Some(p) = g.search_path.as_deref()
            && path != Some(p)
        {
            batch.push_str(&search_path_sql(p));
            batch.push_str(";\n");
            path = Some(p);
        }
        for s in &g.stmts {
            batch.push_str(&s.sql);
            batch.push_str(";\n");
        }
    }
    batch.push_str(&format!("RELEASE SAVEPOINT {DDL_SAVEPOINT}"));
    let Err(first) = client.batch_execute(&batch).await else {
        return Ok(());
    };
    if first.as_db_error().is_none() {
        return Err(db_error(&first));
    }
    client
        .batch_execute(&format!("ROLLBACK TO SAVEPOINT {DDL_SAVEPOINT}"))
        .await
        .map_err(|e| db_error(&e))?;
    let mut problems: Vec<CanonProblem> = Vec::new();
    // Objects whose creation failed: their indexes and policies would fail for that
    // reason alone, an error that is not the declaration's.
    let mut not_created: Vec<&Declared> = Vec::new();
    for g in groups {
        // A trigger's table failing is not the trigger's fault either.
        let on_table = match &g.declared {
            Some(Declared::Trigger(t, _)) => Some(Declared::Relation(t.clone())),
            _ => None,
        };
        if g.declared
            .as_ref()
            .is_some_and(|d| not_created.contains(&d))
            || on_table.is_some_and(|d| not_created.contains(&&d))
        {
            continue;
        }
        client
            .batch_execute(&format!("SAVEPOINT {OBJECT_SAVEPOINT}"))
            .await
            .map_err(|e| db_error(&e))?;
        if let Some(p) = &g.search_path {
            client
                .batch_execute(&search_path_sql(p))
                .await
                .map_err(|e| db_error(&e))?;
        }
        let mut failed = false;
        for s in &g.stmts {
            if let Err(e) = client.batch_execute(&s.sql).await {
                let Some(db) = e.as_db_error() else {
                    return Err(db_error(&e));
                };
                if crate::db_error::is_lock_timeout(&e) {
                    // Waiting on a lock is not the declaration's fault: retried whole.
                    return Err(db_error(&e));
                }
                let clause = match db.position() {
                    Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                        s.label_at(*p as usize).map(str::to_string)
                    }
                    _ => None,
                }
                .or_else(|| match s.clauses.as_slice() {
                    [(_, _, only)] => Some(only.clone()),
                    _ => None,
                });
                let mut message = real_names(&ddl::lowercase_first(db.message()), scratch);
                // A trigger refused by its relation's kind says why only in the detail
                // ("Views cannot have row-level BEFORE or AFTER triggers.").
                if let (Some(Declared::Trigger(..)), Some(detail)) = (&g.declared, db.detail()) {
                    let detail = detail.trim_end_matches('.');
                    message = format!("{message}: {}", ddl::lowercase_first(detail));
                }
                if g.object == SCRATCH_OBJECT || g.object.starts_with("schema ") {
                    // Not the desired state's fault: the role cannot create schemas.
                    let _ = client
                        .batch_execute(&format!("ROLLBACK TO SAVEPOINT {OBJECT_SAVEPOINT}"))
                        .await;
                    return Err(CanonError::Database(format!(
                        "cannot create {} to check the desired state's types and \
                         expressions in: {message}; grant CREATE on the database to the \
                         role pgrecon runs as",
                        g.object
                    )));
                }
                if g.creates
                    && let Some(d) = &g.declared
                {
                    not_created.push(d);
                }
                problems.push(CanonProblem {
                    object: g.object.clone(),
                    declared: g.declared.clone(),
                    clause,
                    message,
                });
                failed = true;
                break;
            }
        }
        let end = if failed {
            format!(
                "ROLLBACK TO SAVEPOINT {OBJECT_SAVEPOINT}; RELEASE SAVEPOINT {OBJECT_SAVEPOINT}"
            )
        } else {
            format!("RELEASE SAVEPOINT {OBJECT_SAVEPOINT}")
        };
        client.batch_execute(&end).await.map_err(|e| db_error(&e))?;
    }
    if problems.is_empty() {
        // The batch failed but no object alone does: report the batch's own error.
        let message = first
            .as_db_error()
            .map(|d| real_names(&ddl::lowercase_first(d.message()), scratch))
            .unwrap_or_default();
        problems.push(CanonProblem {
            object: "the desired state".into(),
            declared: None,
            clause: None,
            message,
        });
    }
    Err(CanonError::Rejected(problems))
}

/// A server message with every scratch schema named as the real schema it stands for:
/// the scratch copies are an internal detail.
fn real_names(message: &str, scratch: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(&String, &String)> = scratch.iter().map(|(r, s)| (s, r)).collect();
    // `pgrecon_canon_10` before `pgrecon_canon_1`.
    pairs.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    let mut out = message.to_string();
    for (scratch, real) in pairs {
        out = out.replace(scratch.as_str(), &quote_ident(real));
    }
    out
}

fn search_path_sql(schema: &str) -> String {
    let path = if schema == "public" {
        "public".to_string()
    } else {
        format!("{}, public", quote_ident(schema))
    };
    format!(
        "SELECT pg_catalog.set_config('search_path', {}, true)",
        quote_literal(&path)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_schemas_are_named_as_the_real_ones() {
        let scratch: BTreeMap<String, String> = [
            ("app".to_string(), "pgrecon_canon_1".to_string()),
            ("My App".to_string(), "pgrecon_canon_10".to_string()),
        ]
        .into();
        assert_eq!(
            real_names(
                "relation \"pgrecon_canon_1.orders\" and pgrecon_canon_10.t do not exist",
                &scratch
            ),
            "relation \"app.orders\" and \"My App\".t do not exist"
        );
    }
}
