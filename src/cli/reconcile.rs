//! `pgrecon reconcile`: the loop lives in the library (`pgrecon::reconcile`), which
//! owns its flags, logs and exit codes; the binary only runs it.

use super::CliError;
use pgrecon::reconcile::{self, ReconcileArgs};

pub async fn run(args: ReconcileArgs) -> Result<u8, CliError> {
    Ok(reconcile::run(args).await?)
}
