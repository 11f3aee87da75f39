//! `pgrecon drift`: every difference between desired and live, grouped (exit 2 on
//! drift, 3 if a confinement is broken).

use super::{CanonArg, CliError, DbArg, DirArg, VerifyFormat};
use pgrecon::drift::{self, DriftError, DriftOptions};
use pgrecon::pipeline::Access;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    dir: DirArg,
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    canon: CanonArg,
    /// The role that applies, when not the connected one (see `plan --apply-as`)
    #[arg(long, value_name = "ROLE")]
    apply_as: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: VerifyFormat,
    /// Also list what lies outside the managed scope (never drift)
    #[arg(long)]
    all: bool,
}

pub async fn run(args: Args) -> Result<u8, CliError> {
    let (desired, mut session, live) =
        super::load_and_read(&args.dir, &args.db, Access::ReadOnly).await?;
    let options = DriftOptions {
        prune: false,
        all: args.all,
        server_check: true,
        canon_site: args.canon.site(&session)?,
        apply_as: args.apply_as.clone(),
    };
    let detected = drift::detect_in(&mut session.client, live, &desired.catalog, &options)
        .await
        .map_err(|e| match e {
            DriftError::Canon(c) => CliError::Rejected(c.located(&desired.sources)),
            other => other.into(),
        })?;
    match args.format {
        VerifyFormat::Text => print!("{}", drift::render_text(&detected.report)),
        VerifyFormat::Json => print!("{}", detected.report.to_json()),
    }
    let code = detected.report.exit_code();
    // The process ends next: the catalogs are not freed object by object.
    std::mem::forget(detected);
    std::mem::forget(desired);
    Ok(code)
}
