//! Column type changes PostgreSQL cannot make without a declared conversion: without
//! `using`, the plan converts with a cast of the current value (`USING c::newtype`), and
//! some types have none (`bigint` → `timestamp`). Only the server knows its casts, so the
//! same change is tried on an empty temporary column in a savepoint; a column without one
//! is marked `needs_using`, and the diff refuses the change at plan time instead of
//! failing at apply.

use super::error::db_error;
use super::{CanonError, exec};
use crate::model::*;
use crate::sql::quote_ident;
use tokio_postgres::GenericClient;
use tokio_postgres::error::SqlState;

const SAVEPOINT: &str = "pgrecon_canon_cast";
const PROBE: &str = "pgrecon_canon_cast";

/// Marks the columns of `out` whose type changes from the live one without a declared
/// `using` and without a cast PostgreSQL applies by itself.
pub(super) async fn mark_missing_casts(
    client: &impl GenericClient,
    out: &mut Catalog,
    live: &Catalog,
) -> Result<(), CanonError> {
    for table in out.tables.values_mut() {
        let live_name = match &table.renamed_from {
            Some(old) if !live.tables.contains_key(&table.name) => {
                QualifiedName::new(&table.name.schema, old)
            }
            _ => table.name.clone(),
        };
        let Some(have) = live.tables.get(&live_name) else {
            continue;
        };
        for column in &mut table.columns {
            if column.using.is_some() || column.generated.is_some() {
                continue;
            }
            let old = have
                .column(&column.name)
                .or_else(|| (column.renamed_from.as_deref()).and_then(|name| have.column(name)));
            let Some(old) = old.filter(|o| o.type_name != column.type_name) else {
                continue;
            };
            column.needs_using = !castable(client, &old.type_name, &column.type_name).await?;
        }
    }
    Ok(())
}

/// Whether `ALTER COLUMN c TYPE to USING c::to` works on a column of type `from`. Other
/// errors (a type the plan creates first) are not this check's to report.
async fn castable(client: &impl GenericClient, from: &str, to: &str) -> Result<bool, CanonError> {
    let probe = quote_ident(PROBE);
    exec(client, &format!("SAVEPOINT {SAVEPOINT}")).await?;
    let result = client
        .batch_execute(&format!(
            "CREATE TEMPORARY TABLE {probe} (c {from}); ALTER TABLE {probe} ALTER COLUMN c TYPE {to} USING c::{to}"
        ))
        .await;
    exec(
        client,
        &format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"),
    )
    .await?;
    match result {
        Ok(()) => Ok(true),
        Err(e)
            if e.code() == Some(&SqlState::CANNOT_COERCE)
                || e.code() == Some(&SqlState::DATATYPE_MISMATCH) =>
        {
            Ok(false)
        }
        Err(e) if e.code().is_some() => Ok(true),
        Err(e) => Err(db_error(&e)),
    }
}
