//! Saved plans: `pgrecon plan --out plan.json` and `pgrecon apply --plan plan.json`.
//!
//! A saved plan is self-contained JSON: the ordered steps with their SQL, hazards,
//! transactional flag and what apply executes (a password step stores its source, never
//! a secret), the checks, the identity of the target (database, server version,
//! `system_identifier`), the blake3 hash of the canonical desired state, and the
//! per-object blake3 fingerprint of the live catalog it was computed against, with the
//! scope that fingerprint covers.
//!
//! Invariants:
//! - the plan id is blake3 over the canonical (compact) JSON of the whole document with
//!   `plan_id` left empty: nothing in the document is outside the id, and a document
//!   edited by hand no longer matches its id (`parse` refuses it);
//! - nothing time-dependent is in the document: identical inputs give byte-identical
//!   files (`to_json`);
//! - no secret is in the document.
//!
//! Apply re-checks, under its advisory lock and inside its transaction, the target
//! identity, the fingerprint and the desired-state hash, refuses with the objects that
//! changed, and then runs exactly the saved steps (see `apply`).

pub mod fingerprint;

use crate::checks::Check;
use crate::diff::Note;
use crate::escape::text_line;
use crate::model::{Catalog, ObjectRef, PasswordSource};
use crate::plan::{self, Action, Exec, Hazard, Plan, Step, Summary};
use fingerprint::{Fingerprint, FingerprintScope, ObjectChange};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Version of the saved-plan document; `apply --plan` refuses other versions.
/// Version 2: `plan --format json` prints this same document; `changes` and the steps'
/// `destructive` were added for its readers. Version 3: the live fingerprint's hash is
/// one stream over the objects, and `objects` (per-object hashes, which only explain a
/// stale plan) is left out of the plan id and written only with the file or JSON.
pub const FORMAT_VERSION: u32 = 3;
/// The `kind` field of every saved plan.
pub const KIND: &str = "pgrecon-plan";

/// Which server and database a plan was computed against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetIdentity {
    pub database: String,
    /// `version()`, for people.
    pub server_version: String,
    /// `server_version_num`, compared.
    pub server_version_num: i32,
    /// `pg_control_system().system_identifier`: unique per cluster (initdb).
    pub system_identifier: String,
}

impl TargetIdentity {
    /// The identity of the server and database a live catalog was read from.
    pub fn of(live: &Catalog) -> Self {
        let server = live.server.as_ref();
        TargetIdentity {
            database: live
                .database
                .as_ref()
                .and_then(|d| d.name.clone())
                .unwrap_or_default(),
            server_version: server.map(|s| s.version.clone()).unwrap_or_default(),
            server_version_num: server.map_or(0, |s| s.version_num),
            system_identifier: server
                .map(|s| s.system_identifier.clone())
                .unwrap_or_default(),
        }
    }

    /// Every way `found` differs from `self`, in words; empty when it is the same target.
    pub fn differences(&self, found: &TargetIdentity) -> Vec<String> {
        let mut out = Vec::new();
        if self.system_identifier != found.system_identifier {
            out.push(format!(
                "system identifier {} (the plan is for {})",
                found.system_identifier, self.system_identifier
            ));
        }
        if self.database != found.database {
            out.push(format!(
                "database `{}` (the plan is for `{}`)",
                found.database, self.database
            ));
        }
        if self.server_version_num != found.server_version_num {
            out.push(format!(
                "server version {} (the plan is for {})",
                found.server_version_num, self.server_version_num
            ));
        }
        out
    }
}

/// Options the plan was computed with; apply uses the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedOptions {
    pub prune: bool,
}

/// What apply executes for a step (`plan::Exec`), as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SavedExec {
    /// Statements run in order inside the transaction.
    Sql { statements: Vec<String> },
    /// `ALTER ROLE … PASSWORD` with a SCRAM verifier computed from the secret read from
    /// `source` when apply runs.
    SetPassword {
        role: String,
        source: PasswordSource,
    },
    /// Statements run one by one after the transaction commits; `cleanup` on failure.
    NonTransactional {
        statements: Vec<String>,
        cleanup: Vec<String>,
    },
}

impl From<&Exec> for SavedExec {
    fn from(e: &Exec) -> Self {
        match e {
            Exec::Sql(statements) => SavedExec::Sql {
                statements: statements.clone(),
            },
            Exec::SetPassword { role, source } => SavedExec::SetPassword {
                role: role.clone(),
                source: source.clone(),
            },
            Exec::NonTransactional {
                statements,
                cleanup,
            } => SavedExec::NonTransactional {
                statements: statements.clone(),
                cleanup: cleanup.clone(),
            },
        }
    }
}

impl From<&SavedExec> for Exec {
    fn from(e: &SavedExec) -> Self {
        match e {
            SavedExec::Sql { statements } => Exec::Sql(statements.clone()),
            SavedExec::SetPassword { role, source } => Exec::SetPassword {
                role: role.clone(),
                source: source.clone(),
            },
            SavedExec::NonTransactional {
                statements,
                cleanup,
            } => Exec::NonTransactional {
                statements: statements.clone(),
                cleanup: cleanup.clone(),
            },
        }
    }
}

/// One step as saved: what is shown, and what apply executes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedStep {
    pub number: usize,
    pub action: Action,
    pub object: ObjectRef,
    pub summary: String,
    pub details: Vec<String>,
    /// The SQL as printed (a password step shows a comment).
    pub sql: Vec<String>,
    pub hazards: Vec<Hazard>,
    /// False: runs after the transaction commits, on its own.
    pub transactional: bool,
    /// Whether a hazard of the step is destructive (derived from `hazards`, for readers).
    pub destructive: bool,
    pub exec: SavedExec,
}

impl From<&Step> for SavedStep {
    fn from(s: &Step) -> Self {
        SavedStep {
            number: s.number,
            action: s.action,
            object: s.object.clone(),
            summary: s.summary.clone(),
            details: s.details.clone(),
            sql: s.sql.clone(),
            hazards: s.hazards.clone(),
            transactional: s.transactional,
            destructive: s.is_destructive(),
            exec: SavedExec::from(&s.exec),
        }
    }
}

impl From<&SavedStep> for Step {
    fn from(s: &SavedStep) -> Self {
        Step {
            number: s.number,
            action: s.action,
            object: s.object.clone(),
            summary: s.summary.clone(),
            details: s.details.clone(),
            sql: s.sql.clone(),
            hazards: s.hazards.clone(),
            transactional: s.transactional,
            exec: Exec::from(&s.exec),
        }
    }
}

/// The live fingerprint a plan was computed against, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFingerprint {
    pub scope: FingerprintScope,
    /// blake3 over every object in scope (`fingerprint::live`).
    pub hash: String,
    /// How many objects `hash` covers.
    pub count: usize,
    /// Each object's hash, to say what changed when the plan is stale. Not covered by
    /// the plan id (`hash` is): a plan shown but not written does not compute it.
    pub objects: BTreeMap<String, String>,
}

impl SavedFingerprint {
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            hash: self.hash.clone(),
            count: self.count,
            objects: self.objects.clone(),
        }
    }
}

/// A saved plan. Field order is the order in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    /// Always [`KIND`].
    pub kind: String,
    /// The pgrecon version that wrote the plan.
    pub tool_version: String,
    /// blake3 over the canonical JSON of this document with `plan_id` empty.
    pub plan_id: String,
    /// Whether the plan has steps (derived, for readers).
    pub changes: bool,
    pub target: TargetIdentity,
    /// blake3 of the canonical desired state (`fingerprint::desired_hash`).
    pub desired_state_hash: String,
    pub options: SavedOptions,
    pub summary: Summary,
    pub steps: Vec<SavedStep>,
    /// `[[check]]` assertions apply runs before and after the steps.
    pub checks: Vec<Check>,
    pub notes: Vec<Note>,
    /// The live catalog the plan was computed against.
    pub live_fingerprint: SavedFingerprint,
}

/// Why a saved plan cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("cannot read the plan file `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the plan file `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a pgrecon plan: {}", text_line(message))]
    Invalid { path: String, message: String },
    #[error(
        "`{path}` is a plan of format version {found}; this pgrecon reads version {FORMAT_VERSION}: re-run pgrecon plan"
    )]
    Version { path: String, found: u32 },
    #[error(
        "`{path}` was modified after pgrecon wrote it: its content does not match its plan id {}; re-run pgrecon plan",
        text_line(plan_id)
    )]
    Tampered { path: String, plan_id: String },
}

/// Everything a saved plan is built from.
pub struct SaveInput<'a> {
    pub plan: &'a Plan,
    /// The canonical desired state the plan was computed from.
    pub desired: &'a Catalog,
    pub checks: &'a [Check],
    /// The live catalog the plan was computed against.
    pub live: &'a Catalog,
    pub prune: bool,
    /// Per-object hashes of the live catalog: for a plan written to a file or printed
    /// as JSON.
    pub detail: fingerprint::Detail,
}

impl SavedPlan {
    pub fn new(input: &SaveInput<'_>) -> SavedPlan {
        let scope = FingerprintScope::of(input.desired);
        // The two hashes are independent and each walks a whole catalog: one per core.
        let (live, desired_state_hash) = std::thread::scope(|s| {
            let desired = s.spawn(|| fingerprint::desired_hash(input.desired, input.checks));
            let live = fingerprint::live(input.live, &scope, input.detail);
            (live, desired.join().expect("hashing does not panic"))
        });
        let mut saved = SavedPlan {
            format_version: FORMAT_VERSION,
            kind: KIND.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            plan_id: String::new(),
            changes: !input.plan.steps.is_empty(),
            target: TargetIdentity::of(input.live),
            desired_state_hash,
            options: SavedOptions { prune: input.prune },
            summary: input.plan.summary.clone(),
            steps: input.plan.steps.iter().map(SavedStep::from).collect(),
            checks: input.checks.to_vec(),
            notes: input.plan.notes.clone(),
            live_fingerprint: SavedFingerprint {
                scope,
                hash: live.hash,
                count: live.count,
                objects: live.objects,
            },
        };
        saved.plan_id = saved.compute_id();
        saved
    }

    /// blake3 over the compact JSON of the document with an empty `plan_id` (serialized
    /// from references: a plan of a large catalog is megabytes, not worth a clone).
    pub fn compute_id(&self) -> String {
        /// `SavedPlan` by reference, field for field, with `plan_id` empty: serializes
        /// to the same bytes as the document with an empty id.
        #[derive(Serialize)]
        struct Unsigned<'a> {
            format_version: u32,
            kind: &'a str,
            tool_version: &'a str,
            plan_id: &'a str,
            changes: bool,
            target: &'a TargetIdentity,
            desired_state_hash: &'a str,
            options: &'a SavedOptions,
            summary: &'a Summary,
            steps: &'a [SavedStep],
            checks: &'a [Check],
            notes: &'a [Note],
            live_fingerprint: UnsignedFingerprint<'a>,
        }
        /// The fingerprint less its per-object hashes, which `hash` covers.
        #[derive(Serialize)]
        struct UnsignedFingerprint<'a> {
            scope: &'a FingerprintScope,
            hash: &'a str,
            count: usize,
        }
        let unsigned = Unsigned {
            format_version: self.format_version,
            kind: &self.kind,
            tool_version: &self.tool_version,
            plan_id: "",
            changes: self.changes,
            target: &self.target,
            desired_state_hash: &self.desired_state_hash,
            options: &self.options,
            summary: &self.summary,
            steps: &self.steps,
            checks: &self.checks,
            notes: &self.notes,
            live_fingerprint: UnsignedFingerprint {
                scope: &self.live_fingerprint.scope,
                hash: &self.live_fingerprint.hash,
                count: self.live_fingerprint.count,
            },
        };
        let bytes = serde_json::to_vec(&unsigned).expect("a saved plan serializes");
        blake3::hash(&bytes).to_hex().to_string()
    }

    /// The file's content: pretty JSON and a final newline. Identical plans give
    /// identical bytes.
    pub fn to_json(&self) -> String {
        // Names are data: line separators and bidi controls are written escaped too.
        let mut s = crate::escape::json_text(
            serde_json::to_string_pretty(self).expect("a saved plan serializes"),
        );
        s.push('\n');
        s
    }

    pub fn write(&self, path: &Path) -> Result<(), SavedPlanError> {
        std::fs::write(path, self.to_json()).map_err(|source| SavedPlanError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    pub fn read(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| SavedPlanError::Read {
            path: path.display().to_string(),
            source,
        })?;
        SavedPlan::parse(&text, &path.display().to_string())
    }

    /// Parses a saved plan and proves it is intact: the right kind and version, and a
    /// content that still matches its plan id.
    pub fn parse(text: &str, label: &str) -> Result<SavedPlan, SavedPlanError> {
        let invalid = |message: String| SavedPlanError::Invalid {
            path: label.to_string(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(invalid(format!("it has no \"kind\": \"{KIND}\"")));
        }
        let found = value
            .get("format_version")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if found != u64::from(FORMAT_VERSION) {
            return Err(SavedPlanError::Version {
                path: label.to_string(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        let saved: SavedPlan = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        if saved.compute_id() != saved.plan_id {
            return Err(SavedPlanError::Tampered {
                path: label.to_string(),
                plan_id: saved.plan_id,
            });
        }
        Ok(saved)
    }

    /// The plan as `render` and `apply` take it; its id is the saved plan's id.
    pub fn to_plan(&self) -> Plan {
        let steps: Vec<Step> = self.steps.iter().map(Step::from).collect();
        Plan {
            format_version: plan::FORMAT_VERSION,
            plan_id: self.plan_id.clone(),
            summary: plan::summarize(&steps),
            steps,
            notes: self.notes.clone(),
        }
    }

    /// The fingerprint the plan was computed against.
    pub fn fingerprint(&self) -> Fingerprint {
        self.live_fingerprint.fingerprint()
    }
}

/// Why a saved plan no longer fits the database or the desired state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// Connected to another cluster, database or server version.
    WrongTarget(Vec<String>),
    /// The live catalog changed since the plan.
    Changed(Vec<ObjectChange>),
    /// The desired state is not the one the plan was computed from.
    DesiredChanged,
    /// The steps computed now differ from the saved ones although the fingerprint
    /// matches (for example a password secret that changed, or another pgrecon version).
    StepsDiffer(Vec<String>),
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stale::WrongTarget(d) => {
                let list: Vec<_> = d.iter().map(|s| text_line(s)).collect();
                write!(
                    f,
                    "the plan is for another target: connected to {}",
                    list.join(", ")
                )
            }
            Stale::Changed(changes) => {
                let list: Vec<String> = changes
                    .iter()
                    .map(|c| text_line(&c.to_string()).into_owned())
                    .collect();
                write!(
                    f,
                    "the live catalog changed since the plan: {}",
                    list.join("; ")
                )
            }
            Stale::DesiredChanged => write!(
                f,
                "the desired state is not the one the plan was computed from (its hash differs)"
            ),
            Stale::StepsDiffer(d) => {
                let list: Vec<_> = d.iter().map(|s| text_line(s)).collect();
                write!(
                    f,
                    "the steps pgrecon computes now differ from the saved ones: {}",
                    list.join("; ")
                )
            }
        }
    }
}

/// Checks a saved plan against the live catalog (read under the lock, in the apply
/// transaction) and the canonical desired state.
pub fn check(
    saved: &SavedPlan,
    live: &Catalog,
    now: &Fingerprint,
    desired: &Catalog,
    checks: &[Check],
) -> Result<(), Stale> {
    let differences = saved.target.differences(&TargetIdentity::of(live));
    if !differences.is_empty() {
        return Err(Stale::WrongTarget(differences));
    }
    let changes = fingerprint::compare(&saved.fingerprint(), now);
    if !changes.is_empty() {
        return Err(Stale::Changed(changes));
    }
    if fingerprint::desired_hash(desired, checks) != saved.desired_state_hash {
        return Err(Stale::DesiredChanged);
    }
    Ok(())
}

/// Differences between the saved steps and the steps computed now, in words.
pub fn step_differences(saved: &[SavedStep], now: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let now: Vec<SavedStep> = now.steps.iter().map(SavedStep::from).collect();
    for s in saved {
        if !now.iter().any(|n| n == s) {
            out.push(format!(
                "saved step {} ({}) is not planned now",
                s.number, s.summary
            ));
        }
    }
    for n in &now {
        if !saved.iter().any(|s| s == n) {
            out.push(format!("step `{}` is planned now but not saved", n.summary));
        }
    }
    if out.is_empty() && saved != now.as_slice() {
        out.push("the steps are in another order".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION,
            kind: KIND.into(),
            tool_version: "0".into(),
            plan_id: String::new(),
            changes: false,
            target: TargetIdentity {
                database: "d".into(),
                server_version: "PostgreSQL 15.4".into(),
                server_version_num: 150004,
                system_identifier: "1".into(),
            },
            desired_state_hash: "h".into(),
            options: SavedOptions::default(),
            summary: Summary::default(),
            steps: vec![],
            checks: vec![],
            notes: vec![],
            live_fingerprint: SavedFingerprint {
                scope: FingerprintScope::default(),
                hash: "f".into(),
                count: 0,
                objects: BTreeMap::new(),
            },
        }
    }

    #[test]
    fn the_id_covers_the_whole_document_but_itself() {
        let mut saved = sample();
        saved.plan_id = saved.compute_id();
        // The live fingerprint's hash is covered; the per-object hashes under it, which
        // only explain a stale plan, are not (a plan shown without them has the same id).
        let mut fingerprint_edited = saved.clone();
        fingerprint_edited.live_fingerprint.hash = "g".into();
        assert_ne!(fingerprint_edited.compute_id(), saved.plan_id);
        let mut count_edited = saved.clone();
        count_edited.live_fingerprint.count = 1;
        assert_ne!(count_edited.compute_id(), saved.plan_id);
        let mut detailed = saved.clone();
        detailed
            .live_fingerprint
            .objects
            .insert("role:app".into(), "0".repeat(32));
        assert_eq!(detailed.compute_id(), saved.plan_id);
        let parsed = SavedPlan::parse(&saved.to_json(), "p.json").unwrap();
        assert_eq!(parsed, saved);
        saved.options.prune = true;
        let edited = saved.to_json();
        assert!(matches!(
            SavedPlan::parse(&edited, "p.json"),
            Err(SavedPlanError::Tampered { .. })
        ));
        let other = edited.replace(
            &format!("\"format_version\": {FORMAT_VERSION}"),
            "\"format_version\": 9",
        );
        assert!(matches!(
            SavedPlan::parse(&other, "p.json"),
            Err(SavedPlanError::Version { found: 9, .. })
        ));
    }

    /// The id is blake3 over the content, not a signature: whoever edits a plan file can
    /// recompute it, so `parse` accepts any hash text and `show` must not slice it by bytes.
    #[test]
    fn an_edited_plan_with_odd_hashes_renders_without_panicking() {
        for (fp, desired) in [
            ("é".repeat(20), "h".to_string()),
            ("ab\u{202e}é".to_string(), "中".repeat(9)),
        ] {
            let mut saved = sample();
            saved.live_fingerprint.hash = fp.clone();
            saved.desired_state_hash = desired;
            saved.plan_id = saved.compute_id();
            let parsed = SavedPlan::parse(&saved.to_json(), "p.json").expect("a valid id");
            for format in [
                crate::render::Format::Text,
                crate::render::Format::Sql,
                crate::render::Format::Json,
                crate::render::Format::Markdown,
            ] {
                let out = crate::render::render_saved(&parsed, format);
                assert!(
                    !out.chars()
                        .any(|c| c != '\n' && crate::escape::is_unsafe(c)),
                    "{out}"
                );
            }
            let text = crate::render::render_saved(&parsed, crate::render::Format::Text);
            let shown: String = fp.chars().take(16).collect();
            assert!(text.contains(&*crate::escape::text_line(&shown)), "{text}");
        }
    }
}
