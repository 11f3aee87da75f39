//! `pgrecon import`: the live state written as desired-state TOML.

use super::{CliError, DbArg};
use pgrecon::pipeline::Access;
use pgrecon::{import, introspect};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArg,
    /// Directory to write the TOML files into
    #[arg(long)]
    out: PathBuf,
    /// Only these schemas (repeatable); default every non-system schema
    #[arg(long = "schema")]
    schemas: Vec<String>,
}

pub async fn run(args: Args) -> Result<u8, CliError> {
    let mut session = super::open(&args.db, Access::ReadOnly).await?;
    let live = introspect::snapshot(&mut session.client).await?;
    let options = import::ImportOptions {
        schemas: args.schemas,
    };
    let report = import::write(&live, &options, &args.out)?;
    print!("{report}");
    Ok(0)
}
