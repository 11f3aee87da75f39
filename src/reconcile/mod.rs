//! `pgrecon reconcile`: the scheduled loop. Every `--interval` (± `--jitter`) it loads
//! the desired state from disk, reads the database, classifies the drift and, by
//! `--mode`, reports it (`warn`), applies what needs no approval (`enforce`, see
//! [`enforce`]) or only plans (`dry-run`). It sends alerts on state changes
//! ([`alerts`], [`webhook`]), exposes metrics and health ([`metrics`]) and writes one
//! record per run (a JSON line on stdout; a full run report with `--report-dir`).
//!
//! Invariants:
//! - **Runs never overlap.** One task runs them one after the other; the next starts
//!   `interval ± jitter` after the previous one started, or right after it ended if it
//!   took longer.
//! - **The last good desired state stays in force.** A desired state that does not load
//!   is reported (log, `desired_state_invalid` event, `pgrecon_desired_state_valid 0`,
//!   not ready) and the run goes on with the last one that loaded; nothing half-loaded is
//!   ever planned or applied.
//! - **Alerts once per transition** (see [`alerts`]), never on every tick.
//! - **Failures back off**: 5 s after the first failed run, doubling, capped at the
//!   interval; the connection is opened again after any failure.
//! - **Stopping is clean**: SIGTERM or SIGINT lets the current run finish (an apply in
//!   flight commits or rolls back as usual), then the loop exits 0 without starting
//!   another. A second signal exits at once (130); PostgreSQL rolls back whatever
//!   transaction was open.

pub mod alerts;
mod args;
pub mod enforce;
pub mod metrics;
pub mod schedule;
mod shutdown;
pub mod webhook;

use crate::apply::{self, ApplyInput, ApplyOptions, ApplyOutcome};
use crate::config::{self, Desired};
use crate::conn::{self, ConnectionSettings};
use crate::diff::DiffOptions;
use crate::drift::{self, Counts, DriftOptions, DriftReport};
use crate::embedded::{EmbeddedError, EmbeddedPostgres};
use crate::escape::json_text;
use crate::pipeline::{self, Access, EmbeddedNotice, TargetError};
use crate::report::{self, RunReport, Status};
use crate::saved::fingerprint;
use alerts::{AlertState, Event, EventKind, Observation, Stage};
pub use args::{Mode, ReconcileArgs};
use metrics::Metrics;
use serde::{Deserialize, Serialize};
use shutdown::Shutdown;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use webhook::{Notifier, WebhookError};

/// Version of the per-run record printed on stdout.
pub const RECORD_FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("cannot serve metrics on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Conn(#[from] conn::ConnError),
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    #[error("cannot install the signal handlers: {0}")]
    Signals(std::io::Error),
    #[error("cannot create the report directory {}: {source}", .dir.display())]
    ReportDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    /// Nothing to do.
    InSync,
    /// Drift found and left (warn, dry-run, or held back by enforce).
    Drift,
    /// enforce applied steps and nothing is left.
    Corrected,
    /// The run failed; see `error`.
    Error,
}

impl RunResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RunResult::InSync => "in_sync",
            RunResult::Drift => "drift",
            RunResult::Corrected => "corrected",
            RunResult::Error => "error",
        }
    }
}

/// The record of one run, printed as one JSON line on stdout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub format_version: u32,
    /// Always `pgrecon-reconcile-run`.
    pub kind: String,
    /// 1 for the first run of the process.
    pub run: u64,
    pub mode: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    pub result: RunResult,
    /// What `--once` exits with for this run: 0 in sync or corrected, 2 drift left,
    /// 3 a confinement is broken, 1 error.
    pub exit_code: u8,
    /// Whether the desired state on disk loaded; when not, the last good one was used
    /// (if there is one).
    pub desired_state_valid: bool,
    pub desired_state_error: Option<String>,
    pub database: Option<String>,
    /// The plan found at the start of the run.
    pub plan_id: Option<String>,
    /// Drift found at the start of the run.
    pub drift: Option<Counts>,
    /// Drift left at the end of the run.
    pub drift_after: Option<Counts>,
    /// enforce: steps applied and verified.
    pub steps_applied: usize,
    /// enforce: steps not applied because they are destructive.
    pub held_back: Vec<String>,
    /// Events sent (or, in dry-run, only logged).
    pub events: Vec<EventKind>,
    pub error: Option<String>,
    /// The full run report (`--report-dir`).
    pub report_file: Option<String>,
}

/// Runs the loop (or one run with `--once`) and returns the exit code.
pub async fn run(args: ReconcileArgs) -> Result<u8, ReconcileError> {
    schedule::check_interval(args.interval).map_err(ReconcileError::Usage)?;
    if let Some(dir) = &args.report_dir {
        std::fs::create_dir_all(dir).map_err(|source| ReconcileError::ReportDir {
            dir: dir.clone(),
            source,
        })?;
    }
    let metrics = Arc::new(Metrics::new());
    let notifier = Notifier::start(&args.webhooks, args.webhook_format, Arc::clone(&metrics))?;
    if let Some(addr) = args.metrics_addr {
        let local = metrics::serve(addr, Arc::clone(&metrics))
            .await
            .map_err(|source| ReconcileError::Listen { addr, source })?;
        tracing::info!(addr = %local, "serving /metrics, /healthz and /readyz");
    }
    let shutdown = Shutdown::install().map_err(ReconcileError::Signals)?;
    let access = Access::Change {
        verb: "reconcile",
        embedded: args.embedded,
    };
    let target = pipeline::target(args.database_url.as_deref(), access, &mut |notice| {
        if let EmbeddedNotice::Starting = notice {
            tracing::warn!(
                "no connection configured (--database-url, DATABASE_URL or PG* variables); \
                 reconciling an embedded throwaway PostgreSQL"
            );
        }
    })
    .await?;

    tracing::info!(
        mode = args.mode.as_str(),
        dir = %args.dir.display(),
        interval = %humantime::format_duration(args.interval),
        jitter = args.jitter,
        once = args.once,
        webhooks = args.webhooks.len(),
        "reconcile loop starting"
    );
    let alerts = match &args.state_file {
        Some(path) => load_state(path),
        None => AlertState::default(),
    };
    let mut r = Reconciler {
        args,
        settings: target.settings,
        _embedded: target.embedded,
        client: None,
        last_good: None,
        last_warnings: Vec::new(),
        alerts,
        metrics,
        notifier,
        runs: 0,
    };
    let code = loop {
        let started = Instant::now();
        let record = r.run_once().await;
        if r.args.once {
            break record.exit_code;
        }
        if shutdown.requested() {
            break 0;
        }
        let wait = if record.result == RunResult::Error {
            schedule::backoff(r.alerts.consecutive_failures(), r.args.interval)
        } else {
            schedule::jittered(r.args.interval, r.args.jitter, schedule::random_unit())
                .saturating_sub(started.elapsed())
        };
        tracing::debug!(
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "next run scheduled"
        );
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shutdown.wait() => break 0,
        }
    };
    tracing::info!(exit_code = code, runs = r.runs, "reconcile loop stopping");
    let Reconciler { notifier, .. } = r;
    notifier.close(Duration::from_secs(30)).await;
    Ok(code)
}

impl From<TargetError> for ReconcileError {
    fn from(e: TargetError) -> Self {
        match e {
            TargetError::Conn(e) => ReconcileError::Conn(e),
            TargetError::Embedded(e) => ReconcileError::Embedded(e),
        }
    }
}

struct Reconciler {
    args: ReconcileArgs,
    settings: ConnectionSettings,
    _embedded: Option<EmbeddedPostgres>,
    /// Kept between runs; dropped (and opened again) after any failure.
    client: Option<tokio_postgres::Client>,
    last_good: Option<Desired>,
    last_warnings: Vec<String>,
    alerts: AlertState,
    metrics: Arc<Metrics>,
    notifier: Notifier,
    runs: u64,
}

/// Why a run failed, and where.
struct Failure {
    stage: Stage,
    message: String,
    /// Exit code for `--once` (3 when apply refused to break a confinement).
    exit_code: u8,
    refused: bool,
}

impl Failure {
    fn run(message: impl Into<String>) -> Self {
        Failure {
            stage: Stage::Run,
            message: message.into(),
            exit_code: 1,
            refused: false,
        }
    }
}

/// What the body of a run hands back to its wrapper.
#[derive(Default)]
struct Progress {
    observation: Observation,
    result: Option<RunResult>,
    database: Option<String>,
    plan_id: Option<String>,
    drift: Option<Counts>,
    drift_after: Option<Counts>,
    violations: usize,
    steps_applied: usize,
    held_back: Vec<String>,
    tried_database: bool,
    reached_database: bool,
}

impl Reconciler {
    async fn run_once(&mut self) -> RunRecord {
        self.runs += 1;
        let run = self.runs;
        let mode = self.args.mode;
        let started = Instant::now();
        let mut report = RunReport::start("reconcile");
        let mut p = Progress::default();
        tracing::info!(run, mode = mode.as_str(), "reconcile run started");

        // The desired state: from disk if it loads, else the last good one.
        let (desired_valid, desired_error) = match load_desired(&self.args.dir) {
            Ok(d) => {
                if d.warnings != self.last_warnings {
                    for w in &d.warnings {
                        tracing::warn!(warning = %w, "desired state");
                    }
                    self.last_warnings = d.warnings.clone();
                }
                self.last_good = Some(d);
                (true, None)
            }
            Err(message) => {
                tracing::error!(
                    dir = %self.args.dir.display(),
                    last_good_in_force = self.last_good.is_some(),
                    error = %message,
                    "the desired state does not load"
                );
                p.observation.invalid_desired = Some(message.clone());
                (false, Some(message))
            }
        };
        self.metrics
            .desired_state_valid
            .set(i64::from(desired_valid));

        let outcome = match self.last_good.clone() {
            None => Err(Failure::run(
                "the desired state does not load and no earlier one did; nothing to reconcile",
            )),
            Some(desired) => {
                let timeout = self.args.run_timeout;
                match tokio::time::timeout(timeout, self.work(&desired, &mut report, &mut p)).await
                {
                    Ok(r) => r,
                    Err(_) => Err(Failure::run(format!(
                        "the run did not finish within {} (--run-timeout); abandoned, its transaction rolls back",
                        humantime::format_duration(timeout)
                    ))),
                }
            }
        };

        let mut exit_code;
        let mut error = None;
        let result = match outcome {
            Ok(()) => {
                let result = p.result.unwrap_or(RunResult::InSync);
                exit_code = match result {
                    RunResult::Drift => drift::EXIT_DRIFT,
                    _ => drift::EXIT_IN_SYNC,
                };
                if p.violations > 0 {
                    exit_code = drift::EXIT_VIOLATION;
                }
                result
            }
            Err(f) => {
                // A fresh session next time: this one may be broken or mid-transaction.
                self.client = None;
                tracing::error!(run, stage = ?f.stage, error = %f.message, "reconcile run failed");
                exit_code = f.exit_code;
                p.observation.failure = Some((f.stage, f.message.clone()));
                let status = if f.refused {
                    Status::Refused
                } else {
                    Status::Error
                };
                report.finish(status, Some(f.message.clone()), started);
                error = Some(f.message);
                RunResult::Error
            }
        };
        if p.tried_database && !p.reached_database {
            self.metrics.up.set(0);
        }
        if desired_error.is_some() && exit_code == 0 {
            // `--once` must not call an invalid desired state a success.
            exit_code = 1;
        }

        // Alerts (dry-run: logged only).
        let events = self.alerts.observe(mode.as_str(), &p.observation);
        if let Some(path) = &self.args.state_file {
            save_state(path, &self.alerts);
        }
        for e in &events {
            log_event(e);
            if mode != Mode::DryRun {
                self.notifier.send(e.clone());
            }
        }

        // Metrics and readiness.
        let elapsed = started.elapsed();
        self.metrics.count_run(result.as_str());
        self.metrics.duration.observe(elapsed.as_secs_f64());
        self.metrics
            .consecutive_failures
            .set(i64::from(self.alerts.consecutive_failures()));
        if result != RunResult::Error {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            self.metrics.last_success.set(now);
            if let Some(c) = &p.drift_after {
                self.metrics.set_drift("missing", c.missing);
                self.metrics.set_drift("different", c.different);
                self.metrics.set_drift("unexpected", c.unexpected);
            }
            self.metrics
                .violations
                .set(i64::try_from(p.violations).unwrap_or(i64::MAX));
            self.metrics
                .held_back
                .set(i64::try_from(p.held_back.len()).unwrap_or(i64::MAX));
        }
        match (&error, desired_valid) {
            (Some(e), _) => self
                .metrics
                .set_ready(false, format!("the last run failed: {e}")),
            (None, false) => self.metrics.set_ready(
                false,
                "the desired state does not load; the last good state is in force",
            ),
            (None, true) => self.metrics.set_ready(
                true,
                format!("the last run succeeded ({})", result.as_str()),
            ),
        }

        // The run report and the record.
        let mut report_file = None;
        if error.is_none() {
            let status = match result {
                RunResult::InSync => Status::NoChanges,
                RunResult::Drift => Status::Changes,
                _ => Status::Ok,
            };
            let message = (!p.held_back.is_empty()).then(|| {
                format!(
                    "{} destructive step{} held back",
                    p.held_back.len(),
                    if p.held_back.len() == 1 { "" } else { "s" }
                )
            });
            report.finish(status, message, started);
        }
        if let Some(dir) = &self.args.report_dir {
            match report.write_to(dir) {
                Ok(path) => report_file = Some(path.display().to_string()),
                Err(e) => {
                    tracing::error!(dir = %dir.display(), error = %e, "cannot write the run report")
                }
            }
        }
        let record = RunRecord {
            format_version: RECORD_FORMAT_VERSION,
            kind: "pgrecon-reconcile-run".to_string(),
            run,
            mode: mode.as_str().to_string(),
            started_at: report.started_at.clone(),
            duration_ms: report::millis(elapsed),
            result,
            exit_code,
            desired_state_valid: desired_valid,
            desired_state_error: desired_error,
            database: p.database.clone(),
            plan_id: p.plan_id.clone(),
            drift: p.drift.clone(),
            drift_after: p.drift_after.clone(),
            steps_applied: p.steps_applied,
            held_back: p.held_back.clone(),
            events: events.iter().map(|e| e.event).collect(),
            error,
            report_file,
        };
        tracing::info!(
            run,
            result = result.as_str(),
            missing = p.drift_after.as_ref().map_or(0, |c| c.missing),
            different = p.drift_after.as_ref().map_or(0, |c| c.different),
            unexpected = p.drift_after.as_ref().map_or(0, |c| c.unexpected),
            violations = p.violations,
            steps_applied = p.steps_applied,
            held_back = p.held_back.len(),
            duration_ms = record.duration_ms,
            "reconcile run finished"
        );
        println!(
            "{}",
            json_text(serde_json::to_string(&record).expect("a run record serializes"))
        );
        record
    }

    /// The body of a run: connect, detect, act. Fills `p` as it goes, so that a failure
    /// still reports what was found before it.
    async fn work(
        &mut self,
        desired: &Desired,
        report: &mut RunReport,
        p: &mut Progress,
    ) -> Result<(), Failure> {
        p.tried_database = true;
        let mut client = match self.client.take() {
            Some(c) if !c.is_closed() => c,
            _ => conn::connect(&self.settings)
                .await
                .map_err(|e| Failure::run(conn::error_chain(&e)))?,
        };
        let options = DriftOptions {
            prune: self.args.prune,
            all: false,
            server_check: true,
            // The loop applies what it finds, so it may write to the target anyway.
            canon_site: crate::scratch::CanonSite::Target,
            apply_as: None,
        };
        let detected = drift::detect(&mut client, &desired.catalog, &options)
            .await
            .map_err(|e| Failure::run(conn::error_chain(&e)))?;
        p.reached_database = true;
        self.metrics.up.set(1);
        let before = &detected.report;
        p.database = Some(before.target.database.clone());
        p.observation.database = p.database.clone();
        p.plan_id = Some(detected.plan.plan_id.clone());
        p.drift = Some(before.counts.clone());
        p.observation.counts = Some(before.counts.clone());
        p.observation.drift_before = Some(drift_keys(before));
        p.observation.violations = Some(violation_keys(before));
        p.violations = before.violations.len();
        report.set_live(&detected.live);
        report.set_plan(&detected.plan);
        report.desired_state_hash = Some(fingerprint::desired_hash(
            &detected.desired,
            &desired.checks,
        ));
        report.validation = Some(before.validation.clone());

        if self.args.mode != Mode::Enforce || detected.plan.is_empty() {
            p.drift_after = p.drift.clone();
            p.observation.drift_after = p.observation.drift_before.clone();
            p.result = Some(if before.in_sync {
                RunResult::InSync
            } else {
                RunResult::Drift
            });
            self.client = Some(client);
            return Ok(());
        }

        // enforce
        let prepared = enforce::prepare(
            &detected.desired,
            &detected.live,
            &detected.plan,
            self.args.prune,
            self.args.allow_destructive,
        )
        .map_err(|e| Failure::run(conn::error_chain(&e)))?;
        p.held_back = prepared.held_back.clone();
        if !prepared.held_back.is_empty() {
            tracing::warn!(
                steps = ?prepared.held_back,
                "destructive steps held back (they need --allow-destructive)"
            );
        }
        let mut steps_applied = 0;
        let mut applied = false;
        if !prepared.unresolved.is_empty() {
            tracing::warn!(
                steps = ?prepared.unresolved,
                "destructive steps that cannot be held back on their own: nothing applied"
            );
        } else if !prepared.plan.is_empty() {
            let apply_options = ApplyOptions {
                diff: DiffOptions {
                    prune: prepared.prune,
                },
                allow_destructive: self.args.allow_destructive,
                lock_timeout: self.args.lock_timeout,
                statement_timeout: self.args.statement_timeout,
                lock_wait: self.args.lock_wait,
                ..ApplyOptions::default()
            };
            let input = ApplyInput {
                desired: &prepared.desired,
                checks: &desired.checks,
                saved: None,
            };
            let mut hooks = LogHooks;
            let outcome = apply::run(&mut client, &input, &apply_options, &mut hooks, report).await;
            applied = true;
            match outcome {
                Ok(ApplyOutcome::NoChanges(_)) => {}
                Ok(ApplyOutcome::Applied { plan, duration, .. }) => {
                    steps_applied = plan.steps.len();
                    self.metrics.apply_steps.inc_by(steps_applied as u64);
                    tracing::info!(
                        steps = steps_applied,
                        plan_id = %plan.plan_id,
                        duration_ms = report::millis(duration),
                        "applied and verified in one transaction"
                    );
                }
                Err(e) => {
                    let exit_code = match e {
                        apply::ApplyError::Violation(_) => drift::EXIT_VIOLATION,
                        _ => 1,
                    };
                    return Err(Failure {
                        stage: Stage::Apply,
                        message: conn::error_chain(&e),
                        exit_code,
                        refused: e.is_refusal(),
                    });
                }
            }
        }
        p.steps_applied = steps_applied;
        p.observation.steps_applied = steps_applied;
        if !applied {
            // Everything was held back: the drift is what was found.
            p.drift_after = p.drift.clone();
            p.observation.drift_after = p.observation.drift_before.clone();
            p.result = Some(RunResult::Drift);
            self.client = Some(client);
            return Ok(());
        }

        // What is left, read back from outside the transaction.
        let after = drift::detect(&mut client, &desired.catalog, &options)
            .await
            .map_err(|e| Failure::run(conn::error_chain(&e)))?;
        let left = &after.report;
        p.drift_after = Some(left.counts.clone());
        p.observation.drift_after = Some(drift_keys(left));
        p.observation.violations = Some(violation_keys(left));
        p.violations = left.violations.len();
        p.result = Some(if !left.in_sync {
            RunResult::Drift
        } else if steps_applied > 0 {
            RunResult::Corrected
        } else {
            RunResult::InSync
        });
        self.client = Some(client);
        Ok(())
    }
}

/// Logs apply's retries.
struct LogHooks;

impl apply::ApplyHooks for LogHooks {
    fn on_retry(&mut self, attempt: u32, delay: Duration, error: &apply::ApplyError) {
        tracing::warn!(
            attempt,
            delay_ms = report::millis(delay),
            error = %conn::error_chain(error),
            "apply failed on a lock timeout or lost to a concurrent change; rolled back, retrying"
        );
    }
}

/// The alert state saved by an earlier process; a missing or unreadable file starts
/// afresh (an unreadable one with a warning).
fn load_state(path: &std::path::Path) -> AlertState {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!(file = %path.display(), error = %e, "ignoring an unreadable state file");
            AlertState::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => AlertState::default(),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "ignoring an unreadable state file");
            AlertState::default()
        }
    }
}

/// Writes the alert state (to a temporary file renamed into place).
fn save_state(path: &std::path::Path, state: &AlertState) {
    let text = serde_json::to_string_pretty(state).expect("the alert state serializes");
    let tmp = path.with_extension("tmp");
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        tracing::error!(file = %path.display(), error = %e, "cannot write the state file");
    }
}

/// Loads the desired state and resolves its secrets; the rendered diagnostics on error.
fn load_desired(dir: &std::path::Path) -> Result<Desired, String> {
    pipeline::load(dir).map_err(|e| config::render(&e))
}

fn drift_keys(r: &DriftReport) -> Vec<String> {
    r.drift_items().map(drift::DriftItem::key).collect()
}

fn violation_keys(r: &DriftReport) -> Vec<String> {
    r.violations.iter().map(drift::ViolationItem::key).collect()
}

fn log_event(e: &Event) {
    match e.event {
        EventKind::DriftCorrected
        | EventKind::Recovered
        | EventKind::DesiredStateValid
        | EventKind::ConfinementRestored => {
            tracing::info!(event = e.event.as_str(), "{}", e.summary);
        }
        _ => {
            tracing::warn!(event = e.event.as_str(), "{}", e.summary);
            const SHOWN: usize = 20;
            for item in e.new_items.iter().take(SHOWN) {
                tracing::warn!(event = e.event.as_str(), item = %item, "new");
            }
            if e.new_items.len() > SHOWN {
                tracing::warn!(
                    event = e.event.as_str(),
                    "… and {} more new (the event and the run report list them)",
                    e.new_items.len() - SHOWN
                );
            }
        }
    }
}
