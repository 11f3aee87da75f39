//! Column type changes PostgreSQL cannot make without a declared conversion: without
//! `using`, the plan converts with a cast of the current value (`USING c::newtype`), and
//! some types have none (`bigint` → `timestamp`). Only the server knows its casts, so the
//! same change is tried on an empty temporary column in a savepoint; a column without one
//! is marked `needs_using`, and the diff refuses the change at plan time instead of
//! failing at apply. Between two enums (or arrays of enums) there is no cast but the
//! labels convert through text: the plan converts with `USING c::text::newtype`, which
//! fails at apply (rolled back) on a value the new type has no label for.

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
    let enums = Catalog {
        enums: out.enums.clone(),
        ..Catalog::default()
    };
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
            // Between enums (or arrays of enums) there is no cast, but the labels
            // convert through text (the target may be created by the plan).
            let from = enum_of(live, &old.type_name);
            let to =
                enum_of(&enums, &column.type_name).or_else(|| enum_of(live, &column.type_name));
            if let (Some((_, from)), Some((_, to))) = (from, to)
                && from == to
            {
                let col = quote_ident(&column.name);
                column.using = Some(format!("{col}::text::{}", column.type_name));
                continue;
            }
            column.needs_using = !castable(client, &old.type_name, &column.type_name).await?;
        }
    }
    Ok(())
}

/// The enum a type name names, with its array dimensions, when `catalog` has it.
fn enum_of(catalog: &Catalog, type_name: &str) -> Option<(QualifiedName, usize)> {
    let mut t = type_name.trim();
    let mut dims = 0;
    while let Some(s) = t.strip_suffix("[]") {
        t = s.trim_end();
        dims += 1;
    }
    let parts = crate::sql::split_qualified(t)?;
    let [schema, name] = parts.as_slice() else {
        return None;
    };
    let name = QualifiedName::new(schema, name);
    catalog.enums.contains_key(&name).then_some((name, dims))
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
