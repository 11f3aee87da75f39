//! `pgrecon apply`: the plan (or a saved one) in one verified transaction.

use super::{CliError, DbArg, DirArg, EXIT_CHANGES, ReportArg};
use pgrecon::apply::{self, ApplyInput, ApplyOptions, ApplyOutcome};
use pgrecon::approval::{self, ApprovalsFile, Policy};
use pgrecon::diff::DiffOptions;
use pgrecon::model::QualifiedName;
use pgrecon::pipeline::{self, Access};
use pgrecon::plan::{HazardKind, Plan};
use pgrecon::render::escape::text_line;
use pgrecon::render::{self, Format};
use pgrecon::report::{RunReport, Status};
use pgrecon::saved::SavedPlan;
use pgrecon::{canon, conn};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    dir: DirArg,
    #[command(flatten)]
    db: DbArg,
    /// Apply exactly this saved plan (from `plan --out`), after checking that the
    /// target, the live catalog and the desired state are those it was computed for
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Approvals of the saved plan's hazards [default: <plan>.approvals.toml, if present]
    #[arg(long, value_name = "FILE", requires = "plan")]
    approvals: Option<PathBuf>,
    /// Approve every destructive hazard (deletes_data, drops_role)
    #[arg(long)]
    allow_destructive: bool,
    /// Approve one hazard kind (repeatable): deletes_data, drops_role,
    /// authorization_change, rewrites_table, access_exclusive_lock, index_build,
    /// validates_data
    #[arg(long, value_name = "KIND")]
    allow_hazard: Vec<HazardKind>,
    /// Make a hazard kind need approval too (repeatable); the destructive ones
    /// always do
    #[arg(long, value_name = "KIND")]
    require_approval: Vec<HazardKind>,
    /// Refuse any plan that drops, revokes or deletes anything
    #[arg(long)]
    additive_only: bool,
    /// Include drops of undeclared objects in the owned scope (a saved plan carries
    /// its own)
    #[arg(long, conflicts_with = "plan")]
    prune: bool,
    /// lock_timeout for each statement
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    lock_timeout: Duration,
    /// statement_timeout for each statement
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    statement_timeout: Duration,
    /// statement_timeout for steps that may run long (table rewrite, index build,
    /// validation scan) [default: --statement-timeout]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    slow_statement_timeout: Option<Duration>,
    /// How long to wait for another pgrecon apply on the same database
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    lock_wait: Duration,
    /// Retry the whole transaction this many times when it fails on a lock timeout or
    /// loses to a concurrent change (a role changed from another database meanwhile)
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Wait before the first retry; doubled for each further one
    #[arg(long, default_value = "500ms", value_parser = humantime::parse_duration)]
    retry_backoff: Duration,
    /// Apply even if the planned state breaks a declared confinement
    #[arg(long)]
    allow_violation: bool,
    /// Insert the run record (jsonb) into this table in the apply transaction; the
    /// table must exist with a `record jsonb` column
    #[arg(long, value_name = "SCHEMA.TABLE")]
    audit_table: Option<String>,
    #[command(flatten)]
    report: ReportArg,
}

pub async fn run(args: Args) -> Result<u8, CliError> {
    super::prepare_report_dir(&args.report)?;
    let started = Instant::now();
    let mut record = RunReport::start("apply");
    let audit_table = match args.audit_table {
        Some(text) => Some(QualifiedName::parse(&text).ok_or_else(|| {
            CliError::Usage(format!(
                "--audit-table `{text}` is not a schema-qualified table name (schema.table)"
            ))
        })?),
        None => None,
    };
    let mut policy = Policy::default();
    for kind in args.require_approval {
        policy.require(kind);
    }
    for kind in args.allow_hazard {
        policy.approve(kind, "--allow-hazard");
    }
    let options = ApplyOptions {
        diff: DiffOptions { prune: args.prune },
        allow_destructive: args.allow_destructive,
        approvals: policy,
        additive_only: args.additive_only,
        lock_timeout: args.lock_timeout,
        statement_timeout: args.statement_timeout,
        slow_statement_timeout: args.slow_statement_timeout,
        lock_wait: args.lock_wait,
        retries: args.retries,
        retry_backoff: args.retry_backoff,
        allow_violation: args.allow_violation,
        audit_table,
    };
    let run = Run {
        plan: args.plan,
        approvals: args.approvals,
        options,
    };
    let result = apply_command(&args.dir, &args.db, run, &mut record).await;
    super::write_report(&args.report, record, started, result)
}

/// Keeps the plan apply computed (or loaded) under its lock, printed once the
/// transaction is over: nothing that can block (a full stdout pipe) may happen while it
/// holds its locks. Retries are reported after the failed transaction rolled back.
struct PrintPlan {
    /// The rendered plan, not yet printed.
    pending: Option<String>,
    saved: bool,
    /// What apply will approve with (flags and approvals file), so the printed plan
    /// does not ask for an approval that was given.
    policy: Policy,
    /// Test-only fault injection (see [`TEST_FAULT_ENV`]): where to pause.
    pause: Option<TestPause>,
}

/// Test-only: `PGRECON_TEST_FAULT` makes apply stop at a chosen point, write
/// `pgrecon-test: paused <where>` on stderr and wait for a line on stdin, so that a test
/// can inject a fault (terminate the backend, cut the connection, kill the process)
/// there. Its values: `pause-after-step:N` (after step N ran: inside the open
/// transaction, or after the commit for a step that runs after it),
/// `pause-before-step:N` (before step N runs, likewise), `pause-before-replan` (after
/// the apply, before the re-plan that proves it, under the advisory lock). Undocumented
/// for users, and only in debug builds (the tests'): a release binary never waits
/// because of its environment.
const TEST_FAULT_ENV: &str = "PGRECON_TEST_FAULT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestPause {
    BeforeStep(usize),
    AfterStep(usize),
    BeforeReplan,
}

fn test_pause() -> Option<TestPause> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let value = std::env::var(TEST_FAULT_ENV).ok()?;
    if value == "pause-before-replan" {
        return Some(TestPause::BeforeReplan);
    }
    if let Some(n) = value.strip_prefix("pause-before-step:") {
        return n.parse().ok().map(TestPause::BeforeStep);
    }
    value
        .strip_prefix("pause-after-step:")?
        .parse()
        .ok()
        .map(TestPause::AfterStep)
}

/// Test-only (see [`TEST_FAULT_ENV`]): says where it stopped and waits for a line.
fn test_pause_here(at: &str) {
    eprintln!("pgrecon-test: paused {at}");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

impl PrintPlan {
    fn flush(&mut self) {
        if let Some(text) = self.pending.take() {
            print!("{text}");
        }
    }
}

impl apply::ApplyHooks for PrintPlan {
    fn on_plan(&mut self, plan: &Plan) {
        if self.pending.is_some() {
            return;
        }
        let mut text = String::new();
        if self.saved {
            text.push_str(&format!(
                "Saved plan {}: same target, live catalog unchanged since the plan, same \
                 desired state.\n\n",
                plan.plan_id
            ));
        }
        if !plan.is_empty() {
            let destructive_approved = self
                .policy
                .unapproved(plan)
                .iter()
                .all(|u| !u.kinds.iter().any(|k| k.is_destructive()));
            let cx = render::Context {
                destructive_approved,
                ..Default::default()
            };
            text.push_str(&render::render_with(plan, &cx, Format::Text));
        }
        self.pending = Some(text);
    }

    fn before_step(&mut self, step: &pgrecon::plan::Step) {
        if self.pause == Some(TestPause::BeforeStep(step.number)) {
            test_pause_here(&format!("before step {}", step.number));
        }
    }

    fn after_step(&mut self, step: &pgrecon::plan::Step) -> Result<(), String> {
        self.after_step_outside(step);
        Ok(())
    }

    fn after_step_outside(&mut self, step: &pgrecon::plan::Step) {
        if self.pause == Some(TestPause::AfterStep(step.number)) {
            test_pause_here(&format!("after step {}", step.number));
        }
    }

    fn on_retry(&mut self, attempt: u32, delay: Duration, error: &apply::ApplyError) {
        let cause = if error.is_conflict() {
            "lost to a concurrent change"
        } else {
            "failed on a lock timeout"
        };
        let chain = conn::error_chain(error);
        eprintln!(
            "warning: attempt {attempt} {cause} ({}); rolled back, retrying in {} ms",
            chain.lines().next().unwrap_or_default(),
            delay.as_millis()
        );
    }
}

/// What to apply and how, from the flags.
struct Run {
    plan: Option<PathBuf>,
    approvals: Option<PathBuf>,
    options: ApplyOptions,
}

async fn apply_command(
    dir: &DirArg,
    db: &DbArg,
    mut args: Run,
    record: &mut RunReport,
) -> Result<u8, CliError> {
    let desired = super::load(dir)?;
    let saved = match &args.plan {
        Some(path) => {
            let saved = SavedPlan::read(path)?;
            record.saved_plan = Some(path.display().to_string());
            record.plan_id = Some(saved.plan_id.clone());
            let approvals = match &args.approvals {
                Some(file) => Some(file.clone()),
                None => Some(approval::approvals_path(path)).filter(|p| p.exists()),
            };
            if let Some(file) = approvals {
                let approved = ApprovalsFile::read(&file)?;
                approved.apply_to(&mut args.options.approvals, &saved.plan_id, &file)?;
                eprintln!(
                    "note: approvals of reviewer {} read from {}",
                    text_line(&approved.reviewer),
                    file.display()
                );
            }
            Some(saved)
        }
        None => None,
    };
    let access = Access::Change {
        verb: "apply to",
        embedded: db.embedded,
    };
    let mut session = super::open(db, access).await?;
    let input = ApplyInput {
        desired: &desired.catalog,
        checks: &desired.checks,
        saved: saved.as_ref(),
    };
    let policy = args.options.policy();
    let mut hooks = PrintPlan {
        pending: None,
        saved: saved.is_some(),
        policy,
        pause: test_pause(),
    };
    let diff_options = match &saved {
        Some(s) => DiffOptions {
            prune: s.options.prune,
        },
        None => args.options.diff.clone(),
    };
    apply::lock(&session.client, args.options.lock_wait).await?;
    let result = apply::run_locked(
        &mut session.client,
        &input,
        &args.options,
        &mut hooks,
        record,
    )
    .await;
    // Proof from outside the transaction that a fresh plan is empty, still under the
    // advisory lock: another apply committing in between would make it non-empty
    // although this one succeeded.
    let again = match &result {
        Ok(ApplyOutcome::Applied { .. }) => {
            if hooks.pause == Some(TestPause::BeforeReplan) {
                test_pause_here("before the re-plan");
            }
            Some(
                pipeline::read_and_plan(
                    &mut session.client,
                    &desired.catalog,
                    &diff_options,
                    &pgrecon::scratch::CanonSite::Target,
                    None,
                )
                .await,
            )
        }
        _ => None,
    };
    apply::unlock(&session.client).await;
    // The transaction and the lock are over (committed, rolled back, or the connection
    // gone): only now print.
    hooks.flush();
    let outcome = match result {
        Err(apply::ApplyError::CommitUnknown(unknown)) => {
            return commit_unknown(db, access, session.is_embedded(), *unknown, record).await;
        }
        Err(apply::ApplyError::Canon(c @ canon::CanonError::Rejected(_))) => {
            return Err(CliError::Rejected(c.located(&desired.sources)));
        }
        other => other?,
    };
    match outcome {
        ApplyOutcome::NoChanges(_) => {
            println!("{}", render::NO_CHANGES);
            record.result.status = Status::NoChanges;
            Ok(0)
        }
        ApplyOutcome::Applied { plan, duration, .. } => {
            println!(
                "\nApplied {} step{} in {} ms and verified in the same transaction.",
                plan.steps.len(),
                if plan.steps.len() == 1 { "" } else { "s" },
                duration.as_millis()
            );
            record.result.status = Status::Ok;
            let again = again.expect("re-planned after an apply");
            // The apply is committed and was verified in its transaction: a re-plan that
            // fails does not undo that.
            let again = match again {
                Ok(p) => p.plan,
                Err(e) => {
                    let e = CliError::located(e, &desired);
                    eprintln!(
                        "warning: the apply is committed and verified, but the re-plan after it failed: {}\n  help: run pgrecon plan to see the state from outside",
                        conn::error_chain(&e)
                    );
                    record.result.message = Some(format!(
                        "the re-plan after the apply failed: {}",
                        conn::error_chain(&e)
                    ));
                    return Ok(0);
                }
            };
            println!("\nRe-plan after apply:");
            print!("{}", render::render(&again, None, Format::Text));
            if !again.is_empty() {
                record.result.message = Some("a re-plan after the apply is not empty".to_string());
            }
            Ok(if again.is_empty() { 0 } else { EXIT_CHANGES })
        }
    }
}

/// The connection dropped while `COMMIT` was in flight: say so, reconnect, and report
/// what the live catalog shows. Exit 0 when it committed (and nothing was left to run
/// after the commit), 1 when it did not or when it is still unknown.
async fn commit_unknown(
    db: &DbArg,
    access: Access,
    embedded: bool,
    mut unknown: apply::CommitUnknown,
    record: &mut RunReport,
) -> Result<u8, CliError> {
    eprintln!(
        "warning: the connection was lost while the transaction was committing ({}); the outcome is unknown, reconnecting to find out",
        text_line(&unknown.message)
    );
    // A throwaway embedded server cannot be reached again.
    let reopened = match embedded {
        true => Err(CliError::Usage("the embedded server is gone".into())),
        false => super::open(db, access).await,
    };
    let found = match reopened {
        Ok(mut session) => apply::resolve_commit(&mut session.client, &unknown)
            .await
            .map_err(|e| conn::error_chain(&e)),
        Err(e) => Err(conn::error_chain(&e)),
    };
    let outcome = found.unwrap_or_else(|e| {
        eprintln!("warning: cannot read the database again: {}", text_line(&e));
        apply::CommitOutcome::Unknown
    });
    unknown.resolved = Some(outcome);
    if outcome == apply::CommitOutcome::Committed && unknown.deferred == 0 {
        println!(
            "\nApplied and verified in the same transaction; the commit was not acknowledged, but \
             after reconnecting the live catalog is the verified post-apply state: committed."
        );
        record.result.status = Status::Ok;
        record.result.message =
            Some("commit not acknowledged; confirmed after reconnecting".into());
        return Ok(0);
    }
    Err(apply::ApplyError::CommitUnknown(Box::new(unknown)).into())
}
