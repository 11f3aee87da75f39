//! Drift: every difference between the desired state and the live database, grouped by
//! what it means for an operator, plus the declared confinements that do not hold.
//!
//! - **missing**: declared, absent. The plan's create steps, and every step that
//!   completes an object the plan creates (its grants, comment, settings …).
//! - **different**: declared, present, not as declared. Alter and grant steps on
//!   existing objects (a changed `search_path`, a column type, a declared grant that is
//!   not there), and declared changes that cannot be made in place (`error` notes).
//! - **unexpected**: present in the managed scope, not declared. Revokes (a stray grant
//!   or membership: on managed objects the declared ACL is the whole truth), drops
//!   (with `--prune`), and the plan's `unexpected` notes (an out-of-band table in a
//!   schema whose tables are managed, an undeclared role matching an owned pattern …).
//! - **unmanaged** (only with `all`): present and outside the scope: roles and schemas
//!   that are neither declared nor matched by an owned pattern, and objects of kinds
//!   pgrecon does not manage inside declared schemas (rules, aggregates, operators …). Never drift.
//!
//! [`classify`] is pure: a function of the (canonical) desired catalog, the live one, the
//! plan between them and the confinement report. [`detect`] reads the database and calls
//! it. The JSON form of [`DriftReport`] is the documented, versioned output of
//! `pgrecon drift --format json` ([`FORMAT_VERSION`]).

use crate::diff::{self, DiffOptions, Note, NoteKind};
use crate::escape::{json_text, text_line};
use crate::model::{Catalog, ObjectRef, is_builtin_role, is_system_schema};
use crate::pipeline::{self, PipelineError};
use crate::plan::{self, Action, Plan};
use crate::report::{self, Validation};
use crate::saved::TargetIdentity;
use crate::verify::{self, ViolationKind};
use crate::{canon, introspect};
use globset::{Glob, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Version of the drift report document. Fields are only ever added within a version.
pub const FORMAT_VERSION: u32 = 1;

/// Exit code: the database matches the desired state.
pub const EXIT_IN_SYNC: u8 = 0;
/// Exit code: drift found (missing, different or unexpected items).
pub const EXIT_DRIFT: u8 = 2;
/// Exit code: a declared confinement is broken in the live database (drift or not).
pub const EXIT_VIOLATION: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    Missing,
    Different,
    Unexpected,
    Unmanaged,
}

impl DriftKind {
    pub const ALL: [DriftKind; 4] = [
        DriftKind::Missing,
        DriftKind::Different,
        DriftKind::Unexpected,
        DriftKind::Unmanaged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Missing => "missing",
            DriftKind::Different => "different",
            DriftKind::Unexpected => "unexpected",
            DriftKind::Unmanaged => "unmanaged",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            DriftKind::Missing => "Missing (declared, absent)",
            DriftKind::Different => "Different (declared, not as declared)",
            DriftKind::Unexpected => "Unexpected (present in the managed scope, not declared)",
            DriftKind::Unmanaged => "Unmanaged (present, outside the scope; never changed)",
        }
    }
}

impl std::fmt::Display for DriftKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftItem {
    pub kind: DriftKind,
    /// The object concerned, as people read it: `role butler_general_app`,
    /// `table general.notes`.
    pub object: String,
    /// One line: the plan step that would fix it, or what a note says about it.
    pub summary: String,
    /// Further lines (old → new values).
    pub details: Vec<String>,
    /// The SQL that would fix it (empty for notes and for what is only reported).
    pub sql: Vec<String>,
    /// The plan step's action (`create`, `alter`, `grant`, `revoke`, `drop`); `null` for
    /// items that come from a note or from `--all`.
    pub action: Option<Action>,
    /// The fix is destructive (drops a role or deletes data): it needs approval.
    pub destructive: bool,
}

impl DriftItem {
    /// Identity of the item for "is this new?" comparisons.
    pub fn key(&self) -> String {
        format!("{}: {}", self.kind, self.summary)
    }
}

/// A declared confinement that does not hold in the live database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ViolationItem {
    pub role: String,
    /// `superuser`, `schema_access`, `object_access`, `search_path` … (see `verify`).
    pub kind: String,
    /// How the access is granted, hop by hop.
    pub path: String,
}

impl ViolationItem {
    pub fn key(&self) -> String {
        format!("{}: {}", self.role, self.path)
    }
}

/// The validation matrix: how many declared objects were checked, and how many
/// differences of each kind were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub schemas_checked: usize,
    pub tables_checked: usize,
    pub roles_checked: usize,
    pub missing: usize,
    pub different: usize,
    pub unexpected: usize,
    /// `null` unless the report was made with `--all`.
    pub unmanaged: Option<usize>,
    /// Broken confinements.
    pub violations: usize,
}

/// What `pgrecon drift` reports. See the module documentation for the groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    pub format_version: u32,
    /// Always `pgrecon-drift`.
    pub kind: String,
    /// RFC 3339, UTC.
    pub checked_at: String,
    pub target: TargetIdentity,
    /// Id of the plan that would remove the drift (empty plan: in sync).
    pub plan_id: String,
    /// No missing, different or unexpected item (confinements aside).
    pub in_sync: bool,
    /// Every declared confinement holds.
    pub confinements_hold: bool,
    pub counts: Counts,
    pub missing: Vec<DriftItem>,
    pub different: Vec<DriftItem>,
    pub unexpected: Vec<DriftItem>,
    /// `null` unless the report was made with `--all`.
    pub unmanaged: Option<Vec<DriftItem>>,
    pub violations: Vec<ViolationItem>,
    /// What could not be compared or acted on (skipped passwords, grants on objects
    /// that do not exist …): not drift, but worth knowing.
    pub notes: Vec<Note>,
    /// Declared roles, schemas and tables checked, and which are missing.
    pub validation: Validation,
}

impl DriftReport {
    /// Missing, different and unexpected items, in that order.
    pub fn drift_items(&self) -> impl Iterator<Item = &DriftItem> {
        self.missing
            .iter()
            .chain(&self.different)
            .chain(&self.unexpected)
    }

    pub fn items(&self, kind: DriftKind) -> &[DriftItem] {
        match kind {
            DriftKind::Missing => &self.missing,
            DriftKind::Different => &self.different,
            DriftKind::Unexpected => &self.unexpected,
            DriftKind::Unmanaged => self.unmanaged.as_deref().unwrap_or(&[]),
        }
    }

    /// 0 in sync, 2 drift, 3 a confinement is broken (takes precedence).
    pub fn exit_code(&self) -> u8 {
        if !self.confinements_hold {
            EXIT_VIOLATION
        } else if !self.in_sync {
            EXIT_DRIFT
        } else {
            EXIT_IN_SYNC
        }
    }

    /// The JSON document, escaped as plan JSON is (`render::escape::json_text`).
    pub fn to_json(&self) -> String {
        let mut s =
            json_text(serde_json::to_string_pretty(self).expect("a drift report serializes"));
        s.push('\n');
        s
    }

    /// "2 missing, 1 different, 3 unexpected" (only the non-zero kinds), or "in sync".
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let mut parts: Vec<String> = [
            (c.missing, "missing"),
            (c.different, "different"),
            (c.unexpected, "unexpected"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if c.violations > 0 {
            parts.push(format!(
                "{} confinement violation{}",
                c.violations,
                if c.violations == 1 { "" } else { "s" }
            ));
        }
        if parts.is_empty() {
            "in sync".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DriftOptions {
    /// Plan with `--prune`: undeclared objects in the owned scope show as drops rather
    /// than as notes. Both are `unexpected`.
    pub prune: bool,
    /// Also list what is outside the managed scope.
    pub all: bool,
    /// Cross-check the confinements with the server's `has_*_privilege` functions.
    pub server_check: bool,
    /// Where the desired state is canonicalised (the target is only read by default).
    pub canon_site: crate::scratch::CanonSite,
    /// The role that applies, when not the connected one: what apply would do depends
    /// on it (see `plan --apply-as`).
    pub apply_as: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    Introspect(#[from] introspect::IntrospectError),
    #[error(transparent)]
    Canon(#[from] canon::CanonError),
    #[error(transparent)]
    Diff(#[from] diff::DiffError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error("the confinement cross-check query failed: {0}")]
    Verify(String),
    #[error(transparent)]
    Scratch(crate::scratch::ScratchError),
}

impl From<PipelineError> for DriftError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Introspect(e) => DriftError::Introspect(e),
            PipelineError::Canon(e) => DriftError::Canon(e),
            PipelineError::Diff(e) => DriftError::Diff(e),
            PipelineError::Plan(e) => DriftError::Plan(e),
            PipelineError::Scratch(e) => DriftError::Scratch(e),
        }
    }
}

/// Everything [`detect`] computed, for callers (the reconcile loop) that go on to act.
#[derive(Debug, Clone)]
pub struct Detected {
    pub report: DriftReport,
    /// The desired catalog in the server's canonical form.
    pub desired: Catalog,
    pub live: Catalog,
    pub diff: diff::Diff,
    pub plan: Plan,
}

/// Reads the live catalog (one snapshot), canonicalises `desired` against it (in a
/// transaction that is rolled back), plans, verifies the confinements and classifies.
/// Changes nothing.
pub async fn detect(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
    options: &DriftOptions,
) -> Result<Detected, DriftError> {
    let live = crate::introspect::snapshot(client)
        .await
        .map_err(pipeline::PipelineError::from)?;
    detect_in(client, live, desired, options).await
}

/// [`detect`] against a snapshot already read on the same connection.
pub async fn detect_in(
    client: &mut tokio_postgres::Client,
    live: Catalog,
    desired: &Catalog,
    options: &DriftOptions,
) -> Result<Detected, DriftError> {
    let diff_options = DiffOptions {
        prune: options.prune,
    };
    let pipeline::Planned {
        desired,
        live,
        diff: d,
        plan,
    } = pipeline::plan_snapshot(
        client,
        live,
        desired,
        &diff_options,
        &options.canon_site,
        options.apply_as.as_deref(),
    )
    .await?;
    let mut confinement = verify::verify(&desired, &live);
    if options.server_check && confinement.has_confinements() {
        verify::server_check(&*client, &desired, &mut confinement)
            .await
            .map_err(|e| DriftError::Verify(crate::conn::error_chain(&e)))?;
    }
    let report = classify(&desired, &live, &plan, &confinement, options.all);
    Ok(Detected {
        report,
        desired,
        live,
        diff: d,
        plan,
    })
}

/// Groups the plan's steps and notes (and, with `all`, what lies outside the scope)
/// into a drift report. Pure.
pub fn classify(
    desired: &Catalog,
    live: &Catalog,
    plan: &Plan,
    confinement: &verify::Report,
    all: bool,
) -> DriftReport {
    let mut missing = Vec::new();
    let mut different = Vec::new();
    let mut unexpected = Vec::new();
    let mut unmanaged = Vec::new();

    // Objects the plan creates: every other step on them completes the creation.
    let created: BTreeSet<&ObjectRef> = plan
        .steps
        .iter()
        .filter(|s| s.action == Action::Create)
        .map(|s| &s.object)
        .collect();
    for step in &plan.steps {
        let kind = match step.action {
            Action::Create => DriftKind::Missing,
            _ if created.contains(&step.object) => DriftKind::Missing,
            Action::Alter | Action::Grant => DriftKind::Different,
            Action::Revoke | Action::Drop => DriftKind::Unexpected,
        };
        let item = DriftItem {
            kind,
            object: step.object.to_string(),
            summary: step.summary.clone(),
            details: step.details.clone(),
            sql: step.sql.clone(),
            action: Some(step.action),
            destructive: step.is_destructive(),
        };
        match kind {
            DriftKind::Missing => missing.push(item),
            DriftKind::Different => different.push(item),
            _ => unexpected.push(item),
        }
    }
    let mut notes = Vec::new();
    for note in &plan.notes {
        let kind = match note.kind {
            NoteKind::Unexpected => DriftKind::Unexpected,
            NoteKind::Error => DriftKind::Different,
            NoteKind::Unmanaged => DriftKind::Unmanaged,
            NoteKind::Skipped | NoteKind::Unverifiable => {
                notes.push(note.clone());
                continue;
            }
        };
        let item = note_item(kind, &note.object.to_string(), &note.message);
        match kind {
            DriftKind::Unexpected => unexpected.push(item),
            DriftKind::Different => different.push(item),
            _ => unmanaged.push(item),
        }
    }
    if all {
        out_of_scope(desired, live, &mut unmanaged);
    }

    let violations: Vec<ViolationItem> = confinement
        .violations()
        .map(|(role, v)| ViolationItem {
            role: role.to_string(),
            kind: violation_kind(v.kind),
            path: v.path.clone(),
        })
        .collect();
    let validation = report::validation("live", desired, live, &plan.notes, plan.steps.len());
    let counts = Counts {
        schemas_checked: validation.schemas.checked.len(),
        tables_checked: validation.tables.checked.len(),
        roles_checked: validation.roles.checked.len(),
        missing: missing.len(),
        different: different.len(),
        unexpected: unexpected.len(),
        unmanaged: all.then_some(unmanaged.len()),
        violations: violations.len(),
    };
    DriftReport {
        format_version: FORMAT_VERSION,
        kind: "pgrecon-drift".to_string(),
        checked_at: report::now(),
        target: TargetIdentity::of(live),
        plan_id: plan.plan_id.clone(),
        in_sync: missing.is_empty() && different.is_empty() && unexpected.is_empty(),
        confinements_hold: confinement.ok,
        counts,
        missing,
        different,
        unexpected,
        unmanaged: all.then_some(unmanaged),
        violations,
        notes,
        validation,
    }
}

fn violation_kind(kind: ViolationKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn note_item(kind: DriftKind, object: &str, message: &str) -> DriftItem {
    DriftItem {
        kind,
        object: object.to_string(),
        summary: format!("{object}: {message}"),
        details: Vec::new(),
        sql: Vec::new(),
        action: None,
        destructive: false,
    }
}

/// Roles and schemas that are neither declared nor claimed by an owned pattern.
fn out_of_scope(desired: &Catalog, live: &Catalog, out: &mut Vec<DriftItem>) {
    let globs = |patterns: &[String]| {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            // The diff already rejected a bad pattern; here it just matches nothing.
            if let Ok(g) = Glob::new(p) {
                b.add(g);
            }
        }
        b.build().unwrap_or_else(|_| globset::GlobSet::empty())
    };
    let owned_roles = globs(&desired.scope.owned_role_patterns);
    let owned_schemas = globs(&desired.scope.owned_schema_patterns);
    for (name, role) in &live.roles {
        if desired.roles.contains_key(name) || is_builtin_role(name) || owned_roles.is_match(name) {
            continue;
        }
        let mut what = Vec::new();
        if role.attributes.superuser {
            what.push("superuser");
        }
        if role.attributes.login {
            what.push("login");
        }
        let message = if what.is_empty() {
            "role is not declared (outside the managed scope)".to_string()
        } else {
            format!(
                "{} role is not declared (outside the managed scope)",
                what.join(", ")
            )
        };
        out.push(note_item(
            DriftKind::Unmanaged,
            &ObjectRef::role(name).to_string(),
            &message,
        ));
    }
    for (name, schema) in &live.schemas {
        if desired.schemas.contains_key(name)
            || is_system_schema(name)
            || owned_schemas.is_match(name)
        {
            continue;
        }
        let objects = live.relations.keys().filter(|r| &r.schema == name).count();
        let owner = schema
            .owner
            .as_deref()
            .map(|o| format!(", owned by {o}"))
            .unwrap_or_default();
        let message = format!(
            "schema is not declared ({objects} relation{}{owner}; outside the managed scope)",
            if objects == 1 { "" } else { "s" }
        );
        out.push(note_item(
            DriftKind::Unmanaged,
            &ObjectRef::schema(name).to_string(),
            &message,
        ));
    }
}

/// The report for people. Every name and free text is one `text_line`: live names may
/// hold line breaks and terminal escapes.
pub fn render_text(report: &DriftReport) -> String {
    let mut out = String::new();
    let t = &report.target;
    let c = &report.counts;
    let _ = writeln!(
        out,
        "Drift of database {} (system {}) against the desired state: checked {} role{}, {} schema{}, {} table{}.",
        text_line(&t.database),
        text_line(&t.system_identifier),
        c.roles_checked,
        plural(c.roles_checked),
        c.schemas_checked,
        plural(c.schemas_checked),
        c.tables_checked,
        plural(c.tables_checked),
    );
    for kind in DriftKind::ALL {
        if kind == DriftKind::Unmanaged && report.unmanaged.is_none() {
            continue;
        }
        let items = report.items(kind);
        let _ = writeln!(out, "\n{}: {}", kind.heading(), items.len());
        for item in items {
            let symbol = item.action.map_or('!', Action::symbol);
            let destructive = if item.destructive {
                " [destructive]"
            } else {
                ""
            };
            let _ = writeln!(out, "  {symbol} {}{destructive}", text_line(&item.summary));
            for d in &item.details {
                let _ = writeln!(out, "      {}", text_line(d));
            }
            for s in &item.sql {
                let _ = writeln!(out, "      {}", text_line(s));
            }
        }
    }
    if !report.violations.is_empty() {
        let _ = writeln!(out, "\nConfinement violations: {}", report.violations.len());
        for v in &report.violations {
            let _ = writeln!(out, "  ✗ {}", text_line(&v.path));
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for n in &report.notes {
            let _ = writeln!(
                out,
                "  · {}: {}",
                text_line(&n.object.to_string()),
                text_line(&n.message)
            );
        }
    }
    out.push('\n');
    if report.in_sync && report.confinements_hold {
        out.push_str("No drift. The database matches the desired state.\n");
    } else if report.in_sync {
        out.push_str("No drift, but a declared confinement is broken.\n");
    } else {
        let _ = writeln!(out, "Drift: {}.", report.summary());
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests;
