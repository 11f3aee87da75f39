//! The flags of `pgrecon reconcile` and its modes.

use super::schedule;
use super::webhook::WebhookFormat;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What a run does once it knows the drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Report drift (logs, alerts, metrics); change nothing.
    #[default]
    Warn,
    /// Apply every step that needs no approval; destructive steps are held back and
    /// reported unless --allow-destructive.
    Enforce,
    /// Plan only: logs and metrics, no alerts, no change.
    DryRun,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Warn => "warn",
            Mode::Enforce => "enforce",
            Mode::DryRun => "dry-run",
        }
    }
}

/// `pgrecon reconcile` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ReconcileArgs {
    /// Directory of desired-state TOML files, read again at every run
    #[arg(long, default_value = "desired-state")]
    pub dir: PathBuf,
    /// Connection URL or libpq key=value string; else DATABASE_URL, else the PG*
    /// variables; with none of them the loop refuses to start unless --embedded
    #[arg(long)]
    pub database_url: Option<String>,
    /// When no connection is configured, reconcile an embedded throwaway PostgreSQL
    /// started from the installed server binaries
    #[arg(long)]
    pub embedded: bool,
    /// warn: report drift; enforce: apply what needs no approval; dry-run: plan only
    #[arg(long, value_enum, default_value = "warn", env = "PGRECON_MODE")]
    pub mode: Mode,
    /// Time between the starts of two runs (minimum 10s)
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub interval: Duration,
    /// Random spread of the interval, as a fraction or a percentage
    #[arg(long, default_value = "10%", value_parser = schedule::parse_jitter)]
    pub jitter: f64,
    /// One run, then exit with the drift/apply exit code (for cron, systemd timers,
    /// Kubernetes CronJobs)
    #[arg(long)]
    pub once: bool,
    /// enforce: also apply destructive steps (drop a role, delete data)
    #[arg(long)]
    pub allow_destructive: bool,
    /// Plan drops of undeclared objects in the owned scope (applied by enforce only
    /// with --allow-destructive)
    #[arg(long)]
    pub prune: bool,
    /// POST an event here on each state change (repeatable; also PGRECON_WEBHOOK)
    #[arg(long = "webhook", value_name = "URL", env = "PGRECON_WEBHOOK")]
    pub webhooks: Vec<String>,
    /// Payload of the webhook posts
    #[arg(long, value_enum, default_value = "json")]
    pub webhook_format: WebhookFormat,
    /// Serve /metrics (Prometheus), /healthz and /readyz here, e.g. 127.0.0.1:9187
    #[arg(long, value_name = "ADDR", env = "PGRECON_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Also write a full JSON run report per run into this directory
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Keep the alert state (what was last reported) in this file, so that separate
    /// `--once` runs alert once per transition too
    #[arg(long, value_name = "FILE")]
    pub state_file: Option<PathBuf>,
    /// A run that takes longer is abandoned (its transaction rolls back) and counts as
    /// failed
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration)]
    pub run_timeout: Duration,
    /// enforce: lock_timeout for each statement
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub lock_timeout: Duration,
    /// enforce: statement_timeout for each statement
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub statement_timeout: Duration,
    /// enforce: how long to wait for another pgrecon apply on the same database
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub lock_wait: Duration,
}
