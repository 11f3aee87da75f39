//! Where the desired state is canonicalised. `plan`, `drift` and `verify` need only
//! read the target: what has to be created to learn the server's canonical text is
//! created in a scratch database pgrecon controls, a throwaway server of the target's
//! major version (the default) or an empty database the user provides (`--dev-url`).
//! `apply`, which holds a write transaction on the target anyway, canonicalises there,
//! in a savepoint it rolls back; so may `plan` when asked (`--canon-in-target`).
//!
//! The scratch database first gets a copy of the target's schema (the live catalog,
//! planned from empty and run there, without data, grants kept, passwords and role
//! attributes left out), so that declared objects resolve every name they use exactly
//! as they would in the target. Canonicalising then runs against that copy with the
//! target's live catalog, and everything is rolled back. What the copy could not
//! reproduce (an extension version the scratch server lacks, a collation its build does
//! not support) is reported, because declared text that depends on it may come out
//! differently. A desired state whose text all equals the live text needs no scratch
//! database at all: that is the no-op plan, which only reads.

use crate::conn::{self, ConnError, ConnectionSettings};
use crate::diff::{self, DiffOptions, Note, NoteKind};
use crate::embedded::{EmbeddedError, EmbeddedPostgres, find_bin_dir_for_major};
use crate::model::*;
use crate::plan::{self, Exec};
use crate::{canon, introspect};
use std::collections::BTreeMap;
use tokio_postgres::Client;

mod subset;

/// Where canonicalising creates what it needs.
#[derive(Debug, Clone, Default)]
pub enum CanonSite {
    /// A throwaway server of the target's major version.
    #[default]
    Embedded,
    /// An empty database the user provides (`--dev-url`).
    DevUrl(Box<ConnectionSettings>),
    /// The target itself, in a transaction that is rolled back (needs `CREATE` on the
    /// database).
    Target,
}

#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    #[error(transparent)]
    Canon(#[from] canon::CanonError),
    #[error("cannot start the scratch server that canonicalises the desired state: {0}")]
    Embedded(#[from] EmbeddedError),
    #[error("cannot use the scratch database (--dev-url): {0}")]
    Conn(#[from] ConnError),
    #[error(
        "the scratch database (--dev-url) runs PostgreSQL {found}, the target PostgreSQL {target}: canonical text differs between major versions; give an empty database of PostgreSQL {target}"
    )]
    Version { found: i32, target: i32 },
    #[error(
        "the scratch database (--dev-url) is not empty (it holds {0}); give an empty database: everything created in it is rolled back, but what it holds would change how names resolve"
    )]
    NotEmpty(String),
    #[error("the scratch database failed: {0}")]
    Database(String),
}

/// The canonical desired catalog, and what the scratch copy of the target could not
/// reproduce (as notes for the plan).
pub struct Canonical {
    pub desired: Catalog,
    pub notes: Vec<Note>,
}

/// Canonicalises `desired` against the target's `live` catalog at `site`.
pub async fn canonicalize(
    target: &mut Client,
    desired: &Catalog,
    live: &Catalog,
    site: &CanonSite,
) -> Result<Canonical, ScratchError> {
    let done = |desired| Canonical {
        desired,
        notes: Vec::new(),
    };
    if !canon::needs_scratch(desired, live) {
        return Ok(done(
            canon::read_only_with_live(target, desired, live).await?,
        ));
    }
    match site {
        CanonSite::Target => Ok(done(
            canon::in_scratch_transaction_with_live(target, desired, live).await?,
        )),
        CanonSite::DevUrl(settings) => {
            let mut scratch = conn::connect(settings).await?;
            in_copy(&mut scratch, target, desired, live, true).await
        }
        CanonSite::Embedded => {
            let major = live.server.as_ref().map_or(15, |s| s.version_num / 10000) as u32;
            let server = tokio::task::spawn_blocking(move || {
                // A copy of a big catalog is created in one transaction.
                EmbeddedPostgres::start_with(
                    find_bin_dir_for_major(major)?,
                    &["max_locks_per_transaction=1024"],
                )
            })
            .await
            .map_err(|e| ScratchError::Database(e.to_string()))??;
            let settings = ConnectionSettings::from_config(server.config("postgres"));
            let mut scratch = conn::connect(&settings).await?;
            let result = in_copy(&mut scratch, target, desired, live, false).await;
            drop(scratch);
            drop(server);
            result
        }
    }
}

/// Settings that change how the server prints values in canonical text.
const PRINTING_SETTINGS: &[&str] = &[
    "DateStyle",
    "IntervalStyle",
    "TimeZone",
    "extra_float_digits",
    "bytea_output",
    "standard_conforming_strings",
];

async fn in_copy(
    scratch: &mut Client,
    target: &Client,
    desired: &Catalog,
    live: &Catalog,
    check_empty: bool,
) -> Result<Canonical, ScratchError> {
    let db = |e: tokio_postgres::Error| ScratchError::Database(conn::error_chain(&e));
    let target_version = live.server.as_ref().map_or(0, |s| s.version_num);
    let found: i32 = scratch
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .map_err(db)?
        .get(0);
    if found / 10000 != target_version / 10000 {
        return Err(ScratchError::Version {
            found,
            target: target_version,
        });
    }
    let settings = target
        .query(
            "SELECT name, setting FROM pg_catalog.pg_settings WHERE name = ANY($1)",
            &[&PRINTING_SETTINGS],
        )
        .await
        .map_err(db)?;

    let txn = scratch.transaction().await.map_err(db)?;
    for row in &settings {
        let (name, value): (String, String) = (row.get(0), row.get(1));
        txn.execute(
            "SELECT pg_catalog.set_config($1, $2, true)",
            &[&name, &value],
        )
        .await
        .map_err(db)?;
    }
    let empty = introspect::read_catalog(&txn)
        .await
        .map_err(|e| ScratchError::Database(e.to_string()))?;
    if check_empty && let Some(what) = holds(&empty) {
        return Err(ScratchError::NotEmpty(what));
    }
    let notes = copy_schema(&txn, desired, live, &empty).await?;
    let result = canon::canonicalize_with_live(&txn, desired, live).await;
    txn.rollback().await.map_err(db)?;
    Ok(Canonical {
        desired: result?,
        notes,
    })
}

/// What a scratch database holds that an empty one does not, if anything.
fn holds(c: &Catalog) -> Option<String> {
    let schemas: Vec<&String> = c.schemas.keys().filter(|s| *s != "public").collect();
    if let Some(s) = schemas.first() {
        return Some(format!("schema {}", crate::sql::display_ident(s)));
    }
    if let Some(r) = c.relations.keys().next() {
        return Some(format!("relation {r}"));
    }
    if let Some(f) = c.functions.keys().next() {
        return Some(format!("function {f}"));
    }
    None
}

/// Creates in the scratch database the target's schema as the live catalog describes
/// it (less the tables nothing canonicalised names: `subset.rs`); returns a note for
/// each object it could not create.
async fn copy_schema(
    txn: &tokio_postgres::Transaction<'_>,
    desired: &Catalog,
    live: &Catalog,
    empty: &Catalog,
) -> Result<Vec<Note>, ScratchError> {
    let needed = subset::tables_needed(desired, live);
    let mut copy = copy_of(live, empty, |name| {
        needed.as_ref().is_none_or(|n| n.contains(name))
    });
    if let Some(needed) = &needed {
        subset::keep_tables(&mut copy, needed);
    }
    let d = diff::diff(&copy, empty, &DiffOptions::default())
        .map_err(|e| ScratchError::Database(e.to_string()))?;
    let steps = plan::build(&d)
        .map_err(|e| ScratchError::Database(e.to_string()))?
        .steps;
    // Passwords are not copied, and what cannot run in a transaction (indexes built
    // concurrently) is not needed to resolve names.
    let steps: Vec<(&ObjectRef, &Vec<String>)> = steps
        .iter()
        .filter_map(|step| match &step.exec {
            Exec::Sql(statements) => Some((&step.object, statements)),
            _ => None,
        })
        .collect();
    let mut notes = Vec::new();
    // A batch of steps in one round trip and one savepoint; a batch that fails is run
    // again step by step, each in its own, to note what could not be created. (A
    // savepoint per step for thousands of steps costs more than the steps: the server
    // tracks every subtransaction until the end.)
    for batch in steps.chunks(COPY_BATCH) {
        let sql: Vec<&str> = batch
            .iter()
            .flat_map(|(_, statements)| statements.iter().map(String::as_str))
            .collect();
        if in_savepoint(txn, &sql.join(";\n")).await?.is_ok() {
            continue;
        }
        for (object, statements) in batch {
            if let Err(e) = in_savepoint(txn, &statements.join(";\n")).await? {
                notes.push(Note {
                    kind: NoteKind::Skipped,
                    object: (*object).clone(),
                    message: format!(
                        "the scratch database that canonicalises the desired state could not \
                         reproduce it ({}): declared text that uses it may not match the server's",
                        crate::db_error::db_message(&e)
                    ),
                });
            }
        }
    }
    Ok(notes)
}

/// Steps of the scratch copy run in one round trip.
const COPY_BATCH: usize = 200;

/// Runs `sql` in a savepoint; rolls back to it when `sql` fails (the inner error).
async fn in_savepoint(
    txn: &tokio_postgres::Transaction<'_>,
    sql: &str,
) -> Result<Result<(), tokio_postgres::Error>, ScratchError> {
    // The savepoint on its own: a batch is parsed whole before any of it runs.
    txn.batch_execute("SAVEPOINT pgrecon_copy")
        .await
        .map_err(|e| ScratchError::Database(conn::error_chain(&e)))?;
    let sql = format!("{sql}; RELEASE SAVEPOINT pgrecon_copy");
    match txn.batch_execute(&sql).await {
        Ok(()) => Ok(Ok(())),
        Err(e) => {
            txn.batch_execute("ROLLBACK TO SAVEPOINT pgrecon_copy; RELEASE SAVEPOINT pgrecon_copy")
                .await
                .map_err(|e| ScratchError::Database(conn::error_chain(&e)))?;
            Ok(Err(e))
        }
    }
}

/// The live catalog as a desired state to plan from empty: its objects as they are,
/// with roles that are neither altered nor given powers (the scratch server's own are
/// left as they are), no passwords, settings or database object, nothing pruned.
/// Only the tables `keep` accepts are copied (`subset.rs`).
fn copy_of(live: &Catalog, empty: &Catalog, keep: impl Fn(&QualifiedName) -> bool) -> Catalog {
    // Field by field, so that a new kind of object is a decision here, not a silent
    // omission; the tables are filtered while cloned (a large catalog is not copied to
    // be thrown away).
    let Catalog {
        database: _,
        roles,
        schemas,
        relations,
        functions,
        tables,
        sequences,
        enums,
        domains,
        extensions,
        collations,
        composite_types,
        range_types,
        views,
        unmanaged: _,
        default_privileges: _,
        scope: _,
        renamed_from: _,
        server: _,
    } = live;
    let mut copy = Catalog {
        database: None,
        roles: roles.clone(),
        schemas: schemas.clone(),
        relations: relations.clone(),
        functions: functions.clone(),
        tables: tables
            .iter()
            .filter(|(name, _)| keep(name))
            .map(|(name, t)| (name.clone(), t.clone()))
            .collect(),
        sequences: sequences.clone(),
        enums: enums.clone(),
        domains: domains.clone(),
        extensions: extensions.clone(),
        collations: collations.clone(),
        composite_types: composite_types.clone(),
        range_types: range_types.clone(),
        views: views.clone(),
        unmanaged: Vec::new(),
        default_privileges: BTreeMap::new(),
        scope: Scope::default(),
        renamed_from: BTreeMap::new(),
        server: None,
    };
    for (name, role) in &mut copy.roles {
        role.password = Password::Unmanaged;
        role.settings.clear();
        role.database_settings.clear();
        role.confinement = None;
        match empty.roles.get(name) {
            Some(existing) => {
                role.external = true;
                role.attributes = existing.attributes.clone();
                role.member_of = existing.member_of.clone();
            }
            None => {
                role.external = false;
                role.attributes = RoleAttributes::default();
            }
        }
    }
    for schema in copy.schemas.values_mut() {
        schema.manage_tables = false;
        schema.manage_all = false;
    }
    copy
}
