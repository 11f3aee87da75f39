//! Plan → text (Terraform style), SQL (runnable with psql), JSON, Markdown. Pure
//! functions of the plan: the same plan renders to the same bytes.

use crate::diff::NoteKind;
use crate::plan::{Action, Plan, Step};
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
    pub server_version: String,
}

pub fn render(plan: &Plan, target: Option<&Target>, format: Format) -> String {
    match format {
        Format::Text => text(plan, target),
        Format::Sql => sql(plan, target),
        Format::Json => json(plan, target),
        Format::Markdown => markdown(plan, target),
    }
}

pub const NO_CHANGES: &str = "No changes. The database matches the desired state.";

pub fn summary_line(plan: &Plan) -> String {
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
    if s.destructive > 0 {
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

fn text(plan: &Plan, target: Option<&Target>) -> String {
    let mut out = String::new();
    if let Some(t) = target {
        let _ = writeln!(
            out,
            "pgrecon plan for database {} (PostgreSQL {})\n",
            crate::sql::display_ident(&t.database),
            t.server_version
        );
    }
    let mut boundary_shown = false;
    for step in &plan.steps {
        if !step.transactional && !boundary_shown {
            out.push_str("  -- after the transaction commits, each on its own:\n");
            boundary_shown = true;
        }
        let _ = write!(out, "  {} {}", step.action.symbol(), step.summary);
        if step.is_destructive() {
            out.push_str("  [destructive]");
        }
        out.push('\n');
        for d in &step.details {
            let _ = writeln!(out, "      {d}");
        }
        for h in &step.hazards {
            let _ = writeln!(out, "      ! {}: {}", h.kind.as_str(), h.message);
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
                n.object,
                note_heading(n.kind),
                n.message
            );
        }
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(&summary_line(plan));
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
            t.database, t.server_version
        );
    }
    let _ = writeln!(out, "-- {}", summary_line(plan));
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
    let _ = writeln!(out, "\n-- [{}] {}", step.number, step.summary);
    for h in &step.hazards {
        let _ = writeln!(out, "-- hazard {}: {}", h.kind.as_str(), h.message);
    }
    for s in &step.sql {
        if s.starts_with("--") {
            let _ = writeln!(out, "{s}");
        } else {
            let _ = writeln!(out, "{s};");
        }
    }
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    plan_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a Target>,
    changes: bool,
    summary: &'a crate::plan::Summary,
    steps: Vec<JsonStep<'a>>,
    notes: &'a [crate::diff::Note],
}

#[derive(Serialize)]
struct JsonStep<'a> {
    #[serde(flatten)]
    step: &'a Step,
    destructive: bool,
}

fn json(plan: &Plan, target: Option<&Target>) -> String {
    let doc = JsonPlan {
        format_version: plan.format_version,
        plan_id: &plan.plan_id,
        target,
        changes: !plan.is_empty(),
        summary: &plan.summary,
        steps: plan
            .steps
            .iter()
            .map(|s| JsonStep {
                step: s,
                destructive: s.is_destructive(),
            })
            .collect(),
        notes: &plan.notes,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("plan serializes");
    s.push('\n');
    s
}

fn markdown(plan: &Plan, target: Option<&Target>) -> String {
    let mut out = String::from("### pgrecon plan\n\n");
    if let Some(t) = target {
        let _ = writeln!(
            out,
            "Database `{}` (PostgreSQL {}) · plan `{}`\n",
            t.database,
            t.server_version,
            &plan.plan_id[..12]
        );
    }
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    if !plan.is_empty() {
        out.push_str("| # | | change | hazards |\n|---|---|---|---|\n");
        for step in &plan.steps {
            let hazards: Vec<&str> = step.hazards.iter().map(|h| h.kind.as_str()).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                step.number,
                verb(step.action),
                step.summary.replace('|', "\\|"),
                if step.is_destructive() {
                    format!("**{}**", hazards.join(", "))
                } else {
                    hazards.join(", ")
                }
            );
        }
        out.push_str("\n<details><summary>SQL</summary>\n\n```sql\n");
        for step in &plan.steps {
            write_step_sql(&mut out, step);
        }
        out.push_str("```\n\n</details>\n");
    }
    if !plan.notes.is_empty() {
        out.push_str("\n**Notes**\n\n");
        for n in &plan.notes {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                n.object,
                note_heading(n.kind),
                n.message
            );
        }
    }
    out
}
