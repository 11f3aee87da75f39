//! Preflight and postflight assertions declared in the desired state (`[[check]]`): a
//! query that must return one boolean (`expect = true`) or a number of rows (`rows = N`),
//! run by apply inside its transaction before and/or after the steps. A failing check
//! rolls the whole apply back.
//!
//! Each check runs in a savepoint that is rolled back afterwards, so a check can never
//! leave anything behind, even one that calls a function with side effects.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tokio_postgres::GenericClient;
use tokio_postgres::types::Type;

/// One declared check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Unique across the desired state; named in every message about the check.
    pub name: String,
    /// One `SELECT` (or `VALUES`, `WITH … SELECT`), syntax-checked offline.
    pub query: String,
    pub expect: Expectation,
    pub when: When,
}

/// What a check's query must return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// Exactly one row with one boolean column holding this value (`expect = true`).
    Expect(bool),
    /// Exactly this many rows (`rows = 0` for "no offending rows").
    Rows(u64),
}

impl std::fmt::Display for Expectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expectation::Expect(b) => write!(f, "expect = {b}"),
            Expectation::Rows(n) => write!(f, "rows = {n}"),
        }
    }
}

/// When a check runs, relative to the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Before,
    After,
    #[default]
    Both,
}

impl When {
    pub fn includes(self, phase: Phase) -> bool {
        matches!(
            (self, phase),
            (When::Both, _) | (When::Before, Phase::Before) | (When::After, Phase::After)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            When::Before => "before",
            When::After => "after",
            When::Both => "both",
        }
    }
}

/// Where in the apply a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// In the transaction, after the plan was confirmed and before the first step.
    Before,
    /// In the transaction, after the last transactional step, before the commit.
    After,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
        }
    }
}

/// The outcome of one check run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    pub name: String,
    pub phase: Phase,
    pub ok: bool,
    /// What the query returned, in words ("true", "3 rows").
    pub got: String,
    pub duration_ms: u64,
}

/// A check that did not hold, or whose query failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "check `{}` failed {} the steps: {}",
    crate::escape::text_line(name),
    if *.phase == Phase::Before { "before" } else { "after" },
    crate::escape::text_line(message)
)]
pub struct CheckFailure {
    pub name: String,
    pub phase: Phase,
    pub message: String,
    /// The server's SQLSTATE when the query itself failed (a lock timeout is retried).
    pub sqlstate: Option<String>,
}

const SAVEPOINT: &str = "pgrecon_check";

/// Runs every check that applies to `phase`, in declaration order, each in a savepoint
/// rolled back afterwards. Stops at the first failure. `runs` receives every check run,
/// including the failing one.
pub async fn run(
    client: &impl GenericClient,
    checks: &[Check],
    phase: Phase,
    runs: &mut Vec<CheckRun>,
) -> Result<(), CheckFailure> {
    for check in checks.iter().filter(|c| c.when.includes(phase)) {
        let started = Instant::now();
        let fail = |message: String| CheckFailure {
            name: check.name.clone(),
            phase,
            message,
            sqlstate: None,
        };
        let db = |e: tokio_postgres::Error| CheckFailure {
            sqlstate: e.code().map(|c| c.code().to_string()),
            ..fail(format!(
                "the query failed: {}",
                crate::db_error::db_message(&e)
            ))
        };
        client
            .batch_execute(&format!("SAVEPOINT {SAVEPOINT}"))
            .await
            .map_err(db)?;
        let result = client.query(check.query.as_str(), &[]).await;
        let restored = client
            .batch_execute(&format!(
                "ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"
            ))
            .await;
        let rows = result.map_err(db)?;
        restored.map_err(db)?;
        let (ok, got) = evaluate(check.expect, &rows);
        runs.push(CheckRun {
            name: check.name.clone(),
            phase,
            ok: ok.is_ok(),
            got: got.clone(),
            duration_ms: millis(started.elapsed()),
        });
        if let Err(why) = ok {
            return Err(fail(why));
        }
    }
    Ok(())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whether `rows` meet the expectation, and what they were in words.
fn evaluate(expect: Expectation, rows: &[tokio_postgres::Row]) -> (Result<(), String>, String) {
    let count = |n: usize| format!("{n} row{}", if n == 1 { "" } else { "s" });
    match expect {
        Expectation::Rows(n) => {
            let got = count(rows.len());
            if rows.len() as u64 == n {
                (Ok(()), got)
            } else {
                let why = format!("returned {got}, expected {}", count(n as usize));
                (Err(why), got)
            }
        }
        Expectation::Expect(want) => {
            let [row] = rows else {
                let got = count(rows.len());
                let why = format!("returned {got}, expected one row with one boolean");
                return (Err(why), got);
            };
            let columns = row.columns();
            if columns.len() != 1 || columns[0].type_() != &Type::BOOL {
                let types: Vec<String> = columns.iter().map(|c| c.type_().to_string()).collect();
                let got = format!("({})", types.join(", "));
                let why = format!("returned a row of {got}, expected one boolean column");
                return (Err(why), got);
            }
            match row.get::<_, Option<bool>>(0) {
                Some(b) if b == want => (Ok(()), b.to_string()),
                Some(b) => (Err(format!("returned {b}, expected {want}")), b.to_string()),
                None => (
                    Err(format!("returned NULL, expected {want}")),
                    "NULL".to_string(),
                ),
            }
        }
    }
}
