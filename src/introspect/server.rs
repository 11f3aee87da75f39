//! The two queries that run alone, first: the transaction's settings and the server facts.

use super::{IntrospectError, get, unexpected};
use crate::model::ServerInfo;
use tokio_postgres::Row;

/// Runs first and sets, for the rest of the transaction (`set_config(…, true)`):
///
/// - an empty `search_path`, so that every name outside `pg_catalog` comes back
///   schema-qualified (see `queries`). Harmless inside apply's write
///   transaction: every statement pgrecon generates is schema-qualified;
/// - no parallel workers (`max_parallel_workers_per_gather = 0`). Deparsing an
///   expression against a table builds the table's relcache entry (~35 µs in a fresh
///   session, a third of the whole read at 10,000 tables); built in the session's own
///   process, the entry serves every later query (indexes, then constraints, then
///   policies), while a worker's entries die with it and the next query builds them
///   again. Measured on two cores: a parallel index query made the constraint query
///   that follows it 3× slower. Index builds in apply use
///   `max_parallel_maintenance_workers`, which is left alone.
pub fn search_path() -> String {
    "SELECT pg_catalog.set_config('search_path', '', true),
            pg_catalog.set_config('max_parallel_workers_per_gather', '0', true)"
        .to_string()
}

/// Server facts. Runs second, alone: the role, membership, constraint and index queries
/// depend on it. `search_path_cleared` is false when [`search_path`] did not stick (no
/// transaction was open), and the read is refused.
pub fn server() -> String {
    "SELECT pg_catalog.current_setting('server_version_num')::int4 AS version_num,
            pg_catalog.version() AS version,
            (SELECT s.system_identifier::text FROM pg_catalog.pg_control_system() AS s)
                AS system_identifier,
            current_user::text AS current_user,
            pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT')
                AS can_read_passwords,
            pg_catalog.current_setting('search_path') = '' AS search_path_cleared"
        .to_string()
}

pub(super) fn read_server(what: &'static str, rows: &[Row]) -> Result<ServerInfo, IntrospectError> {
    let [row] = rows else {
        return Err(unexpected(
            what,
            format!("{} rows instead of 1", rows.len()),
        ));
    };
    if !get::<bool>(what, row, "search_path_cleared")? {
        return Err(IntrospectError::NotInTransaction);
    }
    Ok(ServerInfo {
        version_num: get(what, row, "version_num")?,
        version: get(what, row, "version")?,
        system_identifier: get(what, row, "system_identifier")?,
        current_user: get(what, row, "current_user")?,
        can_read_passwords: get(what, row, "can_read_passwords")?,
    })
}
