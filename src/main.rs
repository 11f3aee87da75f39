//! The command line: parse arguments, call the library, map its errors to exit codes.
//! Exit codes (Terraform style): 0 nothing to do / success, 1 error, 2 changes pending,
//! 3 a policy check failed.

use clap::{Parser, Subcommand};
use pgrecon::apply::{self, ApplyOptions, ApplyOutcome};
use pgrecon::config::{self, Desired};
use pgrecon::diff::{self, DiffOptions};
use pgrecon::embedded::EmbeddedPostgres;
use pgrecon::render::{self, Format, Target};
use pgrecon::{canon, conn, import, introspect, plan, verify};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
}

#[derive(clap::Args, Clone)]
struct DirArg {
    /// Directory of desired-state TOML files
    #[arg(long, default_value = "desired-state")]
    dir: PathBuf,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// Connection URL or libpq key=value string; else DATABASE_URL, else the PG*
    /// variables; with none of them an embedded throwaway PostgreSQL is started
    #[arg(long)]
    database_url: Option<String>,
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
    },
    /// Apply the plan in one verified transaction
    Apply {
        #[command(flatten)]
        dir: DirArg,
        #[command(flatten)]
        db: DbArg,
        /// Approve destructive steps (drops of schemas and roles)
        #[arg(long)]
        allow_destructive: bool,
        /// Include drops of undeclared objects in the owned scope
        #[arg(long)]
        prune: bool,
        /// lock_timeout for each statement
        #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
        lock_timeout: Duration,
        /// statement_timeout for each statement
        #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
        statement_timeout: Duration,
        /// How long to wait for another pgrecon apply on the same database
        #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
        lock_wait: Duration,
        /// Apply even if the planned state breaks a declared confinement
        #[arg(long)]
        allow_violation: bool,
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
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum VerifyFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PGRECON_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
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

async fn open(db: &DbArg) -> Result<Session, CliError> {
    if let Some(settings) = conn::resolve(db.database_url.as_deref())? {
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
        eprintln!("warning: {w}");
    }
    Ok(desired)
}

fn target_of(live: &pgrecon::model::Catalog) -> Target {
    Target {
        database: live
            .database
            .as_ref()
            .and_then(|d| d.name.clone())
            .unwrap_or_default(),
        server_version: live
            .server
            .as_ref()
            .map(|s| s.version.clone())
            .unwrap_or_default(),
    }
}

/// Prints the plan apply computed under its lock, before it runs.
struct PrintPlan;
impl apply::ApplyHooks for PrintPlan {
    fn on_plan(&mut self, plan: &plan::Plan) {
        if !plan.is_empty() {
            print!("{}", render::render(plan, None, Format::Text));
        }
    }
}

async fn run(command: Command) -> Result<u8, CliError> {
    match command {
        Command::Validate { dir } => {
            let desired = config::load_dir(&dir.dir)?;
            let c = &desired.catalog;
            println!(
                "desired state in {} is valid: {} roles, {} schemas, {} per-object grants",
                dir.dir.display(),
                c.roles.len(),
                c.schemas.len(),
                c.relations.len() + c.functions.len()
            );
            Ok(0)
        }
        Command::Plan {
            dir,
            db,
            format,
            prune,
            allow_violation,
        } => {
            let desired = load(&dir)?;
            let mut session = open(&db).await?;
            let desired =
                canon::in_scratch_transaction(&mut session.client, &desired.catalog).await?;
            let live = introspect::snapshot(&mut session.client).await?;
            let d = diff::diff(&desired, &live, &DiffOptions { prune })?;
            let plan = plan::build(&d)?;
            print!("{}", render::render(&plan, Some(&target_of(&live)), format));
            if plan.notes.iter().any(|n| n.kind == diff::NoteKind::Error) {
                eprintln!(
                    "error: the desired state asks for changes that cannot be made in place \
                     (see the notes marked error above)"
                );
                return Ok(EXIT_ERROR);
            }
            // The state this plan would produce must keep every declared confinement.
            let report = verify::verify(&desired, &verify::project(&desired, &live));
            if !report.ok {
                eprintln!(
                    "{}: the planned state breaks a declared confinement:",
                    if allow_violation { "warning" } else { "error" }
                );
                for (_, v) in report.violations() {
                    eprintln!("  ✗ {}", v.path);
                }
                if !allow_violation {
                    return Ok(EXIT_POLICY);
                }
            }
            Ok(if plan.is_empty() { 0 } else { EXIT_CHANGES })
        }
        Command::Apply {
            dir,
            db,
            allow_destructive,
            prune,
            lock_timeout,
            statement_timeout,
            lock_wait,
            allow_violation,
        } => {
            let desired = load(&dir)?;
            let mut session = open(&db).await?;
            let options = ApplyOptions {
                diff: DiffOptions { prune },
                allow_destructive,
                lock_timeout,
                statement_timeout,
                lock_wait,
                allow_violation,
            };
            let outcome = apply::apply(
                &mut session.client,
                &desired.catalog,
                &options,
                &mut PrintPlan,
            )
            .await?;
            match outcome {
                ApplyOutcome::NoChanges(_) => {
                    println!("{}", render::NO_CHANGES);
                    Ok(0)
                }
                ApplyOutcome::Applied { plan, duration, .. } => {
                    println!(
                        "\nApplied {} step{} in {} ms and verified in the same transaction.",
                        plan.steps.len(),
                        if plan.steps.len() == 1 { "" } else { "s" },
                        duration.as_millis()
                    );
                    // Proof from outside the transaction: a fresh plan is empty.
                    let live = introspect::snapshot(&mut session.client).await?;
                    let again = plan::build(&diff::diff(&desired.catalog, &live, &options.diff)?)?;
                    println!("\nRe-plan after apply:");
                    print!("{}", render::render(&again, None, Format::Text));
                    Ok(if again.is_empty() { 0 } else { EXIT_CHANGES })
                }
            }
        }
        Command::Verify { dir, db, format } => {
            let desired = load(&dir)?;
            let mut session = open(&db).await?;
            let live = introspect::snapshot(&mut session.client).await?;
            let mut report = verify::verify(&desired.catalog, &live);
            verify::server_check(&session.client, &desired.catalog, &mut report)
                .await
                .map_err(|e| CliError::Verify(conn::error_chain(&e)))?;
            match format {
                VerifyFormat::Text => print!("{}", verify::render_text(&report)),
                VerifyFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serializes")
                ),
            }
            Ok(if report.ok { 0 } else { EXIT_POLICY })
        }
        Command::Import { db, out, schemas } => {
            let mut session = open(&db).await?;
            let live = introspect::snapshot(&mut session.client).await?;
            let report = import::write(&live, &import::ImportOptions { schemas }, &out)?;
            print!("{report}");
            Ok(0)
        }
    }
}
