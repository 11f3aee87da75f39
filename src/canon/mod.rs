//! Brings the desired catalog's type names and SQL expressions to the form PostgreSQL
//! stores (`format_type`, `pg_get_expr`), so that comparing them with the live catalog
//! is exact. The server does the work: inside a transaction (or savepoint) that the
//! caller rolls back. (In progress.)

use crate::model::Catalog;
use tokio_postgres::GenericClient;

#[derive(Debug, thiserror::Error)]
pub enum CanonError {
    #[error("failed to canonicalise the desired state: {0}")]
    Database(String),
}

/// Returns `desired` with canonical type names and expressions. Runs statements that
/// create temporary objects: call it inside a transaction or savepoint that is rolled
/// back afterwards (see `in_scratch_transaction`).
pub async fn canonicalize(
    _client: &impl GenericClient,
    desired: &Catalog,
) -> Result<Catalog, CanonError> {
    Ok(desired.clone())
}

/// `canonicalize` in its own transaction, always rolled back.
pub async fn in_scratch_transaction(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
) -> Result<Catalog, CanonError> {
    let txn = client
        .transaction()
        .await
        .map_err(|e| CanonError::Database(crate::conn::error_chain(&e)))?;
    let result = canonicalize(&txn, desired).await;
    txn.rollback()
        .await
        .map_err(|e| CanonError::Database(crate::conn::error_chain(&e)))?;
    result
}
