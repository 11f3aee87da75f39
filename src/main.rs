//! The command line: parse arguments, dispatch to the command (one file each in
//! `cli/`), map its errors to exit codes (see `cli`).

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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

// The variants' doc comments are the commands' help; their flags live with the command.
#[derive(Subcommand)]
enum Command {
    /// Check the desired state without a database
    Validate(cli::validate::Args),
    /// Show what apply would change (exit 2 when there are changes)
    Plan(cli::plan::Args),
    /// Apply the plan in one verified transaction
    Apply(cli::apply::Args),
    /// Render a saved plan
    Show(cli::show::Args),
    /// Record a reviewer's approval of a saved plan's hazards (<plan>.approvals.toml)
    Approve(cli::approve::Args),
    /// Prove every declared confinement against effective privileges (exit 3 if broken)
    Verify(cli::verify::Args),
    /// Write the live state as desired-state TOML
    Import(cli::import::Args),
    /// Report every difference between desired and live: missing, different,
    /// unexpected (and unmanaged with --all); exit 2 on drift, 3 if a confinement is broken
    Drift(cli::drift::Args),
    /// Re-plan on an interval and report (warn), apply (enforce) or only plan (dry-run);
    /// alerts, metrics and health
    Reconcile(pgrecon::reconcile::ReconcileArgs),
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

async fn run(command: Command) -> Result<u8, cli::CliError> {
    match command {
        Command::Validate(args) => cli::validate::run(args),
        Command::Plan(args) => cli::plan::run(args).await,
        Command::Apply(args) => cli::apply::run(args).await,
        Command::Show(args) => cli::show::run(args),
        Command::Approve(args) => cli::approve::run(args),
        Command::Verify(args) => cli::verify::run(args).await,
        Command::Import(args) => cli::import::run(args).await,
        Command::Drift(args) => cli::drift::run(args).await,
        Command::Reconcile(args) => cli::reconcile::run(args).await,
    }
}
