//! The sequence every command runs: load the desired state (and its secrets), find the
//! target (an explicit connection, or the embedded server), read the live catalog in one
//! snapshot, canonicalise the desired state against it, diff and plan; and what `plan`
//! and `apply` decide before anything runs (the saved plan's id, the notes that make a
//! plan impossible, the confinements of the planned state). Commands differ only in
//! what they do with the result, so they share these steps instead of repeating them.

use crate::checks::Check;
use crate::config::{self, ConfigErrors, Desired};
use crate::conn::{self, ConnError, ConnectionSettings};
use crate::diff::{self, Diff, DiffOptions, NoteKind};
use crate::embedded::{EmbeddedError, EmbeddedPostgres};
use crate::model::Catalog;
use crate::plan::{self, Plan};
use crate::saved::fingerprint::Detail;
use crate::saved::{SaveInput, SavedPlan};
use crate::scratch::{self, CanonSite, ScratchError};
use crate::{canon, introspect, verify};
use std::path::Path;

/// Loads the desired state in `dir` and reads the password sources it names from the
/// process environment. Its warnings are left in `Desired::warnings`: each caller shows
/// them its own way (stderr, log lines).
pub fn load(dir: &Path) -> Result<Desired, ConfigErrors> {
    let mut desired = config::load_dir(dir)?;
    config::resolve_secrets(&mut desired, &|var| std::env::var(var).ok())?;
    Ok(desired)
}

/// What a command does to the database, which decides where it may connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: with no connection configured, an embedded throwaway server is used.
    ReadOnly,
    /// Changes the database: with no connection configured it is refused (naming
    /// `verb`, as in "no database to apply to") unless `embedded` (`--embedded`), so a
    /// deploy job whose connection secret is missing fails instead of changing a
    /// throwaway server and reporting success.
    Change { verb: &'static str, embedded: bool },
}

/// What happens to the embedded server, for the caller to say its own way.
pub enum EmbeddedNotice<'a> {
    /// Nothing is configured; the server is about to start.
    Starting,
    Started(&'a EmbeddedPostgres),
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    Conn(#[from] ConnError),
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
}

/// Where to connect and, when nothing was configured, the embedded server the settings
/// point at: it is removed when the `Target` (or the [`Session`] it became) is dropped.
pub struct Target {
    pub settings: ConnectionSettings,
    pub embedded: Option<EmbeddedPostgres>,
}

/// A connection and the embedded server it points at, if any, kept alive with it.
pub struct Session {
    pub client: tokio_postgres::Client,
    _embedded: Option<EmbeddedPostgres>,
}

impl Session {
    /// Whether the target is a throwaway server pgrecon started.
    pub fn is_embedded(&self) -> bool {
        self._embedded.is_some()
    }
}

/// Resolves the connection (`--database-url`, `DATABASE_URL`, the `PG*` variables) or,
/// when none is configured and `access` allows it, starts an embedded server.
pub async fn target(
    database_url: Option<&str>,
    access: Access,
    notice: &mut dyn FnMut(EmbeddedNotice<'_>),
) -> Result<Target, TargetError> {
    let resolved = match access {
        Access::ReadOnly => conn::resolve(database_url)?,
        Access::Change { verb, embedded } => {
            conn::resolve_for_change(database_url, embedded, verb)?
        }
    };
    if let Some(settings) = resolved {
        return Ok(Target {
            settings,
            embedded: None,
        });
    }
    notice(EmbeddedNotice::Starting);
    let embedded = tokio::task::spawn_blocking(EmbeddedPostgres::start)
        .await
        .expect("embedded start does not panic")?;
    notice(EmbeddedNotice::Started(&embedded));
    let settings = ConnectionSettings::from_config(embedded.config("postgres"));
    Ok(Target {
        settings,
        embedded: Some(embedded),
    })
}

impl Target {
    /// Connects; the session keeps the embedded server alive.
    pub async fn open(self) -> Result<Session, ConnError> {
        let client = conn::connect(&self.settings).await?;
        Ok(Session {
            client,
            _embedded: self.embedded,
        })
    }
}

/// A failure of the read–canonicalise–diff–plan sequence, by stage.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Introspect(#[from] introspect::IntrospectError),
    #[error(transparent)]
    Canon(#[from] canon::CanonError),
    #[error(transparent)]
    Scratch(ScratchError),
    #[error(transparent)]
    Diff(#[from] diff::DiffError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
}

/// One snapshot of the database planned against the desired state.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The desired catalog in the server's canonical form.
    pub desired: Catalog,
    pub live: Catalog,
    pub diff: Diff,
    pub plan: Plan,
}

/// Reads the live catalog (one snapshot), canonicalises `desired` against it (in a
/// transaction that is rolled back), diffs and plans. Changes nothing.
pub async fn read_and_plan(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
    options: &DiffOptions,
    site: &CanonSite,
    apply_as: Option<&str>,
) -> Result<Planned, PipelineError> {
    let live = introspect::snapshot(client).await?;
    plan_snapshot(client, live, desired, options, site, apply_as).await
}

/// [`read_and_plan`] against a snapshot already read (`introspect::snapshot`) on the
/// same connection.
pub async fn plan_snapshot(
    client: &mut tokio_postgres::Client,
    live: Catalog,
    desired: &Catalog,
    options: &DiffOptions,
    site: &CanonSite,
    apply_as: Option<&str>,
) -> Result<Planned, PipelineError> {
    let canonical = scratch::canonicalize(client, desired, &live, site)
        .await
        .map_err(|e| match e {
            ScratchError::Canon(e) => PipelineError::Canon(e),
            other => PipelineError::Scratch(other),
        })?;
    let desired = canonical.desired;
    let (diff, mut plan) = match apply_as {
        Some(role) => {
            // What apply does depends on who runs it (the owner of what it creates, the
            // default privileges that apply at creation, the role it never drops).
            let mut applying = live.clone();
            if let Some(server) = applying.server.as_mut() {
                server.current_user = role.to_string();
            }
            let mut diff = diff::diff(&desired, &applying, options)?;
            let plan = authorized(&mut diff, &applying, role)?;
            (diff, plan)
        }
        None => {
            let diff = diff::diff(&desired, &live, options)?;
            let plan = plan::build(&diff)?;
            (diff, plan)
        }
    };
    if !canonical.notes.is_empty() {
        plan.notes.extend(canonical.notes);
        plan.notes.sort();
    }
    Ok(Planned {
        desired,
        live,
        diff,
        plan,
    })
}

/// The plan from `live` to `desired` (already canonical). Pure.
/// The plan of `diff` with what `role` may not do refused (as `error` notes): the
/// role changes it lacks the power for, the objects it does not own.
fn authorized(diff: &mut Diff, live: &Catalog, role: &str) -> Result<Plan, PipelineError> {
    diff::authority::refuse(diff, live, role);
    let mut plan = plan::build(diff)?;
    plan::authority::refuse_unauthorized(&mut plan, live, role);
    Ok(plan)
}

/// The plan apply runs, computed inside its transaction: what the connected role may
/// not do is refused.
pub fn replan(
    desired: &Catalog,
    live: &Catalog,
    options: &DiffOptions,
) -> Result<Plan, PipelineError> {
    let mut diff = diff::diff(desired, live, options)?;
    match live.server.as_ref() {
        Some(server) => authorized(&mut diff, live, &server.current_user),
        None => Ok(plan::build(&diff)?),
    }
}

impl Planned {
    /// The saved form of the plan; the plan takes its id, so the id shown is the one
    /// `show`, approvals and `apply --plan` use.
    pub fn save(&mut self, checks: &[Check], prune: bool, detail: Detail) -> SavedPlan {
        let saved = SavedPlan::new(&SaveInput {
            plan: &self.plan,
            desired: &self.desired,
            checks,
            live: &self.live,
            prune,
            detail,
        });
        self.plan.plan_id = saved.plan_id.clone();
        saved
    }
}

/// The declared changes that cannot be made in place (`error` notes), as
/// `object: message`; a plan with any must not run.
pub fn impossible(plan: &Plan) -> Vec<String> {
    plan.notes
        .iter()
        .filter(|n| n.kind == NoteKind::Error)
        .map(|n| format!("{}: {}", n.object, n.message))
        .collect()
}

/// The confinements checked against the state the plan would produce
/// (`verify::project`), so a plan that would break one is refused before it runs.
pub fn planned_confinement(desired: &Catalog, live: &Catalog) -> verify::Report {
    // With no confinement declared the verdict reads nothing of the state: the
    // projection (a copy of the whole live catalog) is not built.
    if desired.roles.values().all(|r| r.confinement.is_none()) {
        return verify::verify(desired, live);
    }
    verify::verify(desired, &verify::project(desired, live))
}
