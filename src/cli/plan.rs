//! `pgrecon plan`: what apply would change (exit 2 when there are changes).

use super::{CanonArg, CliError, DbArg, DirArg, EXIT_CHANGES, EXIT_ERROR, EXIT_POLICY, ReportArg};
use pgrecon::diff::DiffOptions;
use pgrecon::pipeline::{self, Access};
use pgrecon::render::escape::text_line;
use pgrecon::render::{self, Format, Target};
use pgrecon::report::{self, RunReport, Status};
use pgrecon::saved::TargetIdentity;
use pgrecon::saved::fingerprint::Detail;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    dir: DirArg,
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    canon: CanonArg,
    /// Refuse, as apply would, what this role may not do (the role that will apply; by
    /// default no role's privileges are checked, as the planning role may only read)
    #[arg(long, value_name = "ROLE")]
    apply_as: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Include drops of undeclared objects in the owned scope
    #[arg(long)]
    prune: bool,
    /// Do not fail (exit 3) when the planned state breaks a declared confinement
    #[arg(long)]
    allow_violation: bool,
    /// Save the plan (self-contained JSON) for `pgrecon apply --plan`
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    report: ReportArg,
}

pub async fn run(args: Args) -> Result<u8, CliError> {
    super::prepare_report_dir(&args.report)?;
    let started = Instant::now();
    let mut record = RunReport::start("plan");
    let result = plan(&args, &mut record).await;
    super::write_report(&args.report, record, started, result)
}

async fn plan(args: &Args, record: &mut RunReport) -> Result<u8, CliError> {
    let (mut loaded, mut session, live) =
        super::load_and_read(&args.dir, &args.db, Access::ReadOnly).await?;
    let site = args.canon.site(&session)?;
    let mut planned = pipeline::plan_snapshot(
        &mut session.client,
        live,
        &loaded.catalog,
        &DiffOptions { prune: args.prune },
        &site,
        args.apply_as.as_deref(),
    )
    .await
    .map_err(|e| CliError::located(e, &loaded))?;
    // The declared catalog is not read again (the canonical one in `planned` is): freed
    // here, its memory serves the fingerprint and the confinement projection.
    drop(std::mem::take(&mut loaded.catalog));
    // Per-object hashes only where they are written: the file, or JSON (the same
    // document).
    let detail = if args.out.is_some() || args.format == Format::Json {
        Detail::PerObject
    } else {
        Detail::Hash
    };
    let saved = planned.save(&loaded.checks, args.prune, detail);
    let pipeline::Planned {
        desired,
        live,
        plan,
        ..
    } = &planned;
    record.set_live(live);
    record.set_plan(plan);
    record.desired_state_hash = Some(saved.desired_state_hash.clone());
    record.set_fingerprints(&saved.fingerprint(), None);
    record.validation = Some(report::validation(
        "live",
        desired,
        live,
        &plan.notes,
        plan.steps.len(),
    ));
    let target = Target::of_identity(&TargetIdentity::of(live));
    let cx = render::Context {
        target: Some(&target),
        checks: &loaded.checks,
        destructive_approved: false,
        saved: Some(&saved),
    };
    print!("{}", render::render_with(plan, &cx, args.format));
    if !pipeline::impossible(plan).is_empty() {
        let message = "the desired state asks for changes that cannot be made in place or by \
                       the connected role (see the notes marked error above)";
        eprintln!("error: {message}");
        record.result = report::RunResult {
            status: Status::Error,
            message: Some(message.to_string()),
        };
        return Ok(EXIT_ERROR);
    }
    // The state this plan would produce must keep every declared confinement.
    let verdict = pipeline::planned_confinement(desired, live);
    if !verdict.ok {
        eprintln!(
            "{}: the planned state breaks a declared confinement:",
            if args.allow_violation {
                "warning"
            } else {
                "error"
            }
        );
        for (_, v) in verdict.violations() {
            eprintln!("  ✗ {}", text_line(&v.path));
        }
        if !args.allow_violation {
            record.result = report::RunResult {
                status: Status::Refused,
                message: Some("the planned state breaks a declared confinement".into()),
            };
            return Ok(EXIT_POLICY);
        }
    }
    if let Some(out) = &args.out {
        saved.write(out)?;
        eprintln!(
            "note: plan {} saved to {}; apply exactly this plan with: pgrecon apply --plan {}",
            saved.plan_id,
            out.display(),
            out.display()
        );
    }
    record.result.status = if plan.is_empty() {
        Status::NoChanges
    } else {
        Status::Changes
    };
    let code = if plan.is_empty() { 0 } else { EXIT_CHANGES };
    // The process ends next: freeing two catalogs of a large database object by object
    // (hundreds of thousands of allocations) would only delay the exit.
    std::mem::forget(planned);
    std::mem::forget(saved);
    Ok(code)
}
