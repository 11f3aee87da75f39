//! The only module that writes. Under a session advisory lock, in one transaction:
//! read the live catalog, plan, refuse what is not approved, run every step, read the
//! catalog again and diff: anything left to do rolls everything back. Only then commit.

use crate::diff::{self, DiffOptions, password};
use crate::model::{Catalog, Password};
use crate::plan::{self, Exec, Plan, Step};
use crate::{canon, introspect, verify};
use secrecy::ExposeSecret;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, IsolationLevel};

/// Key of the session advisory lock every pgrecon apply takes ("pgrecon" in ASCII), so
/// two applies on one database never interleave.
pub const ADVISORY_LOCK_KEY: i64 = 0x7067_7265_636f_6e00;

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub diff: DiffOptions,
    pub allow_destructive: bool,
    /// `lock_timeout` for the steps: a DDL waiting longer than this fails the apply
    /// instead of queueing every other session behind it.
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
    /// How long to wait for another pgrecon apply to finish.
    pub lock_wait: Duration,
    /// Apply even if the planned state breaks a declared confinement.
    pub allow_violation: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            diff: DiffOptions::default(),
            allow_destructive: false,
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(300),
            lock_wait: Duration::from_secs(60),
            allow_violation: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StepTiming {
    pub number: usize,
    pub duration: Duration,
}

#[derive(Debug)]
pub enum ApplyOutcome {
    NoChanges(Plan),
    Applied {
        plan: Plan,
        timings: Vec<StepTiming>,
        duration: Duration,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Introspect(#[from] introspect::IntrospectError),
    #[error(transparent)]
    Canon(#[from] canon::CanonError),
    #[error(transparent)]
    Diff(#[from] diff::DiffError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(
        "refusing to apply {} destructive step{}: {}\n  help: review them, then re-run with --allow-destructive",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.join("; ")
    )]
    Destructive(Vec<String>),
    #[error(
        "refusing to apply: the planned state breaks a declared confinement: {}\n  help: fix the desired state, or re-run with --allow-violation",
        .0.join("; ")
    )]
    Violation(Vec<String>),
    #[error(
        "the desired state asks for changes that cannot be made in place: {}\n  help: change the desired state (or migrate by hand) and re-run",
        .0.join("; ")
    )]
    Impossible(Vec<String>),
    #[error("another pgrecon apply holds the lock on this database; gave up after {0:?}")]
    Locked(Duration),
    #[error("step {number} ({summary}) failed: {message}; nothing was changed")]
    Step {
        number: usize,
        summary: String,
        message: String,
    },
    #[error(
        "the database did not converge: after running the plan {} change{} remained ({}); rolled back, nothing was changed",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.join("; ")
    )]
    NotConverged(Vec<String>),
    #[error("apply aborted after step {number}: {message}; rolled back, nothing was changed")]
    Aborted { number: usize, message: String },
    #[error(
        "the transaction committed, but after the steps that run outside it {} change{} remained ({}); re-run apply",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.join("; ")
    )]
    DeferredNotConverged(Vec<String>),
    #[error(
        "step {number} ({summary}) failed outside the transaction: {message}; the transaction's steps are committed, this one was cleaned up; re-run apply"
    )]
    DeferredStep {
        number: usize,
        summary: String,
        message: String,
    },
    #[error("password of role `{0}` is not available; it cannot be set")]
    MissingSecret(String),
    #[error("database error during apply: {}; nothing was changed", db_message(.0))]
    Database(#[from] tokio_postgres::Error),
}

/// The server's message and SQLSTATE, never the statement text (it may hold a verifier).
pub fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn duration_sql(d: Duration) -> String {
    format!("'{}ms'", d.as_millis())
}

/// Observes an apply while it runs: the CLI prints the plan and progress; a step's
/// observer may also abort the run (the transaction then rolls back), which is how the
/// tests prove that a failure in the middle leaves nothing behind.
pub trait ApplyHooks: Send {
    /// The plan computed under the lock, before anything runs.
    fn on_plan(&mut self, _plan: &Plan) {}
    /// After each step ran (not yet committed). An error aborts the apply.
    fn after_step(&mut self, _step: &Step) -> Result<(), String> {
        Ok(())
    }
}

/// Hooks that do nothing.
pub struct NoHooks;
impl ApplyHooks for NoHooks {}

/// Plans and applies `desired` on `client`.
pub async fn apply(
    client: &mut Client,
    desired: &Catalog,
    options: &ApplyOptions,
    hooks: &mut dyn ApplyHooks,
) -> Result<ApplyOutcome, ApplyError> {
    lock(client, options.lock_wait).await?;
    let result = apply_locked(client, desired, options, hooks).await;
    // The lock is session-level; if the session died it is already gone.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
        .await;
    result
}

async fn lock(client: &Client, wait: Duration) -> Result<(), ApplyError> {
    client
        .batch_execute(&format!("SET lock_timeout = {}", duration_sql(wait)))
        .await?;
    let locked = client
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await;
    client.batch_execute("RESET lock_timeout").await?;
    match locked {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
            Err(ApplyError::Locked(wait))
        }
        Err(e) => Err(e.into()),
    }
}

async fn apply_locked(
    client: &mut Client,
    desired: &Catalog,
    options: &ApplyOptions,
    hooks: &mut dyn ApplyHooks,
) -> Result<ApplyOutcome, ApplyError> {
    let started = Instant::now();
    let txn = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .start()
        .await?;
    txn.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}",
        duration_sql(options.lock_timeout),
        duration_sql(options.statement_timeout)
    ))
    .await?;

    // Canonical forms come from the server, in a savepoint that is rolled back.
    let mut txn = txn;
    let desired = {
        let scratch = txn.savepoint("pgrecon_canon").await?;
        let canonical = canon::canonicalize(&scratch, desired).await;
        scratch.rollback().await?;
        canonical?
    };
    let desired = &desired;
    let live = introspect::read_catalog(&txn).await?;
    let plan = plan::build(&diff::diff(desired, &live, &options.diff)?)?;
    hooks.on_plan(&plan);
    let impossible: Vec<String> = plan
        .notes
        .iter()
        .filter(|n| n.kind == diff::NoteKind::Error)
        .map(|n| format!("{}: {}", n.object, n.message))
        .collect();
    if !impossible.is_empty() {
        txn.rollback().await?;
        return Err(ApplyError::Impossible(impossible));
    }
    if plan.is_empty() {
        txn.rollback().await?;
        return Ok(ApplyOutcome::NoChanges(plan));
    }
    if !options.allow_violation {
        let report = verify::verify(desired, &verify::project(desired, &live));
        if !report.ok {
            txn.rollback().await?;
            return Err(ApplyError::Violation(
                report.violations().map(|(_, v)| v.path.clone()).collect(),
            ));
        }
    }
    if !options.allow_destructive {
        let refused: Vec<String> = plan
            .destructive_steps()
            .map(|s| s.summary.clone())
            .collect();
        if !refused.is_empty() {
            txn.rollback().await?;
            return Err(ApplyError::Destructive(refused));
        }
    }

    let mut timings = Vec::with_capacity(plan.steps.len());
    for step in plan.steps.iter().filter(|s| s.transactional) {
        let t = Instant::now();
        run_step(&txn, desired, step).await?;
        if let Err(message) = hooks.after_step(step) {
            txn.rollback().await?;
            return Err(ApplyError::Aborted {
                number: step.number,
                message,
            });
        }
        timings.push(StepTiming {
            number: step.number,
            duration: t.elapsed(),
        });
    }

    // Verify inside the same transaction: the plan must have left nothing to do but
    // the steps that run after it.
    let after = introspect::read_catalog(&txn).await?;
    let left = plan::build(&diff::diff(desired, &after, &options.diff)?)?;
    let deferred: Vec<&Step> = plan.steps.iter().filter(|s| !s.transactional).collect();
    let remaining: Vec<String> = left
        .steps
        .iter()
        .filter(|s| !deferred.iter().any(|d| d.summary == s.summary))
        .map(|s| s.summary.clone())
        .collect();
    if !remaining.is_empty() {
        txn.rollback().await?;
        return Err(ApplyError::NotConverged(remaining));
    }
    txn.commit().await?;

    for step in deferred {
        let t = Instant::now();
        run_step_outside(client, step).await?;
        timings.push(StepTiming {
            number: step.number,
            duration: t.elapsed(),
        });
    }
    if plan.steps.iter().any(|s| !s.transactional) {
        let live = introspect::snapshot(client).await?;
        let left = plan::build(&diff::diff(desired, &live, &options.diff)?)?;
        if !left.is_empty() {
            let remaining = left.steps.iter().map(|s| s.summary.clone()).collect();
            return Err(ApplyError::DeferredNotConverged(remaining));
        }
    }
    Ok(ApplyOutcome::Applied {
        plan,
        timings,
        duration: started.elapsed(),
    })
}

async fn run_step(
    txn: &tokio_postgres::Transaction<'_>,
    desired: &Catalog,
    step: &Step,
) -> Result<(), ApplyError> {
    let fail = |e: tokio_postgres::Error| ApplyError::Step {
        number: step.number,
        summary: step.summary.clone(),
        message: db_message(&e),
    };
    match &step.exec {
        Exec::Sql(statements) => {
            for s in statements {
                txn.batch_execute(s).await.map_err(fail)?;
            }
        }
        Exec::NonTransactional { .. } => {
            unreachable!("non-transactional steps run after the transaction")
        }
        Exec::SetPassword { role } => {
            let secret = match desired.roles.get(role).map(|r| &r.password) {
                Some(Password::Desired {
                    secret: Some(s), ..
                }) => s,
                _ => return Err(ApplyError::MissingSecret(role.clone())),
            };
            let verifier = password::verifier_for(secret.expose_secret());
            let statement = format!(
                "ALTER ROLE {} PASSWORD {}",
                crate::sql::quote_ident(role),
                crate::sql::quote_literal(&verifier)
            );
            txn.batch_execute(&statement).await.map_err(fail)?;
        }
    }
    Ok(())
}

/// Runs a step that cannot run in a transaction; on failure runs its cleanup (for
/// example dropping the invalid index a failed CREATE INDEX CONCURRENTLY leaves).
async fn run_step_outside(client: &Client, step: &Step) -> Result<(), ApplyError> {
    let (statements, cleanup) = match &step.exec {
        Exec::NonTransactional {
            statements,
            cleanup,
        } => (statements, cleanup),
        Exec::Sql(statements) => (statements, &Vec::new()),
        Exec::SetPassword { role } => return Err(ApplyError::MissingSecret(role.clone())),
    };
    for s in statements {
        if let Err(e) = client.batch_execute(s).await {
            for c in cleanup {
                let _ = client.batch_execute(c).await;
            }
            return Err(ApplyError::DeferredStep {
                number: step.number,
                summary: step.summary.clone(),
                message: db_message(&e),
            });
        }
    }
    Ok(())
}
