//! `pgrecon verify`: every declared confinement proved against effective privileges
//! (exit 3 if one is broken).

use super::{CliError, DbArg, DirArg, EXIT_POLICY, VerifyFormat};
use pgrecon::pipeline::Access;
use pgrecon::{conn, verify};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    dir: DirArg,
    #[command(flatten)]
    db: DbArg,
    #[arg(long, value_enum, default_value = "text")]
    format: VerifyFormat,
}

pub async fn run(args: Args) -> Result<u8, CliError> {
    let (desired, session, live) =
        super::load_and_read(&args.dir, &args.db, Access::ReadOnly).await?;
    let mut report = verify::verify(&desired.catalog, &live);
    verify::server_check(&session.client, &desired.catalog, &mut report)
        .await
        .map_err(|e| CliError::Verify(conn::error_chain(&e)))?;
    match args.format {
        VerifyFormat::Text => print!("{}", verify::render_text(&report)),
        VerifyFormat::Json => println!("{}", report.to_json()),
    }
    // The process ends next: the catalogs are not freed object by object.
    std::mem::forget(live);
    std::mem::forget(desired);
    Ok(if report.ok { 0 } else { EXIT_POLICY })
}
