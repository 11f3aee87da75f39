//! `pgrecon validate`: the desired state checked without a database.

use super::{CliError, DirArg};
use pgrecon::config;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    dir: DirArg,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let dir = args.dir;
    let desired = config::load_dir(&dir.dir)?;
    let c = &desired.catalog;
    println!(
        "desired state in {} is valid: {}",
        dir.dir.display(),
        config::summary(c)
    );
    Ok(0)
}
