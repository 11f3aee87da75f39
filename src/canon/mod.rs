//! Brings the desired catalog's type names and SQL expressions to the exact text
//! PostgreSQL stores and prints (`format_type`, `pg_get_expr`, …), so that comparing them
//! with the live catalog is exact and apply-then-plan is always empty.
//!
//! Only the server knows the canonical form (`int4` is `integer`, `'{}'` on a `jsonb`
//! column is `'{}'::jsonb`, `x IN (1, 2)` is `x = ANY (ARRAY[1, 2])`, `now()` and
//! `CURRENT_TIMESTAMP` stay distinct), so the server does the work:
//!
//! 1. Desired objects whose text already equals the live object's are left as they are:
//!    live text is canonical and canonical text is a fixed point. A no-op plan therefore
//!    creates nothing, whatever the size of the catalog.
//! 2. For every other desired table a copy is created in a scratch schema
//!    (`pgrecon_canon_<n>`, one per real schema) with its columns (types, collations,
//!    defaults, generated expressions, identity), check and exclusion constraints,
//!    indexes, policies and partitioning; desired schemas, extensions, enums, domains and
//!    sequences that do not exist yet are created under their real names first, so that
//!    type names and `nextval('s.seq')` resolve to what they will be. Names are resolved
//!    with `search_path` set to the object's schema and `public` while creating.
//! 3. The scratch objects are read back by the introspection reader itself (with
//!    `search_path = ''`, so every name outside `pg_catalog` comes out qualified), and the
//!    canonical text is copied into the desired catalog; the scratch schema's name is
//!    mapped back to the real one.
//! 4. Views and materialized views come last, in a savepoint of their own: each view
//!    that is not settled is created in its scratch schema with its references pointed
//!    at what the desired state will hold (see `views.rs` for the design), and its
//!    `pg_get_viewdef` text, columns and dependencies are read back.
//!
//! Everything runs in one batch of DDL plus two catalog reads, inside a transaction or
//! savepoint that the caller rolls back (`in_scratch_transaction`, or apply's savepoint).
//! A type or expression the server rejects becomes a [`CanonError::Rejected`] that names
//! the object, the clause and the server's message.

mod casts;
mod chunks;
mod ddl;
mod error;
mod groups;
mod merge;
mod routines;
mod run;
mod user_types;
mod views;
mod work;

pub use error::{CanonError, CanonProblem, Declared};

use crate::introspect;
use crate::model::*;
use crate::sql::quote_literal;
use chunks::lock_budget;
use ddl::{Checker, Group};
use error::db_error;
use run::run;
use std::collections::BTreeMap;
use tokio_postgres::GenericClient;
use work::Work;

/// Prefix of the scratch schemas; never a real schema name (a live schema with such a
/// name is skipped over).
const SCRATCH_PREFIX: &str = "pgrecon_canon_";
const DDL_SAVEPOINT: &str = "pgrecon_canon_ddl";
/// How the scratch schemas are named in errors.
const SCRATCH_OBJECT: &str = "the scratch schemas";
const OBJECT_SAVEPOINT: &str = "pgrecon_canon_object";
const CHUNK_SAVEPOINT: &str = "pgrecon_canon_chunk";

/// Returns `desired` with canonical type names and expressions. Reads the live catalog
/// and creates scratch objects: call it inside a transaction or savepoint that is rolled
/// back afterwards (see [`in_scratch_transaction`]). When the caller already holds the
/// live catalog, [`canonicalize_with_live`] saves one catalog read.
pub async fn canonicalize(
    client: &impl GenericClient,
    desired: &Catalog,
) -> Result<Catalog, CanonError> {
    if !has_text(desired) {
        return Ok(desired.clone());
    }
    set_empty_search_path(client).await?;
    let live = introspect::read_catalog(client).await?;
    canonicalize_with_live(client, desired, &live).await
}

/// [`canonicalize`] with the live catalog already read (in the same transaction).
pub async fn canonicalize_with_live(
    client: &impl GenericClient,
    desired: &Catalog,
    live: &Catalog,
) -> Result<Catalog, CanonError> {
    // Scratch copies of features the server lacks would fail with a bare syntax error.
    let version_num = live.server.as_ref().map_or(150000, |s| s.version_num);
    let desired = &*crate::compat::fit(desired, version_num)?;
    let mut out = relational(client, desired, live).await?;
    set_empty_search_path(client).await?;
    casts::mark_missing_casts(client, &mut out, live).await?;
    views::forget_types_of_rebuilt_calls(&mut out, live);
    Ok(out)
}

/// Tables, sequences, domains, types and views; and what routines need created first
/// (schemas, types).
async fn relational(
    client: &impl GenericClient,
    desired: &Catalog,
    live: &Catalog,
) -> Result<Catalog, CanonError> {
    let mut settled = desired.clone();
    let pending_views = views::settle(&mut settled, live);
    let desired = &settled;
    let work = Work::plan(desired, live, &pending_views);
    if work.is_empty() && !routines::need_scratch(desired, live) {
        let mut out = settled;
        routines::canonicalize(client, &mut out, live).await?;
        return Ok(out);
    }
    let lock_budget = lock_budget(client).await?;
    let mut checker = Checker::default();
    let base = work.base_statements(desired, live, &mut checker);
    let chunks: Vec<(Vec<QualifiedName>, Vec<Group>)> = work
        .chunks(desired, live, lock_budget)
        .into_iter()
        .map(|names| {
            let groups = work.table_statements(&names, desired, live, &mut checker);
            (names, groups)
        })
        .collect();
    if !checker.problems.is_empty() {
        return Err(CanonError::Rejected(
            checker
                .problems
                .into_iter()
                .map(|m| {
                    let (object, clause) = match m.what.split_once(": ") {
                        Some((o, c)) => (o.to_string(), Some(c.to_string())),
                        None => (m.what, None),
                    };
                    CanonProblem {
                        object,
                        declared: None,
                        clause,
                        message: m.message,
                    }
                })
                .collect(),
        ));
    }
    // The domains that call a new routine wait for it (and the types built on them).
    let late = groups::after_routines(desired, live);
    let (late, base): (Vec<Group>, Vec<Group>) = base
        .into_iter()
        .partition(|g| matches!(&g.declared, Some(Declared::Type(name)) if late.contains(name)));
    run(client, &base, &work.scratch).await?;
    // Routines once their schemas and types exist, and the new ones created under their
    // real names, so that the defaults, checks and indexes that call them resolve.
    let mut with_routines = desired.clone();
    routines::canonicalize(client, &mut with_routines, live).await?;
    routines::create_missing(client, &with_routines, live).await?;
    run(client, &late, &work.scratch).await?;
    let quoted = server_quoted(client, &work.scratch).await?;
    let mut out = desired.clone();
    out.functions = with_routines.functions;
    if chunks.is_empty() {
        set_empty_search_path(client).await?;
        let read_back = introspect::read_catalog(client).await?;
        work.merge(&mut out, &[], true, &read_back, &quoted)?;
        work.canonicalize_views(client, desired, live, &mut out, &quoted)
            .await?;
        return Ok(out);
    }
    let mut problems = Vec::new();
    for (i, (names, groups)) in chunks.iter().enumerate() {
        exec(client, &format!("SAVEPOINT {CHUNK_SAVEPOINT}")).await?;
        let result = match run(client, groups, &work.scratch).await {
            Ok(()) => {
                set_empty_search_path(client).await?;
                match introspect::read_catalog(client).await {
                    Ok(read_back) => work.merge(&mut out, names, i == 0, &read_back, &quoted),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e),
        };
        // Rolling the chunk back releases the locks its tables took.
        exec(
            client,
            &format!(
                "ROLLBACK TO SAVEPOINT {CHUNK_SAVEPOINT}; RELEASE SAVEPOINT {CHUNK_SAVEPOINT}"
            ),
        )
        .await?;
        match result {
            Ok(()) => {}
            Err(CanonError::Rejected(p)) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(CanonError::Rejected(problems));
    }
    work.canonicalize_views(client, desired, live, &mut out, &quoted)
        .await?;
    Ok(out)
}

async fn exec(client: &impl GenericClient, sql: &str) -> Result<(), CanonError> {
    client.batch_execute(sql).await.map_err(|e| db_error(&e))
}

/// `canonicalize` in its own transaction, always rolled back.
pub async fn in_scratch_transaction(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
) -> Result<Catalog, CanonError> {
    scratch(client, desired, None).await
}

/// [`canonicalize_with_live`] in its own transaction, always rolled back. `live` may come
/// from an earlier snapshot (for example the plan's): it only decides which objects are
/// already in canonical form (their text equals the live text), and canonical text stays
/// canonical even if the database changed since. Saves the catalog read
/// [`in_scratch_transaction`] starts with, which is most of the cost of a no-op plan.
pub async fn in_scratch_transaction_with_live(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
    live: &Catalog,
) -> Result<Catalog, CanonError> {
    scratch(client, desired, Some(live)).await
}

async fn scratch(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
    live: Option<&Catalog>,
) -> Result<Catalog, CanonError> {
    let fail = |e: tokio_postgres::Error| match crate::db_error::is_lock_timeout(&e) {
        true => db_error(&e),
        false => CanonError::Database(crate::conn::error_chain(&e)),
    };
    let txn = client.transaction().await.map_err(fail)?;
    let result = match live {
        Some(live) => canonicalize_with_live(&txn, desired, live).await,
        None => canonicalize(&txn, desired).await,
    };
    txn.rollback().await.map_err(fail)?;
    result
}

/// Whether canonicalising `desired` against `live` has to create anything, and so needs
/// a database it may write to. When not, every piece of declared text already equals the
/// live text, and canonicalising only reads (a no-op plan).
pub fn needs_scratch(desired: &Catalog, live: &Catalog) -> bool {
    if !has_text(desired) {
        return false;
    }
    let version_num = live.server.as_ref().map_or(150000, |s| s.version_num);
    // A declared feature the server lacks is reported by canonicalising itself.
    let Ok(desired) = crate::compat::fit(desired, version_num) else {
        return true;
    };
    // Settling changes only the settled views' columns, reads and calls, which neither
    // `Work::plan` nor the routines look at: the pending list is enough, without a copy.
    let pending_views = views::pending(&desired, live);
    !Work::plan(&desired, live, &pending_views).is_empty() || routines::need_scratch(&desired, live)
}

/// The declared objects canonicalising creates in scratch because their text is not the
/// live text: tables (with the partition and inheritance parents they need), views and
/// routines. What a scratch copy of the target must hold is what these name.
pub struct Pending<'a> {
    pub tables: Vec<&'a Table>,
    pub views: Vec<&'a View>,
    pub functions: Vec<&'a Function>,
}

/// See [`Pending`].
pub fn pending<'a>(desired: &'a Catalog, live: &'a Catalog) -> Pending<'a> {
    let pending_views = views::pending(desired, live);
    let work = Work::plan(desired, live, &pending_views);
    let tables = work
        .tables
        .iter()
        .filter_map(|n| desired.tables.get(n))
        .chain(work.live_parents.iter().filter_map(|n| live.tables.get(n)))
        .collect();
    Pending {
        tables,
        views: pending_views
            .iter()
            .filter_map(|n| desired.views.get(n))
            .collect(),
        functions: routines::unsettled(desired, live).collect(),
    }
}

/// [`canonicalize_with_live`] in a `READ ONLY` transaction, always rolled back: for a
/// desired state that [`needs_scratch`] says creates nothing, on a target pgrecon may
/// only read. Anything that would write fails instead of writing.
pub async fn read_only_with_live(
    client: &mut tokio_postgres::Client,
    desired: &Catalog,
    live: &Catalog,
) -> Result<Catalog, CanonError> {
    let fail = |e: tokio_postgres::Error| match crate::db_error::is_lock_timeout(&e) {
        true => db_error(&e),
        false => CanonError::Database(crate::conn::error_chain(&e)),
    };
    let txn = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .map_err(fail)?;
    let result = canonicalize_with_live(&txn, desired, live).await;
    txn.rollback().await.map_err(fail)?;
    result
}

/// Whether the desired catalog holds anything with text to canonicalise.
fn has_text(c: &Catalog) -> bool {
    !c.tables.is_empty()
        || !c.sequences.is_empty()
        || !c.domains.is_empty()
        || !c.collations.is_empty()
        || !c.composite_types.is_empty()
        || !c.range_types.is_empty()
        || !c.views.is_empty()
        || c.functions.values().any(|f| f.definition.is_some())
}

async fn set_empty_search_path(client: &impl GenericClient) -> Result<(), CanonError> {
    client
        .batch_execute("SELECT pg_catalog.set_config('search_path', '', true)")
        .await
        .map_err(|e| db_error(&e))
}

/// How the server quotes each real schema name that has a scratch twin (`quote_ident`),
/// for mapping `pgrecon_canon_1.x` back to `"My Schema".x` in read-back text.
async fn server_quoted(
    client: &impl GenericClient,
    scratch: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, CanonError> {
    if scratch.is_empty() {
        return Ok(BTreeMap::new());
    }
    let names: Vec<String> = scratch.keys().map(|s| quote_literal(s)).collect();
    let sql = format!(
        "SELECT n::text, pg_catalog.quote_ident(n)::text FROM unnest(ARRAY[{}]::text[]) AS n",
        names.join(", ")
    );
    let rows = client
        .query_typed(&sql, &[])
        .await
        .map_err(|e| db_error(&e))?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect())
}
