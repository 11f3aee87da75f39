//! Run reports: the audit trail of every `plan` and `apply` (`--report-dir`), and the
//! record `--audit-table` inserts inside the apply transaction.
//!
//! A report says who ran what where, the plan id, each step with its timing, each check,
//! the result, the fingerprints of the managed objects before and after (and which
//! objects changed between them), and the validation matrix: every declared role, schema
//! and table checked against the live catalog, what is missing and what is unexpected.
//! Timestamps belong here (never in a saved plan).

use crate::checks::CheckRun;
use crate::diff::{Note, NoteKind};
use crate::model::{Catalog, is_builtin_role};
use crate::plan::{Plan, Step};
use crate::saved::TargetIdentity;
use crate::saved::fingerprint::{self, Fingerprint};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Version of the report document.
pub const FORMAT_VERSION: u32 = 1;

/// One run of a command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub format_version: u32,
    /// Always `pgrecon-run`.
    pub kind: String,
    pub tool_version: String,
    /// `plan`, `apply`.
    pub command: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: u64,
    pub who: Option<Who>,
    pub target: Option<TargetIdentity>,
    pub plan_id: Option<String>,
    /// The saved plan applied (`apply --plan`), as given.
    pub saved_plan: Option<String>,
    pub desired_state_hash: Option<String>,
    /// Approved hazard kinds the plan uses, with what approved each.
    pub approvals: Vec<ApprovalRecord>,
    /// How many times the transaction was attempted (lock timeouts are retried).
    pub attempts: u32,
    /// Why earlier attempts failed.
    pub retried: Vec<String>,
    pub steps: Vec<StepRecord>,
    pub checks: Vec<CheckRun>,
    pub result: RunResult,
    pub fingerprint_before: Option<FingerprintSummary>,
    pub fingerprint_after: Option<FingerprintSummary>,
    /// Objects whose fingerprint differs between before and after.
    pub changed_objects: Vec<String>,
    pub validation: Option<Validation>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    /// The database role pgrecon ran as (`current_user`).
    pub current_user: String,
    /// `$USER` of the process, when set.
    pub os_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub hazard: String,
    pub approved_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Planned, not run (plan, or a run that stopped before it).
    Planned,
    /// Ran in the transaction (committed if the result is ok).
    Ran,
    /// Ran after the commit, on its own.
    RanAfterCommit,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub number: usize,
    pub summary: String,
    pub hazards: Vec<String>,
    pub transactional: bool,
    pub status: StepStatus,
    pub duration_ms: Option<u64>,
}

impl StepRecord {
    pub fn planned(step: &Step) -> Self {
        StepRecord {
            number: step.number,
            summary: step.summary.clone(),
            hazards: step.hazards.iter().map(|h| h.kind.to_string()).collect(),
            transactional: step.transactional,
            status: StepStatus::Planned,
            duration_ms: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied and verified.
    Ok,
    /// Nothing to do.
    NoChanges,
    /// A plan with changes (exit 2).
    Changes,
    /// Refused before anything ran (approval, stale plan, policy, checks …).
    Refused,
    #[default]
    Error,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResult {
    pub status: Status,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintSummary {
    pub hash: String,
    pub objects: usize,
}

impl From<&Fingerprint> for FingerprintSummary {
    fn from(f: &Fingerprint) -> Self {
        FingerprintSummary {
            hash: f.hash.clone(),
            objects: f.count,
        }
    }
}

/// Declared objects checked against a live catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// `live before apply`, `live after apply`, `live` (plan).
    pub against: String,
    pub roles: Checked,
    pub schemas: Checked,
    pub tables: Checked,
    /// Objects in the owned scope that are not declared (drift; dropped with --prune).
    pub unexpected: Vec<String>,
    /// Objects of kinds pgrecon does not manage found in declared schemas.
    pub unmanaged: Vec<String>,
    /// Steps still to run against this catalog (0 after a verified apply).
    pub pending_changes: usize,
    /// Nothing missing and nothing pending.
    pub ok: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub checked: Vec<String>,
    pub missing: Vec<String>,
}

/// The validation matrix of `desired` against `live`, with the notes and pending steps
/// of the plan between them.
pub fn validation(
    against: &str,
    desired: &Catalog,
    live: &Catalog,
    notes: &[Note],
    pending_changes: usize,
) -> Validation {
    let mut v = Validation {
        against: against.to_string(),
        pending_changes,
        ..Validation::default()
    };
    for name in desired.roles.keys().filter(|r| !is_builtin_role(r)) {
        v.roles.checked.push(name.clone());
        if !live.roles.contains_key(name) {
            v.roles.missing.push(name.clone());
        }
    }
    for name in desired.schemas.keys() {
        v.schemas.checked.push(name.clone());
        if !live.schemas.contains_key(name) {
            v.schemas.missing.push(name.clone());
        }
    }
    for name in desired.tables.keys() {
        v.tables.checked.push(name.to_string());
        if !live.tables.contains_key(name) {
            v.tables.missing.push(name.to_string());
        }
    }
    for n in notes {
        match n.kind {
            NoteKind::Unexpected => v.unexpected.push(n.object.to_string()),
            NoteKind::Unmanaged => v.unmanaged.push(n.object.to_string()),
            _ => {}
        }
    }
    v.ok = v.roles.missing.is_empty()
        && v.schemas.missing.is_empty()
        && v.tables.missing.is_empty()
        && pending_changes == 0;
    v
}

/// Now, RFC 3339 in UTC with milliseconds.
pub fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl RunReport {
    pub fn start(command: &str) -> Self {
        RunReport {
            format_version: FORMAT_VERSION,
            kind: "pgrecon-run".to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            started_at: now(),
            ..RunReport::default()
        }
    }

    /// Who and where, from the live catalog.
    pub fn set_live(&mut self, live: &Catalog) {
        if let Some(server) = &live.server {
            self.who = Some(Who {
                current_user: server.current_user.clone(),
                os_user: std::env::var("USER").ok().filter(|u| !u.is_empty()),
            });
        }
        self.target = Some(TargetIdentity::of(live));
    }

    pub fn set_plan(&mut self, plan: &Plan) {
        self.plan_id = Some(plan.plan_id.clone());
        self.steps = plan.steps.iter().map(StepRecord::planned).collect();
    }

    pub fn step_ran(&mut self, number: usize, status: StepStatus, took: Duration) {
        if let Some(s) = self.steps.iter_mut().find(|s| s.number == number) {
            s.status = status;
            s.duration_ms = Some(millis(took));
        }
    }

    pub fn set_fingerprints(&mut self, before: &Fingerprint, after: Option<&Fingerprint>) {
        self.fingerprint_before = Some(before.into());
        self.fingerprint_after = after.map(Into::into);
        self.changed_objects = match after {
            Some(after) => fingerprint::compare(before, after)
                .iter()
                .map(ToString::to_string)
                .collect(),
            None => Vec::new(),
        };
    }

    /// Sets the result and the end time.
    pub fn finish(&mut self, status: Status, message: Option<String>, started: std::time::Instant) {
        self.result = RunResult { status, message };
        self.finished_at = Some(now());
        self.duration_ms = millis(started.elapsed());
    }

    pub fn to_json(&self) -> String {
        // Escaped as plan JSON is: messages and object names may hold bidi controls.
        let mut s = crate::escape::json_text(
            serde_json::to_string_pretty(self).expect("a report serializes"),
        );
        s.push('\n');
        s
    }

    /// Writes the report into `dir` as `pgrecon-<command>-<timestamp>-<pid>.json` and
    /// returns the path.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let stamp: String = self
            .started_at
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!(
            "pgrecon-{}-{stamp}-{}.json",
            self.command,
            std::process::id()
        ));
        std::fs::write(&path, self.to_json())?;
        Ok(path)
    }
}
