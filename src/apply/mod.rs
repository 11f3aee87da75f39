//! The only module that writes. Under a session advisory lock, in one transaction:
//! read the live catalog, plan (or, for a saved plan, prove it still fits: same target,
//! same fingerprint, same desired state), refuse what is not approved, run the checks
//! declared to run before, run every step, run the checks declared to run after, read
//! the catalog again and diff: anything left to do rolls everything back. Only then
//! commit. A transaction that fails on a lock timeout, or loses to a concurrent change
//! of the same catalog rows (`conflict`: roles are cluster-wide, the lock is not), is
//! retried whole, with backoff.

mod conflict;
mod error;
pub mod locks;
mod outcome;

pub use error::{AUDIT_TABLE_HELP, ApplyError, Cleanup};
pub use outcome::{CommitOutcome, CommitUnknown, resolve as resolve_commit};

use crate::approval::Policy;
// Re-exported: `apply::db_message` was its home before `db_error`.
use crate::checks::{self, Check, Phase};
pub use crate::db_error::db_message;
use crate::diff::{DiffOptions, password};
use crate::model::{Catalog, Password, PasswordSource, QualifiedName};
use crate::pipeline;
use crate::plan::{Exec, Plan, Step};
use crate::report::{self, ApprovalRecord, RunReport, StepStatus};
use crate::saved::fingerprint::{self, Detail, FingerprintScope};
use crate::saved::{self, SavedPlan, Stale};
use crate::{canon, introspect};
use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, Instant};
use tokio_postgres::{Client, GenericClient, IsolationLevel};

/// Key of the session advisory lock every pgrecon apply takes ("pgrecon" in ASCII), so
/// two applies on one database never interleave.
pub const ADVISORY_LOCK_KEY: i64 = 0x7067_7265_636f_6e00;

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Ignored for a saved plan, which carries its own.
    pub diff: DiffOptions,
    /// Approve every destructive hazard kind (`--allow-destructive`).
    pub allow_destructive: bool,
    /// Which hazard kinds need approval and which are approved (see `approval`).
    pub approvals: Policy,
    /// Refuse any plan that drops, revokes or deletes (`--additive-only`).
    pub additive_only: bool,
    /// `lock_timeout` for the steps: a DDL waiting longer than this fails the apply
    /// instead of queueing every other session behind it.
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
    /// `statement_timeout` for steps that may run long (a table rewrite, an index build,
    /// a validation scan: `HazardKind::is_slow`); `None`: the run's `statement_timeout`.
    pub slow_statement_timeout: Option<Duration>,
    /// How long to wait for another pgrecon apply to finish.
    pub lock_wait: Duration,
    /// How many times a transaction that failed on a lock timeout (SQLSTATE 55P03) or
    /// lost to a concurrent change (`ApplyError::Conflict`) is retried; 0: never.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub retry_backoff: Duration,
    /// Apply even if the planned state breaks a declared confinement.
    pub allow_violation: bool,
    /// Insert the run record into this table (`record jsonb` column) in the transaction.
    pub audit_table: Option<QualifiedName>,
}

impl ApplyOptions {
    /// The approvals apply decides with: the flags and approvals file, plus every
    /// destructive kind when `--allow-destructive` was given.
    pub fn policy(&self) -> Policy {
        let mut policy = self.approvals.clone();
        if self.allow_destructive {
            policy.approve_destructive("--allow-destructive");
        }
        policy
    }
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            diff: DiffOptions::default(),
            allow_destructive: false,
            approvals: Policy::default(),
            additive_only: false,
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(300),
            slow_statement_timeout: None,
            lock_wait: Duration::from_secs(60),
            retries: 2,
            retry_backoff: Duration::from_millis(500),
            allow_violation: false,
            audit_table: None,
        }
    }
}

/// What to apply: the desired state, its checks, and optionally the saved plan to run.
#[derive(Debug, Clone, Copy)]
pub struct ApplyInput<'a> {
    /// With secrets resolved (`config::resolve_secrets`).
    pub desired: &'a Catalog,
    pub checks: &'a [Check],
    /// Run exactly these steps, after proving they still fit.
    pub saved: Option<&'a SavedPlan>,
}

impl<'a> ApplyInput<'a> {
    pub fn new(desired: &'a Catalog) -> Self {
        ApplyInput {
            desired,
            checks: &[],
            saved: None,
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

fn duration_sql(d: Duration) -> String {
    format!("'{}ms'", d.as_millis())
}

/// Observes an apply while it runs: the CLI prints the plan and progress; a step's
/// observer may also abort the run (the transaction then rolls back), which is how the
/// tests prove that a failure in the middle leaves nothing behind.
pub trait ApplyHooks: Send {
    /// The plan computed (or loaded) under the lock, before anything runs. Called again
    /// when a transaction is retried.
    fn on_plan(&mut self, _plan: &Plan) {}
    /// Before each step runs: in the transaction, or after the commit for a step that
    /// cannot run in one.
    fn before_step(&mut self, _step: &Step) {}
    /// After each step ran (not yet committed). An error aborts the apply.
    fn after_step(&mut self, _step: &Step) -> Result<(), String> {
        Ok(())
    }
    /// After a step that runs after the commit succeeded (nothing can be undone then).
    fn after_step_outside(&mut self, _step: &Step) {}
    /// A transaction failed on a lock timeout or lost to a concurrent change and will be
    /// retried after `delay`; `attempt` is the attempt that failed (1-based).
    fn on_retry(&mut self, _attempt: u32, _delay: Duration, _error: &ApplyError) {}
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
    let mut report = RunReport::start("apply");
    run(
        client,
        &ApplyInput::new(desired),
        options,
        hooks,
        &mut report,
    )
    .await
}

/// Applies `input` on `client`, recording what happens in `report` (who, where, the
/// plan, each step, each check, the fingerprints, the validation matrix). The caller
/// sets the result and writes the report.
pub async fn run(
    client: &mut Client,
    input: &ApplyInput<'_>,
    options: &ApplyOptions,
    hooks: &mut dyn ApplyHooks,
    report: &mut RunReport,
) -> Result<ApplyOutcome, ApplyError> {
    lock(client, options.lock_wait).await?;
    let result = run_locked(client, input, options, hooks, report).await;
    unlock(client).await;
    result
}

/// [`run`] for a caller that holds the advisory lock ([`lock`]) itself, to do more
/// under it (the CLI's re-plan after the apply), and releases it with [`unlock`].
pub async fn run_locked(
    client: &mut Client,
    input: &ApplyInput<'_>,
    options: &ApplyOptions,
    hooks: &mut dyn ApplyHooks,
    report: &mut RunReport,
) -> Result<ApplyOutcome, ApplyError> {
    let started = Instant::now();
    let mut attempt = 1;
    loop {
        report.attempts = attempt;
        let result = attempt_once(client, input, options, hooks, report, started).await;
        match result {
            Err(e) if (e.is_lock_timeout() || e.is_conflict()) && attempt <= options.retries => {
                let delay = options
                    .retry_backoff
                    .saturating_mul(2u32.saturating_pow(attempt - 1));
                // The failed transaction's ROLLBACK is queued: wait for it, so that
                // nothing the hook does (it prints) happens while it is still open.
                let _ = client.batch_execute("SELECT 1").await;
                hooks.on_retry(attempt, delay, &e);
                report.retried.push(format!("attempt {attempt}: {e}"));
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => break other,
        }
    }
}

/// Releases the advisory lock of [`lock`]. The lock is session-level; if the session
/// died it is already gone.
pub async fn unlock(client: &Client) {
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
        .await;
}

/// Takes the session advisory lock every apply holds, waiting at most `wait` for
/// another pgrecon apply on the same database.
pub async fn lock(client: &Client, wait: Duration) -> Result<(), ApplyError> {
    client
        .batch_execute(&format!("SET lock_timeout = {}", duration_sql(wait)))
        .await?;
    let locked = client
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await;
    client.batch_execute("RESET lock_timeout").await?;
    match locked {
        Ok(_) => Ok(()),
        Err(e) if crate::db_error::is_lock_timeout(&e) => Err(ApplyError::Locked(wait)),
        Err(e) => Err(e.into()),
    }
}

/// One attempt: one transaction, committed only if everything holds.
async fn attempt_once(
    client: &mut Client,
    input: &ApplyInput<'_>,
    options: &ApplyOptions,
    hooks: &mut dyn ApplyHooks,
    report: &mut RunReport,
    started: Instant,
) -> Result<ApplyOutcome, ApplyError> {
    let diff_options = match input.saved {
        Some(s) => DiffOptions {
            prune: s.options.prune,
        },
        None => options.diff.clone(),
    };
    let mut txn = client
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

    let live = introspect::read_catalog(&txn).await?;
    // Canonical forms come from the server, in a savepoint that is rolled back; objects
    // whose text already equals the live one are not created again.
    let desired = {
        let scratch = txn.savepoint("pgrecon_canon").await?;
        let canonical = canon::canonicalize_with_live(&scratch, input.desired, &live).await;
        scratch.rollback().await?;
        canonical?
    };
    let desired = &desired;
    report.set_live(&live);
    report.desired_state_hash = Some(fingerprint::desired_hash(desired, input.checks));
    let scope = match input.saved {
        Some(s) => s.live_fingerprint.scope.clone(),
        None => FingerprintScope::of(desired),
    };
    let before = fingerprint::live(&live, &scope, Detail::PerObject);
    report.set_fingerprints(&before, None);

    if let Some(saved) = input.saved {
        saved::check(saved, &live, &before, desired, input.checks).map_err(ApplyError::Stale)?;
        // The secrets of the saved password steps, before anything else needs them.
        for step in &saved.steps {
            if let saved::SavedExec::SetPassword { role, source } = &step.exec {
                secret_for(desired, role, source)?;
            }
        }
    }
    let computed = pipeline::replan(desired, &live, &diff_options)?;
    let plan = match input.saved {
        Some(saved) => {
            let differences = saved::step_differences(&saved.steps, &computed);
            if !differences.is_empty() {
                return Err(ApplyError::Stale(Stale::StepsDiffer(differences)));
            }
            saved.to_plan()
        }
        None => computed,
    };
    report.set_plan(&plan);
    hooks.on_plan(&plan);
    let impossible = pipeline::impossible(&plan);
    if !impossible.is_empty() {
        txn.rollback().await?;
        return Err(ApplyError::Impossible(impossible));
    }
    if plan.is_empty() {
        report.validation = Some(report::validation("live", desired, &live, &plan.notes, 0));
        txn.rollback().await?;
        return Ok(ApplyOutcome::NoChanges(plan));
    }
    if !options.allow_violation {
        let verdict = pipeline::planned_confinement(desired, &live);
        if !verdict.ok {
            txn.rollback().await?;
            return Err(ApplyError::Violation(
                verdict.violations().map(|(_, v)| v.path.clone()).collect(),
            ));
        }
    }
    let policy = options.policy();
    let refused = policy.unapproved(&plan);
    if !refused.is_empty() {
        txn.rollback().await?;
        let destructive = refused
            .iter()
            .all(|s| s.kinds.iter().all(|k| k.is_destructive()));
        return Err(if destructive {
            ApplyError::Destructive(refused)
        } else {
            ApplyError::Unapproved(refused)
        });
    }
    report.approvals = policy
        .used(&plan)
        .into_iter()
        .map(|(k, by)| ApprovalRecord {
            hazard: k.to_string(),
            approved_by: by,
        })
        .collect();
    if options.additive_only {
        let subtractive: Vec<String> = plan
            .steps
            .iter()
            .filter(|s| s.is_subtractive())
            .map(|s| s.summary.clone())
            .collect();
        if !subtractive.is_empty() {
            txn.rollback().await?;
            return Err(ApplyError::NotAdditive(subtractive));
        }
    }
    if let Some(table) = &options.audit_table {
        check_audit_table(&txn, table).await?;
    }
    let needed = locks::estimate(&plan);
    let table = locks::read(&txn).await?;
    if i64::try_from(needed).unwrap_or(i64::MAX) > table.capacity() - table.in_use {
        txn.rollback().await?;
        return Err(ApplyError::LockBudget { needed, table });
    }

    report.checks.clear();
    checks::run(&txn, input.checks, Phase::Before, &mut report.checks)
        .await
        .map_err(ApplyError::Check)?;

    let mut timings = Vec::with_capacity(plan.steps.len());
    for step in plan.steps.iter().filter(|s| s.transactional) {
        hooks.before_step(step);
        let t = Instant::now();
        let slow = slow_timeout(options, step);
        if let Some(d) = slow {
            txn.batch_execute(&format!(
                "SET LOCAL statement_timeout = {}",
                duration_sql(d)
            ))
            .await?;
        }
        let ran = run_step(&txn, desired, step).await;
        if let Err(e) = ran {
            report.step_ran(step.number, StepStatus::Failed, t.elapsed());
            return Err(e);
        }
        if slow.is_some() {
            txn.batch_execute(&format!(
                "SET LOCAL statement_timeout = {}",
                duration_sql(options.statement_timeout)
            ))
            .await?;
        }
        if let Err(message) = hooks.after_step(step) {
            txn.rollback().await?;
            return Err(ApplyError::Aborted {
                number: step.number,
                message,
            });
        }
        report.step_ran(step.number, StepStatus::Ran, t.elapsed());
        timings.push(StepTiming {
            number: step.number,
            duration: t.elapsed(),
        });
    }

    checks::run(&txn, input.checks, Phase::After, &mut report.checks)
        .await
        .map_err(ApplyError::Check)?;

    // Verify inside the same transaction: the plan must have left nothing to do but
    // the steps that run after it.
    let after = introspect::read_catalog(&txn).await?;
    let left = pipeline::replan(desired, &after, &diff_options)?;
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
    let planned = fingerprint::live(&after, &scope, Detail::PerObject);
    report.set_fingerprints(&before, Some(&planned));
    report.validation = Some(report::validation(
        "live after apply, in the transaction",
        desired,
        &after,
        &left.notes,
        left.steps.len(),
    ));
    if let Some(table) = &options.audit_table {
        let mut record = report.clone();
        record.finish(
            report::Status::Ok,
            (!deferred.is_empty()).then(|| {
                format!(
                    "recorded at commit; {} step{} run after the commit",
                    deferred.len(),
                    if deferred.len() == 1 { "" } else { "s" }
                )
            }),
            started,
        );
        insert_audit_record(&txn, table, &record).await?;
    }
    if let Err(e) = txn.commit().await {
        return Err(outcome::commit_failed(
            e,
            before,
            planned,
            scope,
            deferred.len(),
        ));
    }

    for step in deferred {
        hooks.before_step(step);
        let t = Instant::now();
        let ran = run_step_outside(client, options, step).await;
        if let Err(e) = ran {
            report.step_ran(step.number, StepStatus::Failed, t.elapsed());
            return Err(e);
        }
        hooks.after_step_outside(step);
        report.step_ran(step.number, StepStatus::RanAfterCommit, t.elapsed());
        timings.push(StepTiming {
            number: step.number,
            duration: t.elapsed(),
        });
    }
    if plan.steps.iter().any(|s| !s.transactional) {
        // A failure here is after the commit: never "nothing was changed".
        let live = introspect::snapshot(client)
            .await
            .map_err(|e| ApplyError::DeferredUnverified(e.to_string()))?;
        let left = pipeline::replan(desired, &live, &diff_options)?;
        report.set_fingerprints(
            &before,
            Some(&fingerprint::live(&live, &scope, Detail::PerObject)),
        );
        report.validation = Some(report::validation(
            "live after apply",
            desired,
            &live,
            &left.notes,
            left.steps.len(),
        ));
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

/// The per-step `statement_timeout` of a step that may run long, if one is configured.
fn slow_timeout(options: &ApplyOptions, step: &Step) -> Option<Duration> {
    let d = options.slow_statement_timeout?;
    step.hazards.iter().any(|h| h.kind.is_slow()).then_some(d)
}

/// The secret of a desired password, which must come from the same source as the one
/// the plan names.
fn secret_for<'a>(
    desired: &'a Catalog,
    role: &str,
    source: &PasswordSource,
) -> Result<&'a SecretString, ApplyError> {
    match desired.roles.get(role).map(|r| &r.password) {
        Some(Password::Desired {
            source: s,
            secret: Some(secret),
        }) if s == source => Ok(secret),
        _ => Err(ApplyError::MissingSecret(role.to_string())),
    }
}

async fn run_step(
    txn: &tokio_postgres::Transaction<'_>,
    desired: &Catalog,
    step: &Step,
) -> Result<(), ApplyError> {
    let fail = |e: tokio_postgres::Error| {
        if conflict::lost_to_concurrent_change(step, &e) {
            return ApplyError::Conflict {
                number: step.number,
                summary: step.summary.clone(),
                sqlstate: e.code().map(|c| c.code().to_string()).unwrap_or_default(),
            };
        }
        ApplyError::Step {
            number: step.number,
            summary: step.summary.clone(),
            message: db_message(&e),
            sqlstate: e.code().map(|c| c.code().to_string()),
        }
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
        Exec::SetPassword { role, source } => {
            let secret = secret_for(desired, role, source)?;
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
async fn run_step_outside(
    client: &Client,
    options: &ApplyOptions,
    step: &Step,
) -> Result<(), ApplyError> {
    let (statements, cleanup) = match &step.exec {
        Exec::NonTransactional {
            statements,
            cleanup,
        } => (statements, cleanup),
        Exec::Sql(statements) => (statements, &Vec::new()),
        Exec::SetPassword { role, .. } => return Err(ApplyError::MissingSecret(role.clone())),
    };
    let timeout = slow_timeout(options, step).unwrap_or(options.statement_timeout);
    // After the commit: a failure is the step's, never "nothing was changed".
    let set = format!("SET statement_timeout = {}", duration_sql(timeout));
    if let Err(e) = client.batch_execute(&set).await {
        return Err(ApplyError::DeferredStep {
            number: step.number,
            summary: step.summary.clone(),
            message: db_message(&e),
            cleanup: Cleanup::Nothing,
        });
    }
    let mut result = Ok(());
    for s in statements {
        if let Err(e) = client.batch_execute(s).await {
            let mut outcome = if cleanup.is_empty() {
                Cleanup::Nothing
            } else {
                Cleanup::Done
            };
            for c in cleanup {
                if let Err(ce) = client.batch_execute(c).await {
                    outcome = Cleanup::Failed(db_message(&ce));
                    break;
                }
            }
            result = Err(ApplyError::DeferredStep {
                number: step.number,
                summary: step.summary.clone(),
                message: db_message(&e),
                cleanup: outcome,
            });
            break;
        }
    }
    let _ = client.batch_execute("RESET statement_timeout").await;
    result
}

fn audit_table_sql(table: &QualifiedName) -> String {
    crate::sql::qualified(&table.schema, &table.name)
}

/// The audit table must exist and have a `record` column of type `jsonb`.
async fn check_audit_table(
    txn: &impl GenericClient,
    table: &QualifiedName,
) -> Result<(), ApplyError> {
    let name = audit_table_sql(table);
    let row = txn
        .query_one(
            "SELECT pg_catalog.to_regclass($1) IS NOT NULL,
                    EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                             WHERE a.attrelid = pg_catalog.to_regclass($1)
                               AND a.attname = 'record' AND NOT a.attisdropped
                               AND a.atttypid = 'pg_catalog.jsonb'::pg_catalog.regtype)",
            &[&name],
        )
        .await?;
    let (exists, has_record): (bool, bool) = (row.get(0), row.get(1));
    let problem = if !exists {
        Some("it does not exist")
    } else if !has_record {
        Some("it has no `record jsonb` column")
    } else {
        None
    };
    match problem {
        Some(p) => Err(ApplyError::AuditTable {
            table: name,
            message: p.to_string(),
        }),
        None => Ok(()),
    }
}

async fn insert_audit_record(
    txn: &impl GenericClient,
    table: &QualifiedName,
    record: &RunReport,
) -> Result<(), ApplyError> {
    let name = audit_table_sql(table);
    let json = serde_json::to_string(record).expect("a report serializes");
    txn.execute(
        &format!("INSERT INTO {name} (record) VALUES ($1::text::jsonb)"),
        &[&json],
    )
    .await
    .map_err(|e| ApplyError::AuditTable {
        table: name.clone(),
        message: format!("the insert failed: {}", db_message(&e)),
    })?;
    Ok(())
}
