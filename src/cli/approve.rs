//! `pgrecon approve`: a reviewer's approval of a saved plan's hazards, written to
//! `<plan>.approvals.toml`.

use super::CliError;
use pgrecon::approval::{self, ApprovalsFile};
use pgrecon::plan::HazardKind;
use pgrecon::saved::SavedPlan;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The plan file (from `plan --out`)
    file: PathBuf,
    /// Who approves
    #[arg(long)]
    reviewer: String,
    /// A hazard kind to approve (repeatable)
    #[arg(long = "hazard", value_name = "KIND", required = true)]
    hazards: Vec<HazardKind>,
    /// Why
    #[arg(long)]
    comment: Option<String>,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let Args {
        file,
        reviewer,
        hazards,
        comment,
    } = args;
    let saved = SavedPlan::read(&file)?;
    if reviewer.trim().is_empty() {
        return Err(CliError::Usage("--reviewer must name someone".into()));
    }
    let in_plan = saved.to_plan().hazard_kinds();
    let mut approved: Vec<HazardKind> = hazards;
    approved.sort();
    approved.dedup();
    // An approval of a hazard the plan does not carry is a mistake (a wrong plan
    // file, a typo'd kind): refused before anything is written.
    let absent: Vec<&str> = approved
        .iter()
        .filter(|k| !in_plan.contains(k))
        .map(|k| k.as_str())
        .collect();
    if !absent.is_empty() {
        let carried: Vec<&str> = in_plan.iter().map(|k| k.as_str()).collect();
        return Err(CliError::Usage(format!(
            "no step of the plan carries the hazard{} {}; nothing was written\n  help: {}",
            if absent.len() == 1 { "" } else { "s" },
            absent.join(", "),
            if carried.is_empty() {
                "this plan carries no hazard and needs no approval".to_string()
            } else {
                format!(
                    "the plan carries {}; approve only those",
                    carried.join(", ")
                )
            }
        )));
    }
    let file_out = approval::approvals_path(&file);
    ApprovalsFile {
        plan_id: saved.plan_id.clone(),
        reviewer,
        approved: approved.clone(),
        comment,
    }
    .write(&file_out)?;
    let kinds: Vec<&str> = approved.iter().map(|k| k.as_str()).collect();
    println!(
        "Approved {} for plan {}; written to {}.",
        kinds.join(", "),
        saved.plan_id,
        file_out.display()
    );
    Ok(0)
}
