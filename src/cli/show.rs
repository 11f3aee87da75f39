//! `pgrecon show`: a saved plan rendered.

use super::CliError;
use pgrecon::render::{self, Format};
use pgrecon::saved::SavedPlan;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The plan file (from `plan --out`)
    file: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let saved = SavedPlan::read(&args.file)?;
    print!("{}", render::render_saved(&saved, args.format));
    Ok(0)
}
