//! The command line: parse arguments, call the library, map its errors to exit codes.
//! Exit codes (Terraform style): 0 nothing to do / success, 1 error, 2 changes pending,
//! 3 a policy check failed.

use clap::{Parser, Subcommand};
use pgrecon::apply::{self, ApplyInput, ApplyOptions, ApplyOutcome};
use pgrecon::approval::{self, ApprovalsFile, Policy};
use pgrecon::config::{self, Desired};
use pgrecon::diff::{self, DiffOptions};
use pgrecon::embedded::EmbeddedPostgres;
use pgrecon::model::QualifiedName;
use pgrecon::plan::HazardKind;
use pgrecon::render::escape::text_line;
use pgrecon::render::{self, Format, Target};
use pgrecon::report::{self, RunReport, Status};
use pgrecon::saved::{SaveInput, SavedPlan};
use pgrecon::{canon, conn, import, introspect, plan, verify};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const EXIT_ERROR: u8 = 1;
const EXIT_CHANGES: u8 = 2;
const EXIT_POLICY: u8 = 3;

#[derive(Parser)]
#[command(
    name = "pgrecon",
    version,
    about = "Declarative schema-state reconciler for PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines on stderr as text or as one JSON object per line (level: PGRECON_LOG)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "PGRECON_LOG_FORMAT"
    )]
    log_format: pgrecon::logging::LogFormat,
}

#[derive(clap::Args, Clone)]
struct DirArg {
    /// Directory of desired-state TOML files
    #[arg(long, default_value = "desired-state")]
    dir: PathBuf,
}

#[derive(clap::Args, Clone)]
struct ReportArg {
    /// Write a JSON run report (who, where, plan id, steps and timings, result,
    /// fingerprints, validation matrix) into this directory
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// Connection URL or libpq key=value string; else DATABASE_URL, else the PG*
    /// variables; with none of them, read-only commands start an embedded throwaway
    /// PostgreSQL (apply only with --embedded)
    #[arg(long)]
    database_url: Option<String>,
    /// When no connection is configured, use an embedded throwaway PostgreSQL started
    /// from the installed server binaries (apply refuses without it)
    #[arg(long)]
    embedded: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check the desired state without a database
    Validate {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Show what apply would change (exit 2 when there are changes)
    Plan {
        #[command(flatten)]
        dir: DirArg,
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Include drops of undeclared objects in the owned scope
        #[arg(long)]
        prune: bool,
        /// Do not fail (exit 3) when the planned state breaks a declared confinement
        #[arg(long)]
        allow_violation: bool,
        /// Save the plan (self-contained JSON) for `pgrecon apply --plan`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        report: ReportArg,
    },
    /// Apply the plan in one verified transaction
    Apply {
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
        /// Retry the whole transaction this many times when it fails on a lock timeout
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
    },
    /// Render a saved plan
    Show {
        /// The plan file (from `plan --out`)
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Record a reviewer's approval of a saved plan's hazards (<plan>.approvals.toml)
    Approve {
        /// The plan file (from `plan --out`)
        file: PathBuf,
        /// Who approves
        #[arg(long)]
        reviewer: String,
        /// A hazard kind to approve (repeatable)
        #[arg(long = "hazard", value_name = "KIND", required = true)]
        hazards: Vec<HazardKind>,
        /// Why
        #[arg(long)]
        comment: Option<String>,
    },
    /// Prove every declared confinement against effective privileges (exit 3 if broken)
    Verify {
        #[command(flatten)]
        dir: DirArg,
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum, default_value = "text")]
        format: VerifyFormat,
    },
    /// Write the live state as desired-state TOML
    Import {
        #[command(flatten)]
        db: DbArg,
        /// Directory to write the TOML files into
        #[arg(long)]
        out: PathBuf,
        /// Only these schemas (repeatable); default every non-system schema
        #[arg(long = "schema")]
        schemas: Vec<String>,
    },
    /// Report every difference between desired and live: missing, different,
    /// unexpected (and unmanaged with --all); exit 2 on drift, 3 if a confinement is broken
    Drift {
        #[command(flatten)]
        dir: DirArg,
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum, default_value = "text")]
        format: VerifyFormat,
        /// Also list what lies outside the managed scope (never drift)
        #[arg(long)]
        all: bool,
    },
    /// Re-plan on an interval and report (warn), apply (enforce) or only plan (dry-run);
    /// alerts, metrics and health
    Reconcile(pgrecon::reconcile::ReconcileArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum VerifyFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The loop's logs are its output: info by default there, warn elsewhere.
    let level = match cli.command {
        Command::Reconcile(_) => "info",
        _ => "warn",
    };
    pgrecon::logging::init(cli.log_format, level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime starts");
    match runtime.block_on(run(cli.command)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            e.report();
            ExitCode::from(e.exit_code())
        }
    }
}

/// Every way a command can fail, each from the library's own error type.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] config::ConfigErrors),
    #[error(transparent)]
    Conn(#[from] conn::ConnError),
    #[error(transparent)]
    Embedded(#[from] pgrecon::embedded::EmbeddedError),
    #[error(transparent)]
    Introspect(#[from] introspect::IntrospectError),
    #[error(transparent)]
    Canon(#[from] canon::CanonError),
    /// Desired objects the server rejected, each pointing at its declaration.
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Diff(#[from] diff::DiffError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Apply(#[from] apply::ApplyError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error("verification query failed: {0}")]
    Verify(String),
    #[error(transparent)]
    Saved(#[from] pgrecon::saved::SavedPlanError),
    #[error(transparent)]
    Approval(#[from] approval::ApprovalError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the run report: {0}")]
    Report(String),
    #[error(transparent)]
    Drift(#[from] pgrecon::drift::DriftError),
    #[error(transparent)]
    Reconcile(#[from] pgrecon::reconcile::ReconcileError),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Apply(apply::ApplyError::Violation(_)) => EXIT_POLICY,
            _ => EXIT_ERROR,
        }
    }

    fn report(&self) {
        match self {
            CliError::Config(errors) => eprint!("{}", config::render(errors)),
            // Library errors wrap driver errors whose own text is terse ("db error"):
            // print the whole chain, as conn does.
            other => eprintln!("error: {}", conn::error_chain(other)),
        }
    }
}

/// A connection and, when none was configured, the embedded server it points at (kept
/// alive until the command ends).
struct Session {
    client: tokio_postgres::Client,
    _embedded: Option<EmbeddedPostgres>,
}

/// Opens the connection of a read-only command (`mutating: None`) or of one that
/// changes the database (`Some(verb)`), which never falls back to an embedded server
/// unless `--embedded` asks for it.
async fn open(db: &DbArg, mutating: Option<&'static str>) -> Result<Session, CliError> {
    let resolved = match mutating {
        None => conn::resolve(db.database_url.as_deref())?,
        Some(verb) => conn::resolve_for_change(db.database_url.as_deref(), db.embedded, verb)?,
    };
    if let Some(settings) = resolved {
        let client = conn::connect(&settings).await?;
        return Ok(Session {
            client,
            _embedded: None,
        });
    }
    eprintln!(
        "note: no connection configured (--database-url, DATABASE_URL or PG* variables); \
         starting an embedded throwaway PostgreSQL"
    );
    let embedded = tokio::task::spawn_blocking(EmbeddedPostgres::start)
        .await
        .expect("embedded start does not panic")?;
    eprintln!(
        "note: embedded PostgreSQL {} running at {} (removed when pgrecon exits)",
        embedded.version(),
        embedded.socket_dir().display()
    );
    let settings = conn::ConnectionSettings::from_config(embedded.config("postgres"));
    let client = conn::connect(&settings).await?;
    Ok(Session {
        client,
        _embedded: Some(embedded),
    })
}

fn load(dir: &DirArg) -> Result<Desired, CliError> {
    let mut desired = config::load_dir(&dir.dir)?;
    config::resolve_secrets(&mut desired, &|var| std::env::var(var).ok())?;
    for w in &desired.warnings {
        eprintln!("warning: {}", text_line(w));
    }
    Ok(desired)
}

fn target_of(live: &pgrecon::model::Catalog) -> Target {
    Target::of_identity(&pgrecon::saved::TargetIdentity::of(live))
}

/// Prints the plan apply computed (or loaded) under its lock, before it runs, and the
/// retries.
struct PrintPlan {
    printed: bool,
    saved: bool,
    /// What apply will approve with (flags and approvals file), so the printed plan
    /// does not ask for an approval that was given.
    policy: Policy,
}

impl apply::ApplyHooks for PrintPlan {
    fn on_plan(&mut self, plan: &plan::Plan) {
        if self.printed {
            return;
        }
        self.printed = true;
        if self.saved {
            println!(
                "Saved plan {}: same target, live catalog unchanged since the plan, same \
                 desired state.\n",
                plan.plan_id
            );
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
            print!("{}", render::render_with(plan, &cx, Format::Text));
        }
    }

    fn on_retry(&mut self, attempt: u32, delay: Duration, error: &apply::ApplyError) {
        eprintln!(
            "warning: attempt {attempt} failed on a lock timeout ({}); rolled back, retrying in {} ms",
            conn::error_chain(error),
            delay.as_millis()
        );
    }
}

/// Creates the report directory up front, so that a run whose report cannot be
/// written is refused before it changes anything.
fn prepare_report_dir(report: &ReportArg) -> Result<(), CliError> {
    if let Some(dir) = &report.report_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Report(format!("{}: {e}", dir.display())))?;
    }
    Ok(())
}

/// Finishes and writes the run report of a command that ended with `result`.
fn write_report(
    arg: &ReportArg,
    mut report: RunReport,
    started: Instant,
    result: Result<u8, CliError>,
) -> Result<u8, CliError> {
    let Some(dir) = &arg.report_dir else {
        return result;
    };
    match &result {
        Ok(_) => {
            let (status, message) = (report.result.status, report.result.message.clone());
            report.finish(status, message, started);
        }
        Err(e) => {
            let status = match e {
                CliError::Apply(a) if a.is_refusal() => Status::Refused,
                _ => Status::Error,
            };
            report.finish(status, Some(conn::error_chain(e)), started);
        }
    }
    match report.write_to(dir) {
        Ok(path) => {
            eprintln!("note: run report written to {}", path.display());
            result
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the run report in {}: {e}",
                dir.display()
            );
            result.and(Ok(EXIT_ERROR))
        }
    }
}

async fn run(command: Command) -> Result<u8, CliError> {
    match command {
        Command::Validate { dir } => {
            let desired = config::load_dir(&dir.dir)?;
            let c = &desired.catalog;
            println!(
                "desired state in {} is valid: {}",
                dir.dir.display(),
                config::summary(c)
            );
            Ok(0)
        }
        Command::Plan {
            dir,
            db,
            format,
            prune,
            allow_violation,
            out,
            report,
        } => {
            prepare_report_dir(&report)?;
            let started = Instant::now();
            let mut record = RunReport::start("plan");
            let args = PlanArgs {
                format,
                prune,
                allow_violation,
                out,
            };
            let result = plan_command(&dir, &db, &args, &mut record).await;
            write_report(&report, record, started, result)
        }
        Command::Apply {
            dir,
            db,
            plan,
            approvals,
            allow_destructive,
            allow_hazard,
            require_approval,
            additive_only,
            prune,
            lock_timeout,
            statement_timeout,
            slow_statement_timeout,
            lock_wait,
            retries,
            retry_backoff,
            allow_violation,
            audit_table,
            report,
        } => {
            prepare_report_dir(&report)?;
            let started = Instant::now();
            let mut record = RunReport::start("apply");
            let audit_table = match audit_table {
                Some(text) => Some(QualifiedName::parse(&text).ok_or_else(|| {
                    CliError::Usage(format!(
                        "--audit-table `{text}` is not a schema-qualified table name (schema.table)"
                    ))
                })?),
                None => None,
            };
            let mut policy = Policy::default();
            for kind in require_approval {
                policy.require(kind);
            }
            for kind in allow_hazard {
                policy.approve(kind, "--allow-hazard");
            }
            let options = ApplyOptions {
                diff: DiffOptions { prune },
                allow_destructive,
                approvals: policy,
                additive_only,
                lock_timeout,
                statement_timeout,
                slow_statement_timeout,
                lock_wait,
                retries,
                retry_backoff,
                allow_violation,
                audit_table,
            };
            let args = ApplyArgs {
                plan,
                approvals,
                options,
            };
            let result = apply_command(&dir, &db, args, &mut record).await;
            write_report(&report, record, started, result)
        }
        Command::Show { file, format } => {
            let saved = SavedPlan::read(&file)?;
            print!("{}", render::render_saved(&saved, format));
            Ok(0)
        }
        Command::Approve {
            file,
            reviewer,
            hazards,
            comment,
        } => {
            let saved = SavedPlan::read(&file)?;
            if reviewer.trim().is_empty() {
                return Err(CliError::Usage("--reviewer must name someone".into()));
            }
            let in_plan = saved.to_plan().hazard_kinds();
            let mut approved: Vec<HazardKind> = hazards;
            approved.sort();
            approved.dedup();
            // An approval of a hazard the plan does not carry is a mistake (a wrong plan
            // file, a typo'd kind): refused before anything is written.
            let absent: Vec<&str> = approved
                .iter()
                .filter(|k| !in_plan.contains(k))
                .map(|k| k.as_str())
                .collect();
            if !absent.is_empty() {
                let carried: Vec<&str> = in_plan.iter().map(|k| k.as_str()).collect();
                return Err(CliError::Usage(format!(
                    "no step of the plan carries the hazard{} {}; nothing was written\n  help: {}",
                    if absent.len() == 1 { "" } else { "s" },
                    absent.join(", "),
                    if carried.is_empty() {
                        "this plan carries no hazard and needs no approval".to_string()
                    } else {
                        format!(
                            "the plan carries {}; approve only those",
                            carried.join(", ")
                        )
                    }
                )));
            }
            let file_out = approval::approvals_path(&file);
            ApprovalsFile {
                plan_id: saved.plan_id.clone(),
                reviewer,
                approved: approved.clone(),
                comment,
            }
            .write(&file_out)?;
            let kinds: Vec<&str> = approved.iter().map(|k| k.as_str()).collect();
            println!(
                "Approved {} for plan {}; written to {}.",
                kinds.join(", "),
                saved.plan_id,
                file_out.display()
            );
            Ok(0)
        }
        Command::Verify { dir, db, format } => {
            let desired = load(&dir)?;
            let mut session = open(&db, None).await?;
            let live = introspect::snapshot(&mut session.client).await?;
            let mut report = verify::verify(&desired.catalog, &live);
            verify::server_check(&session.client, &desired.catalog, &mut report)
                .await
                .map_err(|e| CliError::Verify(conn::error_chain(&e)))?;
            match format {
                VerifyFormat::Text => print!("{}", verify::render_text(&report)),
                VerifyFormat::Json => println!("{}", report.to_json()),
            }
            Ok(if report.ok { 0 } else { EXIT_POLICY })
        }
        Command::Drift {
            dir,
            db,
            format,
            all,
        } => {
            let desired = load(&dir)?;
            let mut session = open(&db, None).await?;
            let options = pgrecon::drift::DriftOptions {
                prune: false,
                all,
                server_check: true,
            };
            let detected = pgrecon::drift::detect(&mut session.client, &desired.catalog, &options)
                .await
                .map_err(|e| match e {
                    pgrecon::drift::DriftError::Canon(c) => {
                        CliError::Rejected(c.located(&desired.sources))
                    }
                    other => other.into(),
                })?;
            match format {
                VerifyFormat::Text => print!("{}", pgrecon::drift::render_text(&detected.report)),
                VerifyFormat::Json => print!("{}", detected.report.to_json()),
            }
            Ok(detected.report.exit_code())
        }
        Command::Reconcile(args) => Ok(pgrecon::reconcile::run(args).await?),
        Command::Import { db, out, schemas } => {
            let mut session = open(&db, None).await?;
            let live = introspect::snapshot(&mut session.client).await?;
            let report = import::write(&live, &import::ImportOptions { schemas }, &out)?;
            print!("{report}");
            Ok(0)
        }
    }
}

struct PlanArgs {
    format: Format,
    prune: bool,
    allow_violation: bool,
    out: Option<PathBuf>,
}

async fn plan_command(
    dir: &DirArg,
    db: &DbArg,
    args: &PlanArgs,
    record: &mut RunReport,
) -> Result<u8, CliError> {
    let loaded = load(dir)?;
    let mut session = open(db, None).await?;
    let live = introspect::snapshot(&mut session.client).await?;
    let desired =
        canon::in_scratch_transaction_with_live(&mut session.client, &loaded.catalog, &live)
            .await
            .map_err(|e| CliError::Rejected(e.located(&loaded.sources)))?;
    let d = diff::diff(&desired, &live, &DiffOptions { prune: args.prune })?;
    let mut plan = plan::build(&d)?;
    // The id shown is the saved plan's: the one `show`, approvals and apply use.
    let saved = SavedPlan::new(&SaveInput {
        plan: &plan,
        desired: &desired,
        checks: &loaded.checks,
        live: &live,
        prune: args.prune,
    });
    plan.plan_id = saved.plan_id.clone();
    record.set_live(&live);
    record.set_plan(&plan);
    record.desired_state_hash = Some(saved.desired_state_hash.clone());
    record.set_fingerprints(&saved.fingerprint(), None);
    record.validation = Some(report::validation(
        "live",
        &desired,
        &live,
        &plan.notes,
        plan.steps.len(),
    ));
    let target = target_of(&live);
    let cx = render::Context {
        target: Some(&target),
        checks: &loaded.checks,
        destructive_approved: false,
        saved: Some(&saved),
    };
    print!("{}", render::render_with(&plan, &cx, args.format));
    if plan.notes.iter().any(|n| n.kind == diff::NoteKind::Error) {
        let message = "the desired state asks for changes that cannot be made in place \
                       (see the notes marked error above)";
        eprintln!("error: {message}");
        record.result = report::RunResult {
            status: Status::Error,
            message: Some(message.to_string()),
        };
        return Ok(EXIT_ERROR);
    }
    // The state this plan would produce must keep every declared confinement.
    let verdict = verify::verify(&desired, &verify::project(&desired, &live));
    if !verdict.ok {
        eprintln!(
            "{}: the planned state breaks a declared confinement:",
            if args.allow_violation {
                "warning"
            } else {
                "error"
            }
        );
        for (_, v) in verdict.violations() {
            eprintln!("  ✗ {}", text_line(&v.path));
        }
        if !args.allow_violation {
            record.result = report::RunResult {
                status: Status::Refused,
                message: Some("the planned state breaks a declared confinement".into()),
            };
            return Ok(EXIT_POLICY);
        }
    }
    if let Some(out) = &args.out {
        saved.write(out)?;
        eprintln!(
            "note: plan {} saved to {}; apply exactly this plan with: pgrecon apply --plan {}",
            saved.plan_id,
            out.display(),
            out.display()
        );
    }
    record.result.status = if plan.is_empty() {
        Status::NoChanges
    } else {
        Status::Changes
    };
    Ok(if plan.is_empty() { 0 } else { EXIT_CHANGES })
}

struct ApplyArgs {
    plan: Option<PathBuf>,
    approvals: Option<PathBuf>,
    options: ApplyOptions,
}

async fn apply_command(
    dir: &DirArg,
    db: &DbArg,
    mut args: ApplyArgs,
    record: &mut RunReport,
) -> Result<u8, CliError> {
    let desired = load(dir)?;
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
    let mut session = open(db, Some("apply to")).await?;
    let input = ApplyInput {
        desired: &desired.catalog,
        checks: &desired.checks,
        saved: saved.as_ref(),
    };
    let mut policy = args.options.approvals.clone();
    if args.options.allow_destructive {
        policy.approve_destructive("--allow-destructive");
    }
    let mut hooks = PrintPlan {
        printed: false,
        saved: saved.is_some(),
        policy,
    };
    let outcome = apply::run(
        &mut session.client,
        &input,
        &args.options,
        &mut hooks,
        record,
    )
    .await
    .map_err(|e| match e {
        apply::ApplyError::Canon(c @ canon::CanonError::Rejected(_)) => {
            CliError::Rejected(c.located(&desired.sources))
        }
        other => other.into(),
    })?;
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
            // Proof from outside the transaction: a fresh plan is empty.
            let diff_options = match &saved {
                Some(s) => DiffOptions {
                    prune: s.options.prune,
                },
                None => args.options.diff.clone(),
            };
            let live = introspect::snapshot(&mut session.client).await?;
            let canonical = canon::in_scratch_transaction_with_live(
                &mut session.client,
                &desired.catalog,
                &live,
            )
            .await?;
            let again = plan::build(&diff::diff(&canonical, &live, &diff_options)?)?;
            println!("\nRe-plan after apply:");
            print!("{}", render::render(&again, None, Format::Text));
            if !again.is_empty() {
                record.result.message = Some("a re-plan after the apply is not empty".to_string());
            }
            Ok(if again.is_empty() { 0 } else { EXIT_CHANGES })
        }
    }
}
