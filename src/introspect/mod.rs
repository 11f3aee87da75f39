//! Reads the live catalog into the same [`Catalog`] type the desired state produces.
//!
//! Introspection is a fixed list of set-based queries ([`QUERY_COUNT`] of them, see
//! [`QUERY_NAMES`]) whatever the size of the catalog: one per object class, never one
//! per object, and no deparsing beyond expressions (see `queries`). The first query
//! empties `search_path` for the transaction, so that type names and expressions come
//! back in their canonical, schema-qualified form; it is why the catalog must be read
//! inside a transaction ([`snapshot`] opens one). The second (server facts) runs alone
//! because the others depend on it (the server version decides the shape of some
//! queries, superuser-ness whether passwords are read); the others are sent together on
//! the connection (pipelined) and their rows turned into the model by the module of
//! their kind (`roles`, `tables`, `columns`, …), where each query sits next to its
//! reader; `queries` holds the list.
//!
//! What the live catalog holds, and what it leaves out:
//!
//! - roles: every role but the built-in `pg_*` ones; their memberships (granted roles may
//!   be built-in), settings for every database and for this database;
//! - schemas, relations (tables, views, materialized views, foreign tables, sequences) and
//!   functions/procedures outside the system schemas, except objects that belong to an
//!   extension and everything inside a schema that belongs to an extension; the same
//!   scope for tables, sequences, enums, domains and unmanaged objects;
//! - tables with their columns, constraints, indexes and policies. A partition lists no
//!   columns (they are its parent's) and none of the constraints and indexes PostgreSQL
//!   copies from the parent, only what was declared on the partition itself. Legacy
//!   inheritance (`INHERITS`) is not modelled: a child lists all its columns and only
//!   its local constraints. Identity sequences are part of their column
//!   (`Identity.options`), not `sequences`. Whether a constraint is validated and an
//!   index valid (a failed `CONCURRENTLY` build) is read: either is drift, repaired.
//!   Not in the model, so not read: exclusion elements' opclass/collation/order,
//!   `ON DELETE SET NULL (cols)`;
//! - every extension but `plpgsql`;
//! - ACLs without the owner's own entries, but with the built-in grants PostgreSQL applies
//!   when an object was never granted on (`acldefault`): `PUBLIC` `CONNECT`/`TEMPORARY`
//!   on the database, `PUBLIC` `EXECUTE` on functions;
//! - schema-specific default privileges as stored (additions only); global ones
//!   (`ALTER DEFAULT PRIVILEGES FOR ROLE r` without `IN SCHEMA`) are not read.

mod acl;
mod collations;
mod columns;
mod composite_types;
mod constraints;
mod database;
mod default_privileges;
mod domains;
mod enums;
mod extensions;
mod functions;
mod indexes;
mod lookups;
mod policies;
mod queries;
mod range_types;
mod relations;
mod roles;
mod rows;
mod schemas;
mod sequences;
mod server;
mod settings;
mod tables;
mod triggers;
mod unmanaged;
mod views;

use crate::model::{Catalog, QualifiedName, ServerInfo};
use queries::q;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::{GenericClient, IsolationLevel, Row};

/// Number of queries [`read_catalog`] issues, whatever the size of the catalog.
pub const QUERY_COUNT: usize = queries::NAMES.len();

/// What each of the [`QUERY_COUNT`] queries reads, in the order they are sent.
pub const QUERY_NAMES: [&str; QUERY_COUNT] = queries::NAMES;

/// Every query [`read_catalog`] runs, by name, in the order it sends them, for a server
/// of `version_num` (also for benchmarks and diagnostics: each can be run and timed on
/// its own, after `SET search_path = ''`).
#[doc(hidden)]
pub fn query_texts(version_num: i32, can_read_passwords: bool) -> Vec<(&'static str, String)> {
    QUERY_NAMES
        .into_iter()
        .zip(queries::texts(version_num, can_read_passwords))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("failed to read the catalog ({what}): {source}")]
    Query {
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The catalog holds something this version of pgrecon does not understand (a
    /// privilege or object kind from a newer server, a malformed setting). Refusing is
    /// safer than ignoring it: an ignored grant would never be revoked.
    #[error(
        "unexpected catalog content ({what}): {}",
        crate::escape::text_line(detail)
    )]
    Unexpected { what: &'static str, detail: String },
    /// `read_catalog` was called outside a transaction: the empty `search_path` it sets
    /// for the read (transaction-local) did not last, and type names and expressions
    /// would not come back in their canonical, schema-qualified form.
    #[error(
        "the catalog must be read inside a transaction (use introspect::snapshot, or begin one first)"
    )]
    NotInTransaction,
}

impl IntrospectError {
    /// Whether a catalog query failed on `lock_timeout` (SQLSTATE 55P03).
    pub fn is_lock_timeout(&self) -> bool {
        matches!(self, IntrospectError::Query { source, .. } if crate::db_error::is_lock_timeout(source))
    }
}

/// Reads the live catalog using the caller's open transaction or connection (apply
/// re-reads inside its write transaction). For one consistent snapshot on its own, use
/// [`snapshot`].
pub async fn read_catalog(client: &impl GenericClient) -> Result<Catalog, IntrospectError> {
    read_catalog_counting(client)
        .await
        .map(|(catalog, _)| catalog)
}

/// Opens `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, calls [`read_catalog`] and
/// commits: every query sees the same snapshot.
///
/// The read waits at most [`READ_LOCK_TIMEOUT`] for a lock (the deparsing functions lock
/// the relations they read, and a session holding a table lock would otherwise stall
/// the read), and a read that fails on it is retried [`READ_RETRIES`] times.
pub async fn snapshot(client: &mut tokio_postgres::Client) -> Result<Catalog, IntrospectError> {
    let mut attempt = 0;
    loop {
        match snapshot_once(client).await {
            Err(e) if e.is_lock_timeout() && attempt < READ_RETRIES => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
            }
            other => return other,
        }
    }
}

/// How long a catalog read waits for a lock before it fails (and is retried).
pub const READ_LOCK_TIMEOUT: &str = "2s";
/// How many times a catalog read that failed on a lock timeout is retried.
pub const READ_RETRIES: u32 = 3;

async fn snapshot_once(client: &mut tokio_postgres::Client) -> Result<Catalog, IntrospectError> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(|source| IntrospectError::Query {
            what: "begin snapshot transaction",
            source,
        })?;
    tx.batch_execute(&format!("SET LOCAL lock_timeout = '{READ_LOCK_TIMEOUT}'"))
        .await
        .map_err(|source| IntrospectError::Query {
            what: "begin snapshot transaction",
            source,
        })?;
    let catalog = read_catalog(&tx).await?;
    tx.commit().await.map_err(|source| IntrospectError::Query {
        what: "commit snapshot transaction",
        source,
    })?;
    Ok(catalog)
}

/// [`read_catalog`], also returning how many queries were sent (for tests: it must be
/// [`QUERY_COUNT`] whatever the catalog size).
#[doc(hidden)]
pub async fn read_catalog_counting(
    client: &impl GenericClient,
) -> Result<(Catalog, usize), IntrospectError> {
    let reader = Reader {
        client,
        sent: AtomicUsize::new(0),
    };
    let catalog = reader.read().await?;
    Ok((catalog, reader.sent.load(Ordering::Relaxed)))
}

struct Reader<'a, C> {
    client: &'a C,
    sent: AtomicUsize,
}

impl<C: GenericClient> Reader<'_, C> {
    async fn run(&self, what: &'static str, sql: String) -> Result<Vec<Row>, IntrospectError> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        // `query_typed` with no parameters: one round trip, no named prepared statement
        // (works behind transaction-pooling proxies too).
        self.client
            .query_typed(&sql, &[])
            .await
            .map_err(|source| IntrospectError::Query { what, source })
    }

    async fn read(&self) -> Result<Catalog, IntrospectError> {
        let name = |k: usize| QUERY_NAMES[k];
        // Canonical text needs an empty search_path (see `queries`); the server query
        // checks that it took effect.
        self.run(name(q::SEARCH_PATH), server::search_path())
            .await?;
        let server_rows = self.run(name(q::SERVER), server::server()).await?;
        let server = server::read_server(name(q::SERVER), &server_rows)?;

        // Every other query is sent at once (each future sends its query when first
        // polled, and `try_join!` polls them in order), and every result is handed, as
        // soon as it is complete, to a blocking thread that turns it into the model while
        // the server runs the next queries. The futures here only keep draining the
        // connection.
        let mut texts = query_texts(server.version_num, server.can_read_passwords)
            .into_iter()
            .skip(2) // search path and server, run above
            .map(|(_, sql)| sql);
        let mut text = || texts.next().unwrap_or_default();
        let (sender, receiver) = std::sync::mpsc::channel();
        let decoder = tokio::task::spawn_blocking(move || decode(receiver, server));
        // When a pipelined query fails, every later one fails with "current transaction
        // is aborted" (25P02): that follow-on must not hide the first error (a lock
        // timeout is retried), so it is reported only if nothing else failed.
        let follow_on: std::sync::Mutex<Option<IntrospectError>> = std::sync::Mutex::new(None);
        let fetch = |k: usize, sql: String| {
            let sender = sender.clone();
            let follow_on = &follow_on;
            async move {
                let rows = match self.run(name(k), sql).await {
                    Err(IntrospectError::Query { what, source })
                        if source.code()
                            == Some(
                                &tokio_postgres::error::SqlState::IN_FAILED_SQL_TRANSACTION,
                            ) =>
                    {
                        let mut slot = follow_on.lock().unwrap_or_else(|p| p.into_inner());
                        slot.get_or_insert(IntrospectError::Query { what, source });
                        return Ok(());
                    }
                    other => other?,
                };
                // The decoder only stops early on an error of its own, reported below.
                let _ = sender.send((k, rows));
                Ok::<(), IntrospectError>(())
            }
        };
        let fetched = tokio::try_join!(
            fetch(q::LOOKUPS, text()),
            fetch(q::TABLES, text()),
            fetch(q::COLUMNS, text()),
            fetch(q::COLUMN_DETAILS, text()),
            fetch(q::INDEXES, text()),
            fetch(q::CONSTRAINTS, text()),
            fetch(q::POLICIES, text()),
            fetch(q::SEQUENCES, text()),
            fetch(q::DATABASE, text()),
            fetch(q::ROLES, text()),
            fetch(q::MEMBERSHIPS, text()),
            fetch(q::SETTINGS, text()),
            fetch(q::SCHEMAS, text()),
            fetch(q::RELATIONS, text()),
            fetch(q::FUNCTIONS, text()),
            fetch(q::DEFAULT_PRIVILEGES, text()),
            fetch(q::ENUMS, text()),
            fetch(q::DOMAINS, text()),
            fetch(q::EXTENSIONS, text()),
            fetch(q::UNMANAGED, text()),
            fetch(q::TRIGGERS, text()),
            fetch(q::COLLATIONS, text()),
            fetch(q::COMPOSITE_TYPES, text()),
            fetch(q::RANGE_TYPES, text()),
            fetch(q::VIEWS, text()),
        );
        drop(sender);
        let decoded = decoder
            .await
            .map_err(|e| unexpected("decoding", format!("the decoding thread failed: {e}")));
        // A query error explains a decoder that stopped waiting for rows.
        fetched?;
        if let Some(e) = follow_on.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        decoded?
    }
}

/// Results of the pipelined queries, by position in [`QUERY_NAMES`], in the order they
/// arrive (the order they were sent).
struct Results {
    receiver: std::sync::mpsc::Receiver<(usize, Vec<Row>)>,
    slots: Vec<Option<Vec<Row>>>,
}

impl Results {
    /// The rows of query `k`, waiting for them if needed.
    fn take(&mut self, k: usize) -> Result<Vec<Row>, IntrospectError> {
        while self.slots[k].is_none() {
            let Ok((i, rows)) = self.receiver.recv() else {
                // The fetching side stopped (a query failed): its error is reported.
                return Err(unexpected(QUERY_NAMES[k], "no result"));
            };
            self.slots[i] = Some(rows);
        }
        Ok(self.slots[k].take().unwrap_or_default())
    }
}

/// Turns the results into the catalog, in the order the queries were sent: each result
/// is decoded, and its rows freed, while the later ones are still being computed.
fn decode(
    receiver: std::sync::mpsc::Receiver<(usize, Vec<Row>)>,
    server: ServerInfo,
) -> Result<Catalog, IntrospectError> {
    let mut results = Results {
        receiver,
        slots: (0..QUERY_COUNT).map(|_| None).collect(),
    };
    let name = |k: usize| QUERY_NAMES[k];

    let lookups = lookups::read_lookups(name(q::LOOKUPS), &results.take(q::LOOKUPS)?)?;
    let mut by_oid = tables::read_tables(name(q::TABLES), &results.take(q::TABLES)?)?;
    let columns = columns::apply_columns(
        name(q::COLUMNS),
        &results.take(q::COLUMNS)?,
        &mut by_oid,
        &lookups,
    )?;
    columns::apply_column_details(
        name(q::COLUMN_DETAILS),
        &results.take(q::COLUMN_DETAILS)?,
        &mut by_oid,
        &columns,
    )?;
    let mut indexes = indexes::read_indexes(
        name(q::INDEXES),
        &results.take(q::INDEXES)?,
        &by_oid,
        &columns,
        &lookups,
    )?;
    constraints::apply_constraints(
        name(q::CONSTRAINTS),
        &results.take(q::CONSTRAINTS)?,
        &mut by_oid,
        &columns,
        &mut indexes,
        &lookups,
    )?;
    indexes::apply_indexes(indexes, &mut by_oid);
    policies::apply_policies(name(q::POLICIES), &results.take(q::POLICIES)?, &mut by_oid)?;
    let view_triggers =
        triggers::apply_triggers(name(q::TRIGGERS), &results.take(q::TRIGGERS)?, &mut by_oid)?;
    let sequences = sequences::read_sequences(
        name(q::SEQUENCES),
        &results.take(q::SEQUENCES)?,
        &mut by_oid,
        &columns,
    )?;
    drop(columns);
    // Sorted by name before the tables move into the map, so that building it moves
    // each (large) table once.
    let mut order: Vec<(QualifiedName, u32)> = by_oid
        .iter()
        .map(|(oid, table)| (table.name.clone(), *oid))
        .collect();
    order.sort_unstable();
    let tables = order
        .into_iter()
        .filter_map(|(name, oid)| by_oid.remove(&oid).map(|table| (name, table)))
        .collect();

    let mut catalog = Catalog {
        database: Some(database::read_database(
            name(q::DATABASE),
            &results.take(q::DATABASE)?,
        )?),
        roles: roles::read_roles(
            name(q::ROLES),
            &results.take(q::ROLES)?,
            server.can_read_passwords,
        )?,
        tables,
        sequences,
        ..Catalog::default()
    };
    roles::apply_memberships(
        name(q::MEMBERSHIPS),
        &results.take(q::MEMBERSHIPS)?,
        &mut catalog.roles,
    )?;
    settings::apply_settings(name(q::SETTINGS), &results.take(q::SETTINGS)?, &mut catalog)?;
    catalog.schemas = schemas::read_schemas(name(q::SCHEMAS), &results.take(q::SCHEMAS)?)?;
    catalog.relations =
        relations::read_relations(name(q::RELATIONS), &results.take(q::RELATIONS)?)?;
    catalog.functions =
        functions::read_functions(name(q::FUNCTIONS), &results.take(q::FUNCTIONS)?)?;
    catalog.default_privileges = default_privileges::read_default_privileges(
        name(q::DEFAULT_PRIVILEGES),
        &results.take(q::DEFAULT_PRIVILEGES)?,
    )?;
    catalog.enums = enums::read_enums(name(q::ENUMS), &results.take(q::ENUMS)?)?;
    catalog.domains = domains::read_domains(name(q::DOMAINS), &results.take(q::DOMAINS)?)?;
    catalog.extensions =
        extensions::read_extensions(name(q::EXTENSIONS), &results.take(q::EXTENSIONS)?)?;
    catalog.unmanaged =
        unmanaged::read_unmanaged(name(q::UNMANAGED), &results.take(q::UNMANAGED)?)?;
    catalog.collations =
        collations::read_collations(name(q::COLLATIONS), &results.take(q::COLLATIONS)?)?;
    catalog.composite_types = composite_types::read_composite_types(
        name(q::COMPOSITE_TYPES),
        &results.take(q::COMPOSITE_TYPES)?,
    )?;
    catalog.range_types =
        range_types::read_range_types(name(q::RANGE_TYPES), &results.take(q::RANGE_TYPES)?)?;
    catalog.views = views::read_views(name(q::VIEWS), &results.take(q::VIEWS)?)?;
    for (view, trigger) in view_triggers {
        if let Some(v) = catalog.views.get_mut(&view) {
            v.triggers.insert(trigger.name.clone(), trigger);
        }
    }
    catalog.server = Some(server);
    Ok(catalog)
}

fn get<'r, T: tokio_postgres::types::FromSql<'r>>(
    what: &'static str,
    row: &'r Row,
    column: &str,
) -> Result<T, IntrospectError> {
    row.try_get(column)
        .map_err(|source| IntrospectError::Query { what, source })
}

fn unexpected(what: &'static str, detail: impl Into<String>) -> IntrospectError {
    IntrospectError::Unexpected {
        what,
        detail: detail.into(),
    }
}
