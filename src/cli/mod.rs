//! The commands of the `pgrecon` binary, one file each, and what they share: the common
//! flags, the error type and its exit codes, the session and the run report.
//! Exit codes (Terraform style): 0 nothing to do / success, 1 error, 2 changes pending,
//! 3 a policy check failed.

pub mod apply;
pub mod approve;
pub mod drift;
pub mod import;
pub mod plan;
pub mod reconcile;
pub mod show;
pub mod validate;
pub mod verify;

use pgrecon::config::{self, Desired};
use pgrecon::model::Catalog;
use pgrecon::pipeline::{self, Access, EmbeddedNotice, Session};
use pgrecon::render::escape::text_line;
use pgrecon::report::{RunReport, Status};
use pgrecon::scratch::CanonSite;
use pgrecon::{approval, canon, conn, diff, introspect};
use std::path::PathBuf;
use std::time::Instant;

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_CHANGES: u8 = 2;
pub const EXIT_POLICY: u8 = 3;

#[derive(clap::Args, Clone)]
pub struct DirArg {
    /// Directory of desired-state TOML files
    #[arg(long, default_value = "desired-state")]
    pub dir: PathBuf,
}

#[derive(clap::Args, Clone)]
pub struct ReportArg {
    /// Write a JSON run report (who, where, plan id, steps and timings, result,
    /// fingerprints, validation matrix) into this directory
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
}

#[derive(clap::Args, Clone)]
pub struct DbArg {
    /// Connection URL or libpq key=value string; else DATABASE_URL, else the PG*
    /// variables; with none of them, read-only commands start an embedded throwaway
    /// PostgreSQL (apply only with --embedded)
    #[arg(long)]
    pub database_url: Option<String>,
    /// When no connection is configured, use an embedded throwaway PostgreSQL started
    /// from the installed server binaries (apply refuses without it)
    #[arg(long)]
    pub embedded: bool,
}

/// Where a read-only command canonicalises the desired state.
#[derive(clap::Args, Clone)]
pub struct CanonArg {
    /// An empty database of the target's major version to canonicalise the desired
    /// state in (everything created there is rolled back); default: a throwaway server
    /// started from the installed server binaries of that version
    #[arg(long, value_name = "URL", conflicts_with = "canon_in_target")]
    pub dev_url: Option<String>,
    /// Canonicalise in the target itself, in a transaction that is rolled back (needs
    /// CREATE on the database)
    #[arg(long)]
    pub canon_in_target: bool,
}

impl CanonArg {
    /// The site; a throwaway target is its own scratch database.
    pub fn site(&self, session: &Session) -> Result<CanonSite, CliError> {
        if self.canon_in_target || session.is_embedded() {
            return Ok(CanonSite::Target);
        }
        match &self.dev_url {
            None => Ok(CanonSite::Embedded),
            Some(url) => {
                let settings = pgrecon::conn::resolve(Some(url))
                    .map_err(pipeline::TargetError::from)?
                    .ok_or(pipeline::TargetError::Conn(
                        pgrecon::conn::ConnError::EmptyUrl,
                    ))?;
                Ok(CanonSite::DevUrl(Box::new(settings)))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

/// Every way a command can fail, each from the library's own error type (full paths
/// where a library module shares its name with a command module here).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] config::ConfigErrors),
    #[error(transparent)]
    Target(#[from] pipeline::TargetError),
    #[error(transparent)]
    Conn(#[from] conn::ConnError),
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
    Plan(#[from] pgrecon::plan::PlanError),
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
    #[error(transparent)]
    Apply(#[from] pgrecon::apply::ApplyError),
    #[error(transparent)]
    Import(#[from] pgrecon::import::ImportError),
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
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Apply(pgrecon::apply::ApplyError::Violation(_)) => EXIT_POLICY,
            _ => EXIT_ERROR,
        }
    }

    pub fn report(&self) {
        match self {
            CliError::Config(errors) => eprint!("{}", config::render(errors)),
            // Library errors wrap driver errors whose own text is terse ("db error"):
            // print the whole chain, as conn does.
            other => eprintln!("error: {}", conn::error_chain(other)),
        }
    }

    /// A pipeline failure, with a desired object the server rejected pointing at its
    /// declaration.
    pub fn located(e: pipeline::PipelineError, desired: &Desired) -> CliError {
        match e {
            pipeline::PipelineError::Canon(c) => CliError::Rejected(c.located(&desired.sources)),
            other => other.into(),
        }
    }
}

/// Opens the session of a command; with nothing configured, an embedded server where
/// `access` allows one, announced on stderr.
pub async fn open(db: &DbArg, access: Access) -> Result<Session, CliError> {
    let target = pipeline::target(
        db.database_url.as_deref(),
        access,
        &mut |notice| match notice {
            EmbeddedNotice::Starting => eprintln!(
                "note: no connection configured (--database-url, DATABASE_URL or PG* variables); \
                 starting an embedded throwaway PostgreSQL"
            ),
            EmbeddedNotice::Started(embedded) => eprintln!(
                "note: embedded PostgreSQL {} running at {} (removed when pgrecon exits)",
                embedded.version(),
                embedded.socket_dir().display()
            ),
        },
    )
    .await?;
    Ok(target.open().await?)
}

/// Loads the desired state and its secrets; warnings go to stderr.
pub fn load(dir: &DirArg) -> Result<Desired, CliError> {
    let desired = pipeline::load(&dir.dir)?;
    for w in &desired.warnings {
        eprintln!("warning: {}", text_line(w));
    }
    Ok(desired)
}

/// [`load`] and [`open`], and the live catalog read: the desired state is parsed on
/// another thread while the catalog is read, as on a large catalog each takes about as
/// long as the other. An error in the desired state is reported first (it is the
/// user's to fix whatever the database says).
pub async fn load_and_read(
    dir: &DirArg,
    db: &DbArg,
    access: Access,
) -> Result<(Desired, Session, Catalog), CliError> {
    let to_load = dir.clone();
    let loading = tokio::task::spawn_blocking(move || load(&to_load));
    let read = async {
        let mut session = open(db, access).await?;
        let live = introspect::snapshot(&mut session.client).await;
        Ok::<_, CliError>((session, live))
    }
    .await;
    let desired = match loading.await {
        Ok(loaded) => loaded?,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let (session, live) = read?;
    Ok((desired, session, live?))
}

/// Creates the report directory up front, so that a run whose report cannot be
/// written is refused before it changes anything.
pub fn prepare_report_dir(report: &ReportArg) -> Result<(), CliError> {
    if let Some(dir) = &report.report_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Report(format!("{}: {e}", dir.display())))?;
    }
    Ok(())
}
/// Finishes and writes the run report of a command that ended with `result`.
pub fn write_report(
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
