//! How an apply fails or refuses: `ApplyError`, its messages (every name and server
//! text in them passes through `text_line`), and which errors a retry may get past.

use super::locks;
use crate::approval::Unapproved;
use crate::checks::{CheckFailure, Phase};
use crate::db_error::db_message;
use crate::escape::text_line;
use crate::introspect;
use crate::pipeline::PipelineError;
use crate::plan::{self, HazardKind};
use crate::saved::Stale;
use crate::{canon, diff};
use std::time::Duration;

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
    #[error(transparent)]
    Scratch(crate::scratch::ScratchError),
    /// Steps whose unapproved hazards are all destructive (`--allow-destructive`
    /// approves them).
    #[error("{}", unapproved_message(.0))]
    Destructive(Vec<Unapproved>),
    /// Steps with an unapproved hazard of a kind `--require-approval` made need approval.
    #[error("{}", unapproved_message(.0))]
    Unapproved(Vec<Unapproved>),
    #[error(
        "refusing to apply: --additive-only, and {} step{} of the plan drop, revoke or delete: {}",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, joined(.0)
    )]
    NotAdditive(Vec<String>),
    #[error(
        "refusing to apply the saved plan: {0}\n  help: re-run pgrecon plan --out, review the new plan, and apply it"
    )]
    Stale(Stale),
    #[error(
        "refusing to apply: the planned state breaks a declared confinement: {}\n  help: fix the desired state, or re-run with --allow-violation",
        joined(.0)
    )]
    Violation(Vec<String>),
    #[error(
        "the desired state asks for changes that cannot be made in place or by the connected role: {}\n  help: change the desired state (or migrate by hand, or apply as a role with the missing privilege) and re-run",
        joined(.0)
    )]
    Impossible(Vec<String>),
    #[error(
        "refusing to apply: the plan holds about {needed} locks until it commits, more than the server's lock table has free ({} = max_locks_per_transaction {} × {} slots, {} held by other sessions); nothing was changed\n  help: raise max_locks_per_transaction to at least {} (ALTER SYSTEM SET max_locks_per_transaction = {}, then restart the server), or apply the desired state in smaller parts",
        table.capacity(), table.max_locks_per_transaction, table.slots, table.in_use,
        table.setting_for(*needed), table.setting_for(*needed)
    )]
    LockBudget {
        needed: usize,
        table: locks::LockTable,
    },
    #[error("another pgrecon apply holds the lock on this database; gave up after {0:?}")]
    Locked(Duration),
    #[error("{0}; rolled back, nothing was changed")]
    Check(CheckFailure),
    #[error(
        "step {number} ({}) failed: {}; nothing was changed",
        text_line(summary),
        text_line(message)
    )]
    Step {
        number: usize,
        summary: String,
        message: String,
        /// The server's SQLSTATE, when the server raised the error.
        sqlstate: Option<String>,
    },
    /// A step lost to a change another session made to the same catalog rows meanwhile
    /// (`conflict`); retried like a lock timeout.
    #[error(
        "step {number} ({}) conflicted with a change another session made to the same object meanwhile (SQLSTATE {sqlstate}; roles, memberships and role settings are shared by every database of the cluster); rolled back, nothing was changed\n  help: re-run apply, which plans again from the changed catalog (--retries retries it by itself)",
        text_line(summary)
    )]
    Conflict {
        number: usize,
        summary: String,
        sqlstate: String,
    },
    #[error(
        "the database did not converge: after running the plan {} change{} remained ({}); rolled back, nothing was changed",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, joined(.0)
    )]
    NotConverged(Vec<String>),
    #[error(
        "apply aborted after step {number}: {}; rolled back, nothing was changed",
        text_line(message)
    )]
    Aborted { number: usize, message: String },
    #[error(
        "the transaction committed, but after the steps that run outside it {} change{} remained ({}); re-run apply",
        .0.len(), if .0.len() == 1 { "" } else { "s" }, joined(.0)
    )]
    DeferredNotConverged(Vec<String>),
    #[error(
        "the transaction and the steps after it are committed, but reading the catalog again to prove it failed: {}; re-run apply, which plans from what is there",
        text_line(.0)
    )]
    DeferredUnverified(String),
    #[error(
        "step {number} ({}) failed outside the transaction: {}; the transaction's steps are committed; {cleanup}",
        text_line(summary),
        text_line(message)
    )]
    DeferredStep {
        number: usize,
        summary: String,
        message: String,
        /// What became of what the failed statement left behind.
        cleanup: Cleanup,
    },
    #[error("password of role `{}` is not available; it cannot be set", text_line(.0))]
    MissingSecret(String),
    #[error(
        "the audit table {} cannot be used: {}; nothing was changed\n  help: {}",
        text_line(table),
        text_line(message),
        AUDIT_TABLE_HELP
    )]
    AuditTable { table: String, message: String },
    /// The connection dropped while `COMMIT` was in flight (see `apply::resolve_commit`).
    #[error("{0}")]
    CommitUnknown(Box<super::CommitUnknown>),
    #[error(
        "database error during apply: {}; nothing was changed",
        text_line(&db_message(.0))
    )]
    Database(#[from] tokio_postgres::Error),
}

/// What became of what a failed step outside the transaction left behind (the invalid
/// index of a failed `CREATE INDEX CONCURRENTLY`). Only a cleanup that ran is claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleanup {
    /// The step has nothing to clean up.
    Nothing,
    /// Every cleanup statement succeeded.
    Done,
    /// A cleanup statement failed (the connection may be gone): what was left stays,
    /// and the next plan reports it (an invalid index is drift, rebuilt).
    Failed(String),
}

impl std::fmt::Display for Cleanup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cleanup::Nothing => f.write_str("re-run apply"),
            Cleanup::Done => f.write_str("what it left behind was dropped; re-run apply"),
            Cleanup::Failed(e) => write!(
                f,
                "what it left behind could not be dropped ({}); re-run apply, which rebuilds it",
                text_line(e)
            ),
        }
    }
}

/// The shape `--audit-table` expects.
pub const AUDIT_TABLE_HELP: &str = "create it first, e.g. CREATE TABLE pgrecon_audit.runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now(), record jsonb NOT NULL), outside the schemas pgrecon manages (or declare it)";

/// Step summaries and messages name live objects: each is one `text_line`, so a name
/// cannot add a line to the message (its own `help:` lines are the only ones).
fn joined(items: &[String]) -> String {
    let shown: Vec<_> = items.iter().map(|i| text_line(i)).collect();
    shown.join("; ")
}

fn unapproved_message(steps: &[Unapproved]) -> String {
    let kinds: std::collections::BTreeSet<HazardKind> =
        steps.iter().flat_map(|s| s.kinds.iter().copied()).collect();
    let list: Vec<String> = steps
        .iter()
        .map(|s| {
            let k: Vec<&str> = s.kinds.iter().map(|k| k.as_str()).collect();
            format!("{} [{}]", text_line(&s.summary), k.join(", "))
        })
        .collect();
    let flags: Vec<String> = kinds
        .iter()
        .map(|k| format!("--allow-hazard {k}"))
        .collect();
    let destructive = if kinds.iter().all(|k| k.is_destructive()) {
        " (or --allow-destructive)"
    } else {
        ""
    };
    format!(
        "refusing to apply {} step{} with unapproved hazards: {}\n  help: review them, then re-run with {}{destructive}, or have a reviewer approve the saved plan in its approvals file",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" },
        list.join("; "),
        flags.join(" "),
    )
}

impl From<PipelineError> for ApplyError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Introspect(e) => ApplyError::Introspect(e),
            PipelineError::Canon(e) => ApplyError::Canon(e),
            PipelineError::Diff(e) => ApplyError::Diff(e),
            PipelineError::Plan(e) => ApplyError::Plan(e),
            PipelineError::Scratch(e) => ApplyError::Scratch(e),
        }
    }
}

impl ApplyError {
    /// Whether the error is a lock timeout (SQLSTATE 55P03) inside the transaction,
    /// which a retry of the whole transaction may get past.
    pub fn is_lock_timeout(&self) -> bool {
        const CODE: &str = "55P03";
        match self {
            ApplyError::Step { sqlstate, .. } => sqlstate.as_deref() == Some(CODE),
            ApplyError::Database(e) => crate::db_error::is_lock_timeout(e),
            ApplyError::Introspect(e) => e.is_lock_timeout(),
            ApplyError::Canon(e) => e.is_lock_timeout(),
            ApplyError::Check(f) => f.sqlstate.as_deref() == Some(CODE),
            _ => false,
        }
    }

    /// Whether a step lost to a concurrent change of the same catalog rows (a role
    /// created or altered from another database meanwhile), which a retry gets past.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApplyError::Conflict { .. })
    }

    /// Whether apply refused before running any step (as opposed to failing).
    pub fn is_refusal(&self) -> bool {
        if let ApplyError::Check(f) = self {
            return f.phase == Phase::Before;
        }
        matches!(
            self,
            ApplyError::Unapproved(_)
                | ApplyError::Destructive(_)
                | ApplyError::NotAdditive(_)
                | ApplyError::Stale(_)
                | ApplyError::Violation(_)
                | ApplyError::Impossible(_)
                | ApplyError::MissingSecret(_)
                | ApplyError::AuditTable { .. }
                | ApplyError::LockBudget { .. }
        )
    }
}
