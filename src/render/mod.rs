//! Plan → text (Terraform style), SQL (runnable with psql), JSON, Markdown. Pure
//! functions of the plan: the same plan renders to the same bytes.

// Kept here too: older paths name `render::escape`.
pub use crate::escape;

use crate::checks::Check;
use crate::diff::NoteKind;
use crate::escape::{md_code, md_fence, md_text, sql_comment, text_line};
use crate::plan::{Action, HazardKind, Plan, Step};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Sql,
    Json,
    Markdown,
}

/// Where the plan was computed, shown in headers. Never contains a password.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Target {
    pub database: String,
    /// Short form: `15.4`.
    pub server_version: String,
    /// `pg_control_system().system_identifier`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_identifier: Option<String>,
}

impl Target {
    /// The header target of a saved plan's identity.
    pub fn of_identity(id: &crate::saved::TargetIdentity) -> Self {
        Target {
            database: id.database.clone(),
            server_version: short_version(&id.server_version),
            system_identifier: Some(id.system_identifier.clone()),
        }
    }
}

/// `15.4` out of `PostgreSQL 15.4 (Debian 15.4-1) on x86_64-pc-linux-gnu, …`.
pub fn short_version(version: &str) -> String {
    let mut words = version.split_whitespace();
    match (words.next(), words.next()) {
        (Some("PostgreSQL"), Some(v)) => v.trim_end_matches(',').to_string(),
        _ => version.to_string(),
    }
}

/// What else a rendering may show beside the plan.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub target: Option<&'a Target>,
    /// The `[[check]]` assertions apply runs with the plan.
    pub checks: &'a [Check],
    /// Apply already holds an approval for every destructive step (a flag or an
    /// approvals file), so the summary must not ask for one.
    pub destructive_approved: bool,
    /// The saved-plan document of the plan: its JSON rendering.
    pub saved: Option<&'a crate::saved::SavedPlan>,
}

pub fn render(plan: &Plan, target: Option<&Target>, format: Format) -> String {
    render_with(
        plan,
        &Context {
            target,
            checks: &[],
            destructive_approved: false,
            saved: None,
        },
        format,
    )
}

pub fn render_with(plan: &Plan, cx: &Context<'_>, format: Format) -> String {
    let target = cx.target;
    match format {
        Format::Text => {
            let mut out = text(plan, target, cx.destructive_approved);
            text_checks(&mut out, cx.checks);
            out
        }
        Format::Sql => {
            let mut out = sql(plan, target);
            sql_checks(&mut out, cx.checks);
            out
        }
        // One JSON document for a plan, wherever it is printed: the saved plan's.
        Format::Json => cx
            .saved
            .map(crate::saved::SavedPlan::to_json)
            .expect("the JSON of a plan is its saved-plan document: pass Context::saved"),
        Format::Markdown => markdown(plan, target, cx.checks),
    }
}

/// A saved plan, as `pgrecon show` prints it: JSON is the saved document itself.
pub fn render_saved(saved: &crate::saved::SavedPlan, format: Format) -> String {
    if format == Format::Json {
        return saved.to_json();
    }
    let plan = saved.to_plan();
    let target = Target::of_identity(&saved.target);
    let cx = Context {
        target: Some(&target),
        checks: &saved.checks,
        destructive_approved: false,
        saved: Some(saved),
    };
    let body = render_with(&plan, &cx, format);
    let fp = &saved.live_fingerprint;
    match format {
        // The saved file is input like any other: its strings are escaped too.
        Format::Text => format!(
            "saved plan {} (pgrecon {}, format {})\n\
             computed against live fingerprint {} ({} objects), desired state {}\n\n{body}",
            text_line(&saved.plan_id),
            text_line(&saved.tool_version),
            saved.format_version,
            text_line(&short_hash(&fp.hash)),
            fp.count,
            text_line(&short_hash(&saved.desired_state_hash)),
        ),
        Format::Sql => format!(
            "-- saved plan {} (pgrecon {}); apply it with pgrecon apply --plan, which first \
             checks the target and the live fingerprint\n{body}",
            sql_comment(&saved.plan_id),
            sql_comment(&saved.tool_version)
        ),
        _ => {
            let mut out = body;
            let _ = write!(
                out,
                "\n<sub>pgrecon {} · live fingerprint {} ({} objects) · desired state {}</sub>\n",
                md_text(&saved.tool_version),
                md_code(&short_hash(&fp.hash)),
                fp.count,
                md_code(&short_hash(&saved.desired_state_hash))
            );
            out
        }
    }
}

/// The first 16 characters of a hash. The saved file is input: a hand-edited hash may be
/// shorter or hold multi-byte characters, and its id can be recomputed to match, so a
/// byte slice could panic.
fn short_hash(hash: &str) -> String {
    hash.chars().take(16).collect()
}

fn when_words(check: &Check) -> &'static str {
    match check.when {
        crate::checks::When::Before => "before the steps",
        crate::checks::When::After => "after the steps",
        crate::checks::When::Both => "before and after the steps",
    }
}

fn text_checks(out: &mut String, checks: &[Check]) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nChecks, in the transaction (a failure rolls back):");
    for c in checks {
        let _ = writeln!(
            out,
            "  ? {} ({}): {}",
            text_line(&c.name),
            when_words(c),
            text_line(&c.expect.to_string())
        );
    }
}

fn sql_checks(out: &mut String, checks: &[Check]) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n-- checks pgrecon apply runs in the transaction (not part of this script):"
    );
    for c in checks {
        let _ = writeln!(
            out,
            "-- check {} ({}): {}",
            sql_comment(&format!("{:?}", c.name)),
            when_words(c),
            sql_comment(&c.expect.to_string())
        );
        // `lines` keeps a lone CR, which also ends a comment for psql.
        for line in c.query.lines() {
            let _ = writeln!(out, "--   {}", sql_comment(line));
        }
    }
}

pub const NO_CHANGES: &str = "No changes. The database matches the desired state.";

pub fn summary_line(plan: &Plan, destructive_approved: bool) -> String {
    if plan.is_empty() {
        return NO_CHANGES.to_string();
    }
    let s = &plan.summary;
    let mut parts = Vec::new();
    for (n, what) in [
        (s.create, "to create"),
        (s.alter, "to change"),
        (s.grant, "to grant"),
        (s.revoke, "to revoke"),
        (s.drop, "to drop"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let mut line = format!("Plan: {}.", parts.join(", "));
    if s.destructive > 0 && destructive_approved {
        let _ = write!(
            line,
            " {} destructive step{}, approved.",
            s.destructive,
            plural(s.destructive),
        );
    } else if s.destructive > 0 {
        let _ = write!(
            line,
            " {} destructive step{} need{} --allow-destructive.",
            s.destructive,
            plural(s.destructive),
            if s.destructive == 1 { "s" } else { "" }
        );
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Alter => "change",
        Action::Grant => "grant",
        Action::Revoke => "revoke",
        Action::Drop => "drop",
    }
}

fn note_heading(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Unexpected => "unmanaged, left alone",
        NoteKind::Skipped => "skipped",
        NoteKind::Unverifiable => "cannot be checked",
        NoteKind::Unmanaged => "unmanaged, left alone",
        NoteKind::Error => "error",
    }
}

fn text(plan: &Plan, target: Option<&Target>, destructive_approved: bool) -> String {
    let mut out = String::new();
    if let Some(t) = target {
        let _ = writeln!(
            out,
            "pgrecon plan {} for database {} (PostgreSQL {})\n",
            &plan.plan_id[..plan.plan_id.len().min(12)],
            text_line(&crate::sql::display_ident(&t.database)),
            text_line(&t.server_version)
        );
    }
    let mut boundary_shown = false;
    for step in &plan.steps {
        if !step.transactional && !boundary_shown {
            out.push_str("  -- after the transaction commits, each on its own:\n");
            boundary_shown = true;
        }
        let _ = write!(
            out,
            "  {} {}",
            step.action.symbol(),
            text_line(&step.summary)
        );
        if step.is_destructive() {
            out.push_str("  [destructive]");
        }
        out.push('\n');
        for d in &step.details {
            let _ = writeln!(out, "      {}", text_line(d));
        }
        for h in &step.hazards {
            let _ = writeln!(
                out,
                "      ! {}: {}",
                h.kind.as_str(),
                text_line(&h.message)
            );
        }
    }
    if !plan.notes.is_empty() {
        if !plan.steps.is_empty() {
            out.push('\n');
        }
        for n in &plan.notes {
            let _ = writeln!(
                out,
                "  = {} ({}): {}",
                text_line(&n.object.to_string()),
                note_heading(n.kind),
                text_line(&n.message)
            );
        }
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(&summary_line(plan, destructive_approved));
    out.push('\n');
    out
}

fn sql(plan: &Plan, target: Option<&Target>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "-- pgrecon plan {}", plan.plan_id);
    if let Some(t) = target {
        let _ = writeln!(
            out,
            "-- database {} (PostgreSQL {})",
            sql_comment(&t.database),
            sql_comment(&t.server_version)
        );
    }
    let _ = writeln!(out, "-- {}", summary_line(plan, false));
    if plan.is_empty() {
        return out;
    }
    out.push_str("\\set ON_ERROR_STOP on\nBEGIN;\n");
    for step in plan.steps.iter().filter(|s| s.transactional) {
        write_step_sql(&mut out, step);
    }
    out.push_str("\nCOMMIT;\n");
    // Steps that cannot run inside a transaction block (CREATE INDEX CONCURRENTLY).
    let outside: Vec<&Step> = plan.steps.iter().filter(|s| !s.transactional).collect();
    if !outside.is_empty() {
        out.push_str("\n-- outside the transaction: each statement runs on its own\n");
        for step in outside {
            write_step_sql(&mut out, step);
        }
    }
    out
}

fn write_step_sql(out: &mut String, step: &Step) {
    let _ = writeln!(out, "\n-- [{}] {}", step.number, sql_comment(&step.summary));
    for h in &step.hazards {
        let _ = writeln!(
            out,
            "-- hazard {}: {}",
            h.kind.as_str(),
            sql_comment(&h.message)
        );
    }
    for s in &step.sql {
        if s.starts_with("--") {
            let _ = writeln!(out, "{}", sql_comment(s));
        } else {
            let _ = writeln!(out, "{s};");
        }
    }
}

fn markdown(plan: &Plan, target: Option<&Target>, checks: &[Check]) -> String {
    let mut out = String::from("### pgrecon plan\n\n");
    if let Some(t) = target {
        let mut parts = vec![
            format!("Database {}", md_code(&t.database)),
            format!("PostgreSQL {}", md_text(&t.server_version)),
        ];
        if let Some(id) = &t.system_identifier {
            parts.push(format!("system identifier {}", md_code(id)));
        }
        parts.push(format!(
            "plan `{}`",
            &plan.plan_id[..plan.plan_id.len().min(12)]
        ));
        let _ = writeln!(out, "{}\n", parts.join(" · "));
    }
    let _ = writeln!(out, "**{}**\n", summary_line(plan, false));
    if !plan.is_empty() {
        let needing: Vec<(HazardKind, usize)> = HazardKind::ALL
            .into_iter()
            .filter(|k| k.needs_approval_by_default())
            .filter_map(|k| {
                let n = plan
                    .steps
                    .iter()
                    .filter(|s| s.hazards.iter().any(|h| h.kind == k))
                    .count();
                (n > 0).then_some((k, n))
            })
            .collect();
        if !needing.is_empty() {
            let kinds: Vec<String> = needing
                .iter()
                .map(|(k, n)| format!("`{k}` ({n} step{})", plural(*n)))
                .collect();
            let flags: Vec<String> = needing
                .iter()
                .map(|(k, _)| format!("`--allow-hazard {k}`"))
                .collect();
            let _ = writeln!(
                out,
                "> **Needs approval before apply:** {}. Approve with {}, or record the \
                 review in the approvals file next to the saved plan.\n",
                kinds.join(", "),
                flags.join(" ")
            );
        }
        out.push_str("| # | | change | hazards |\n|---|---|---|---|\n");
        for step in &plan.steps {
            let hazards: Vec<String> = step
                .hazards
                .iter()
                .map(|h| h.kind.as_str().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {}{} | {} |",
                step.number,
                verb(step.action),
                md_text(&step.summary),
                if step.transactional {
                    ""
                } else {
                    " *(after commit)*"
                },
                if step.is_destructive() {
                    format!("**{}**", hazards.join(", "))
                } else {
                    hazards.join(", ")
                }
            );
        }
        let hazardous: Vec<&Step> = plan
            .steps
            .iter()
            .filter(|s| !s.hazards.is_empty())
            .collect();
        if !hazardous.is_empty() {
            let count: usize = hazardous.iter().map(|s| s.hazards.len()).sum();
            let _ = writeln!(out, "\n<details><summary>Hazards ({count})</summary>\n");
            for step in hazardous {
                for h in &step.hazards {
                    let _ = writeln!(
                        out,
                        "- [{}] {} — `{}`: {}",
                        step.number,
                        md_text(&step.summary),
                        h.kind,
                        md_text(&h.message)
                    );
                }
            }
            out.push_str("\n</details>\n");
        }
        let mut code = String::from("BEGIN;\n");
        for step in plan.steps.iter().filter(|s| s.transactional) {
            write_step_sql(&mut code, step);
        }
        code.push_str("\nCOMMIT;\n");
        let outside: Vec<&Step> = plan.steps.iter().filter(|s| !s.transactional).collect();
        if !outside.is_empty() {
            code.push_str("\n-- after the transaction commits, each on its own:\n");
            for step in outside {
                write_step_sql(&mut code, step);
            }
        }
        // Quoted identifiers may hold line breaks and backticks: the fence is longer
        // than any backtick run of the code, so no line of it closes the block.
        let fence = md_fence(&code);
        let _ = write!(
            out,
            "\n<details><summary>SQL</summary>\n\n{fence}sql\n{code}{fence}\n\n</details>\n"
        );
    }
    if !checks.is_empty() {
        out.push_str("\n**Checks** (in the apply transaction; a failure rolls back)\n\n");
        for c in checks {
            let _ = writeln!(
                out,
                "- {} ({}): {} — {}",
                md_code(&c.name),
                when_words(c),
                md_code(&c.expect.to_string()),
                md_code(&c.query)
            );
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\n**Notes**\n\n");
        for n in &plan.notes {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                md_text(&n.object.to_string()),
                note_heading(n.kind),
                md_text(&n.message)
            );
        }
    }
    out
}
