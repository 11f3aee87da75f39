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
//!
//! Everything runs in one batch of DDL plus two catalog reads, inside a transaction or
//! savepoint that the caller rolls back (`in_scratch_transaction`, or apply's savepoint).
//! A type or expression the server rejects becomes a [`CanonError::Rejected`] that names
//! the object, the clause and the server's message.

mod ddl;

use crate::introspect::{self, IntrospectError};
use crate::model::*;
use crate::sql::{qualified, quote_ident, quote_literal};
use ddl::{Checker, Group, Stmt, TableTarget};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use tokio_postgres::GenericClient;

/// Prefix of the scratch schemas; never a real schema name (a live schema with such a
/// name is skipped over).
const SCRATCH_PREFIX: &str = "pgrecon_canon_";
const DDL_SAVEPOINT: &str = "pgrecon_canon_ddl";
/// How the scratch schemas are named in errors.
const SCRATCH_OBJECT: &str = "the scratch schemas";
const OBJECT_SAVEPOINT: &str = "pgrecon_canon_object";
const CHUNK_SAVEPOINT: &str = "pgrecon_canon_chunk";

/// One desired object PostgreSQL (or the offline syntax check) rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonProblem {
    /// `table general.notes`, `domain general.email`, …
    pub object: String,
    /// The declaration at fault, when known.
    pub declared: Option<Declared>,
    /// The clause at fault when known: `column created_at`, `index notes_idx`.
    pub clause: Option<String>,
    /// The server's (or parser's) message.
    pub message: String,
}

impl fmt::Display for CanonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.clause {
            Some(c) => write!(f, "{}, {c}: {}", self.object, self.message),
            None => write!(f, "{}: {}", self.object, self.message),
        }
    }
}

/// A declaration of the desired state, as canonicalisation names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    Schema(String),
    Extension(String),
    /// An enum or a domain.
    Type(QualifiedName),
    /// A table or a sequence.
    Relation(QualifiedName),
}

impl Declared {
    fn location<'s>(
        &self,
        sources: &'s crate::config::Sources,
    ) -> Option<&'s crate::config::Location> {
        match self {
            Declared::Schema(n) => sources.schemas.get(n),
            Declared::Extension(n) => sources.extensions.get(n),
            Declared::Type(n) => sources.types.get(n),
            Declared::Relation(n) => sources.relations.get(n),
        }
    }
}

impl CanonError {
    /// The error with each rejected object's declaration (`file:line:column`), as the
    /// command line prints it.
    pub fn located(&self, sources: &crate::config::Sources) -> String {
        let CanonError::Rejected(problems) = self else {
            return self.to_string();
        };
        let mut out = heading(problems);
        for p in problems {
            out.push_str("\n  ");
            out.push_str(&p.to_string());
            if let Some(at) = p.declared.as_ref().and_then(|d| d.location(sources)) {
                out.push_str("\n    --> ");
                out.push_str(&sources.describe(at));
            }
        }
        out.push_str(HELP);
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CanonError {
    #[error(
        "failed to canonicalise the desired state: {}",
        crate::escape::text_line(.0)
    )]
    Database(String),
    #[error("failed to canonicalise the desired state: {0}")]
    Introspect(#[from] IntrospectError),
    #[error("{}", render_problems(.0))]
    Rejected(Vec<CanonProblem>),
    #[error(transparent)]
    NeedsNewerServer(#[from] crate::compat::NeedsNewerServer),
}

const HELP: &str = "\n  help: fix the type names and SQL expressions above in the desired state; \
                    they are checked by creating the objects in a transaction that is rolled back";

fn heading(problems: &[CanonProblem]) -> String {
    format!(
        "the server rejected {} desired object{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )
}

fn render_problems(problems: &[CanonProblem]) -> String {
    let mut out = heading(problems);
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&crate::escape::text_line(&p.to_string()));
    }
    out.push_str(HELP);
    out
}

fn db_error(e: &tokio_postgres::Error) -> CanonError {
    CanonError::Database(crate::db_error::db_message(e))
}

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
    let work = Work::plan(desired, live);
    if work.is_empty() {
        return Ok(desired.clone());
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
    run(client, &base, &work.scratch).await?;
    let quoted = server_quoted(client, &work.scratch).await?;
    let mut out = desired.clone();
    if chunks.is_empty() {
        set_empty_search_path(client).await?;
        let read_back = introspect::read_catalog(client).await?;
        work.merge(&mut out, &[], true, &read_back, &quoted)?;
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
    Ok(out)
}

async fn exec(client: &impl GenericClient, sql: &str) -> Result<(), CanonError> {
    client.batch_execute(sql).await.map_err(|e| db_error(&e))
}

/// How many locks one chunk of scratch tables may take: half of the server's lock table
/// (`max_locks_per_transaction` × (`max_connections` + `max_prepared_transactions`)),
/// which is shared with every other session.
async fn lock_budget(client: &impl GenericClient) -> Result<usize, CanonError> {
    let row = client
        .query_one(
            "SELECT (pg_catalog.current_setting('max_locks_per_transaction')::int8
                     * (pg_catalog.current_setting('max_connections')::int8
                        + pg_catalog.current_setting('max_prepared_transactions')::int8))",
            &[],
        )
        .await
        .map_err(|e| db_error(&e))?;
    let capacity: i64 = row.get(0);
    Ok(usize::try_from(capacity / 2).unwrap_or(usize::MAX).max(200))
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
    let fail = |e: tokio_postgres::Error| CanonError::Database(crate::conn::error_chain(&e));
    let txn = client.transaction().await.map_err(fail)?;
    let result = match live {
        Some(live) => canonicalize_with_live(&txn, desired, live).await,
        None => canonicalize(&txn, desired).await,
    };
    txn.rollback().await.map_err(fail)?;
    result
}

/// Whether the desired catalog holds anything with text to canonicalise.
fn has_text(c: &Catalog) -> bool {
    !c.tables.is_empty() || !c.sequences.is_empty() || !c.domains.is_empty()
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

/// Runs the groups in one batch; when it fails, re-runs them one by one (each in a
/// savepoint) to name every object at fault.
async fn run(
    client: &impl GenericClient,
    groups: &[Group],
    scratch: &BTreeMap<String, String>,
) -> Result<(), CanonError> {
    let mut batch = format!("SAVEPOINT {DDL_SAVEPOINT};\n");
    let mut path: Option<&str> = None;
    for g in groups {
        if let Some(p) = g.search_path.as_deref()
            && path != Some(p)
        {
            batch.push_str(&search_path_sql(p));
            batch.push_str(";\n");
            path = Some(p);
        }
        for s in &g.stmts {
            batch.push_str(&s.sql);
            batch.push_str(";\n");
        }
    }
    batch.push_str(&format!("RELEASE SAVEPOINT {DDL_SAVEPOINT}"));
    let Err(first) = client.batch_execute(&batch).await else {
        return Ok(());
    };
    if first.as_db_error().is_none() {
        return Err(db_error(&first));
    }
    client
        .batch_execute(&format!("ROLLBACK TO SAVEPOINT {DDL_SAVEPOINT}"))
        .await
        .map_err(|e| db_error(&e))?;
    let mut problems: Vec<CanonProblem> = Vec::new();
    // Objects whose creation failed: their indexes and policies would fail for that
    // reason alone, an error that is not the declaration's.
    let mut not_created: Vec<&Declared> = Vec::new();
    for g in groups {
        if g.declared
            .as_ref()
            .is_some_and(|d| not_created.contains(&d))
        {
            continue;
        }
        client
            .batch_execute(&format!("SAVEPOINT {OBJECT_SAVEPOINT}"))
            .await
            .map_err(|e| db_error(&e))?;
        if let Some(p) = &g.search_path {
            client
                .batch_execute(&search_path_sql(p))
                .await
                .map_err(|e| db_error(&e))?;
        }
        let mut failed = false;
        for s in &g.stmts {
            if let Err(e) = client.batch_execute(&s.sql).await {
                let Some(db) = e.as_db_error() else {
                    return Err(db_error(&e));
                };
                let clause = match db.position() {
                    Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                        s.label_at(*p as usize).map(str::to_string)
                    }
                    _ => None,
                }
                .or_else(|| match s.clauses.as_slice() {
                    [(_, _, only)] => Some(only.clone()),
                    _ => None,
                });
                let message = real_names(&ddl::lowercase_first(db.message()), scratch);
                if g.object == SCRATCH_OBJECT || g.object.starts_with("schema ") {
                    // Not the desired state's fault: the role cannot create schemas.
                    let _ = client
                        .batch_execute(&format!("ROLLBACK TO SAVEPOINT {OBJECT_SAVEPOINT}"))
                        .await;
                    return Err(CanonError::Database(format!(
                        "cannot create {} to check the desired state's types and \
                         expressions in: {message}; grant CREATE on the database to the \
                         role pgrecon runs as",
                        g.object
                    )));
                }
                if g.creates
                    && let Some(d) = &g.declared
                {
                    not_created.push(d);
                }
                problems.push(CanonProblem {
                    object: g.object.clone(),
                    declared: g.declared.clone(),
                    clause,
                    message,
                });
                failed = true;
                break;
            }
        }
        let end = if failed {
            format!(
                "ROLLBACK TO SAVEPOINT {OBJECT_SAVEPOINT}; RELEASE SAVEPOINT {OBJECT_SAVEPOINT}"
            )
        } else {
            format!("RELEASE SAVEPOINT {OBJECT_SAVEPOINT}")
        };
        client.batch_execute(&end).await.map_err(|e| db_error(&e))?;
    }
    if problems.is_empty() {
        // The batch failed but no object alone does: report the batch's own error.
        let message = first
            .as_db_error()
            .map(|d| real_names(&ddl::lowercase_first(d.message()), scratch))
            .unwrap_or_default();
        problems.push(CanonProblem {
            object: "the desired state".into(),
            declared: None,
            clause: None,
            message,
        });
    }
    Err(CanonError::Rejected(problems))
}

/// A server message with every scratch schema named as the real schema it stands for:
/// the scratch copies are an internal detail.
fn real_names(message: &str, scratch: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(&String, &String)> = scratch.iter().map(|(r, s)| (s, r)).collect();
    // `pgrecon_canon_10` before `pgrecon_canon_1`.
    pairs.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    let mut out = message.to_string();
    for (scratch, real) in pairs {
        out = out.replace(scratch.as_str(), &quote_ident(real));
    }
    out
}

fn search_path_sql(schema: &str) -> String {
    let path = if schema == "public" {
        "public".to_string()
    } else {
        format!("{}, public", quote_ident(schema))
    };
    format!(
        "SELECT pg_catalog.set_config('search_path', {}, true)",
        quote_literal(&path)
    )
}

/// What has to be created, and where.
#[derive(Debug, Default)]
struct Work {
    /// Real schema → scratch schema.
    scratch: BTreeMap<String, String>,
    /// Real schemas that do not exist yet.
    new_schemas: BTreeSet<String>,
    new_extensions: Vec<String>,
    /// Enums created under their real names (absent, or renamed aside because labels
    /// are missing).
    new_enums: Vec<QualifiedName>,
    renamed_enums: Vec<QualifiedName>,
    /// Domains to canonicalise: `true` when created under the real name (absent live),
    /// `false` when a copy goes to the scratch schema.
    domains: Vec<(QualifiedName, bool)>,
    sequences: Vec<(QualifiedName, bool)>,
    /// Desired tables to canonicalise (copied to scratch).
    tables: BTreeSet<QualifiedName>,
    /// Partition parents that only exist live and are copied to scratch for their
    /// partitions' sake.
    live_parents: BTreeSet<QualifiedName>,
}

impl Work {
    fn is_empty(&self) -> bool {
        self.domains.is_empty() && self.sequences.is_empty() && self.tables.is_empty()
    }

    fn plan(desired: &Catalog, live: &Catalog) -> Work {
        let mut w = Work::default();
        for (name, t) in &desired.tables {
            let live_t = live.tables.get(name).or_else(|| {
                t.renamed_from
                    .as_ref()
                    .and_then(|old| live.tables.get(&QualifiedName::new(&name.schema, old)))
            });
            if !live_t.is_some_and(|l| table_settled(t, l)) {
                w.tables.insert(name.clone());
            }
        }
        // A partition needs its parent (and its parent's parent) in scratch.
        let mut pending: Vec<QualifiedName> = w.tables.iter().cloned().collect();
        while let Some(name) = pending.pop() {
            let Some(t) = desired.tables.get(&name).or_else(|| live.tables.get(&name)) else {
                continue;
            };
            if let Some(p) = &t.partition_of {
                let parent = p.parent.clone();
                if desired.tables.contains_key(&parent) {
                    if w.tables.insert(parent.clone()) {
                        pending.push(parent);
                    }
                } else if live.tables.contains_key(&parent) && w.live_parents.insert(parent.clone())
                {
                    pending.push(parent);
                }
            }
        }
        for (name, d) in &desired.domains {
            match live.domains.get(name) {
                None => w.domains.push((name.clone(), true)),
                Some(l) if !domain_settled(d, l) => w.domains.push((name.clone(), false)),
                Some(_) => {}
            }
        }
        for (name, s) in &desired.sequences {
            match live.sequences.get(name) {
                None => w.sequences.push((name.clone(), true)),
                Some(l) if !(s.data_type == l.data_type && s.options == l.options) => {
                    w.sequences.push((name.clone(), false))
                }
                Some(_) => {}
            }
        }
        if w.is_empty() {
            return w;
        }
        // Types, schemas and extensions the scratch objects may need.
        for (name, e) in &desired.enums {
            match live.enums.get(name) {
                None => w.new_enums.push(name.clone()),
                Some(l) if !e.values.iter().all(|v| l.values.contains(v)) => {
                    w.renamed_enums.push(name.clone());
                    w.new_enums.push(name.clone());
                }
                Some(_) => {}
            }
        }
        for name in desired.extensions.keys() {
            if !live.extensions.contains_key(name) {
                w.new_extensions.push(name.clone());
            }
        }
        let mut real: BTreeSet<&str> = desired.schemas.keys().map(String::as_str).collect();
        real.extend(desired.tables.keys().map(|n| n.schema.as_str()));
        real.extend(desired.enums.keys().map(|n| n.schema.as_str()));
        real.extend(desired.domains.keys().map(|n| n.schema.as_str()));
        real.extend(desired.sequences.keys().map(|n| n.schema.as_str()));
        real.extend(
            desired
                .extensions
                .values()
                .filter_map(|e| e.schema.as_deref()),
        );
        w.new_schemas = real
            .into_iter()
            .filter(|s| !live.schemas.contains_key(*s) && !is_system_schema(s) && *s != "public")
            .map(str::to_string)
            .collect();
        // One scratch schema per real schema holding copies.
        let mut needs_scratch: BTreeSet<String> = w
            .tables
            .iter()
            .chain(&w.live_parents)
            .map(|n| n.schema.clone())
            .collect();
        needs_scratch.extend(
            w.domains
                .iter()
                .chain(&w.sequences)
                .filter(|(_, real)| !real)
                .map(|(n, _)| n.schema.clone()),
        );
        let mut n = 0;
        for schema in needs_scratch {
            let name = loop {
                let candidate = format!("{SCRATCH_PREFIX}{n}");
                n += 1;
                if !live.schemas.contains_key(&candidate)
                    && !desired.schemas.contains_key(&candidate)
                {
                    break candidate;
                }
            };
            w.scratch.insert(schema, name);
        }
        w
    }

    fn scratch_name(&self, name: &QualifiedName) -> QualifiedName {
        QualifiedName::new(self.scratch[&name.schema].clone(), name.name.clone())
    }

    /// Statements that create what every scratch table may need: schemas, extensions,
    /// enums, domains, sequences and the stubs policies refer to.
    fn base_statements(&self, desired: &Catalog, live: &Catalog, ck: &mut Checker) -> Vec<Group> {
        let mut groups = Vec::new();
        let plain = |object: String, declared: Option<Declared>, stmts: Vec<Stmt>| Group {
            object,
            declared,
            creates: true,
            search_path: None,
            stmts,
        };
        for s in &self.new_schemas {
            groups.push(plain(
                format!("schema {}", quote_ident(s)),
                Some(Declared::Schema(s.clone())),
                vec![Stmt::raw(format!("CREATE SCHEMA {}", quote_ident(s)))],
            ));
        }
        if !self.scratch.is_empty() {
            let stmts = self
                .scratch
                .values()
                .map(|s| Stmt::raw(format!("CREATE SCHEMA {}", quote_ident(s))))
                .collect();
            groups.push(plain(SCRATCH_OBJECT.into(), None, stmts));
        }
        for name in &self.new_extensions {
            let e = &desired.extensions[name];
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(name));
            if let Some(s) = &e.schema {
                sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
            }
            if let Some(v) = &e.version {
                sql.push_str(&format!(" VERSION {}", quote_literal(v)));
            }
            groups.push(plain(
                format!("extension {}", quote_ident(name)),
                Some(Declared::Extension(name.clone())),
                vec![Stmt::raw(sql)],
            ));
        }
        for (i, name) in self.renamed_enums.iter().enumerate() {
            groups.push(plain(
                format!("enum {name}"),
                Some(Declared::Type(name.clone())),
                vec![Stmt::raw(format!(
                    "ALTER TYPE {} RENAME TO {}",
                    qualified(&name.schema, &name.name),
                    quote_ident(&format!("{SCRATCH_PREFIX}enum_{i}"))
                ))],
            ));
        }
        for name in &self.new_enums {
            groups.push(plain(
                format!("enum {name}"),
                Some(Declared::Type(name.clone())),
                vec![ddl::create_enum(name, &desired.enums[name])],
            ));
        }
        for (name, real) in order_domains(&self.domains, desired) {
            let object = format!("domain {name}");
            let target = if real {
                name.clone()
            } else {
                self.scratch_name(&name)
            };
            let stmt = ddl::create_domain(ck, &target, &desired.domains[&name], &object);
            groups.push(Group {
                object,
                declared: Some(Declared::Type(name.clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        for (name, real) in &self.sequences {
            let object = format!("sequence {name}");
            let target = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let stmt = ddl::create_sequence(ck, &target, &desired.sequences[name], &object);
            groups.push(Group {
                object,
                declared: Some(Declared::Relation(name.clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        // Stubs: new tables that policies may refer to by their real names.
        let policy_text: String = self
            .tables
            .iter()
            .flat_map(|n| desired.tables[n].policies.values())
            .flat_map(|p| p.using.iter().chain(&p.with_check))
            .map(|t| t.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        if !policy_text.is_empty() {
            for (name, t) in &desired.tables {
                if live.tables.contains_key(name) || t.partition_of.is_some() {
                    continue;
                }
                if !policy_text.contains(&name.name.to_lowercase()) {
                    continue;
                }
                let object = format!("table {name}");
                let target = TableTarget {
                    name: name.clone(),
                    parent: None,
                    parent_columns: Vec::new(),
                };
                let stmt = ddl::create_table(ck, t, &target, &object, true);
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation(name.clone())),
                    creates: true,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![stmt],
                });
            }
        }
        groups
    }

    /// The tables to copy, in chunks small enough for the lock table: every table a
    /// transaction creates stays locked until it ends (about four locks a table, with its
    /// TOAST table and indexes), so thousands of tables in one go exhaust
    /// `max_locks_per_transaction`. Each chunk is created in a savepoint, read back and
    /// rolled back, which releases its locks. A partition tree stays in one chunk.
    fn chunks(
        &self,
        desired: &Catalog,
        live: &Catalog,
        lock_budget: usize,
    ) -> Vec<Vec<QualifiedName>> {
        let table_of = |n: &QualifiedName| desired.tables.get(n).or_else(|| live.tables.get(n));
        let root = |n: &QualifiedName| {
            let mut cur = n.clone();
            for _ in 0..64 {
                match table_of(&cur).and_then(|t| t.partition_of.as_ref()) {
                    Some(p)
                        if self.tables.contains(&p.parent)
                            || self.live_parents.contains(&p.parent) =>
                    {
                        cur = p.parent.clone()
                    }
                    _ => break,
                }
            }
            cur
        };
        let mut families: BTreeMap<QualifiedName, Vec<QualifiedName>> = BTreeMap::new();
        for n in self.tables.iter().chain(&self.live_parents) {
            families.entry(root(n)).or_default().push(n.clone());
        }
        let locks = |n: &QualifiedName| {
            table_of(n).map_or(1, |t| {
                let exclusions = t
                    .constraints
                    .values()
                    .filter(|c| matches!(c.kind, ConstraintKind::Exclusion { .. }))
                    .count();
                let identities = t.columns.iter().filter(|c| c.identity.is_some()).count();
                // The table, its TOAST table and index, and what hangs off it.
                3 + t.indexes.len() + exclusions + identities
            })
        };
        let mut chunks: Vec<Vec<QualifiedName>> = Vec::new();
        let mut used = 0;
        for members in families.into_values() {
            let cost: usize = members.iter().map(locks).sum();
            if chunks.is_empty() || (used + cost > lock_budget && used > 0) {
                chunks.push(Vec::new());
                used = 0;
            }
            used += cost;
            chunks.last_mut().expect("a chunk").extend(members);
        }
        chunks
    }

    /// Statements that create the scratch copies of `names` (one chunk).
    fn table_statements(
        &self,
        names: &[QualifiedName],
        desired: &Catalog,
        live: &Catalog,
        ck: &mut Checker,
    ) -> Vec<Group> {
        let mut groups = Vec::new();
        // Tables, parents before partitions; then indexes, partitions before parents
        // (a parent's index then attaches to the partitions' own instead of creating
        // new ones whose generated names could collide); then policies.
        let table_of = |n: &QualifiedName| -> &Table {
            desired
                .tables
                .get(n)
                .filter(|_| !self.live_parents.contains(n))
                .unwrap_or_else(|| &live.tables[n])
        };
        let all: Vec<&QualifiedName> = names.iter().collect();
        let depth = |n: &QualifiedName| {
            let mut d = 0;
            let mut cur = n.clone();
            while let Some(p) = desired
                .tables
                .get(&cur)
                .or_else(|| live.tables.get(&cur))
                .and_then(|t| t.partition_of.as_ref())
            {
                d += 1;
                if d > 64 {
                    break;
                }
                cur = p.parent.clone();
            }
            d
        };
        let mut ordered: Vec<(usize, &QualifiedName)> =
            all.iter().map(|n| (depth(n), *n)).collect();
        ordered.sort();
        for (_, name) in &ordered {
            let t = table_of(name);
            let object = format!("table {name}");
            let (parent, parent_columns) = match &t.partition_of {
                Some(p) => {
                    let parent_t = desired
                        .tables
                        .get(&p.parent)
                        .or_else(|| live.tables.get(&p.parent));
                    let cols = parent_t
                        .map(|pt| pt.columns.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    if parent_t.is_none() || !self.scratch.contains_key(&p.parent.schema) {
                        ck.problems.push(ddl::Malformed {
                            what: format!("{object}: partition_of"),
                            message: format!(
                                "the parent table {} is neither declared nor in the database",
                                p.parent
                            ),
                        });
                        continue;
                    }
                    (Some((self.scratch_name(&p.parent), p.bound.as_str())), cols)
                }
                None => (None, Vec::new()),
            };
            let target = TableTarget {
                name: self.scratch_name(name),
                parent,
                parent_columns,
            };
            let stmt = ddl::create_table(ck, t, &target, &object, false);
            groups.push(Group {
                object,
                declared: Some(Declared::Relation((*name).clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        for (_, name) in ordered.iter().rev() {
            let t = table_of(name);
            let object = format!("table {name}");
            let target = self.scratch_name(name);
            let stmts: Vec<Stmt> = t
                .indexes
                .values()
                .filter_map(|i| ddl::create_index(ck, &target, i, &object))
                .collect();
            if !stmts.is_empty() {
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation((*name).clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts,
                });
            }
        }
        for (_, name) in &ordered {
            if self.live_parents.contains(*name) {
                continue;
            }
            let t = table_of(name);
            let object = format!("table {name}");
            let target = self.scratch_name(name);
            let stmts: Vec<Stmt> = t
                .policies
                .values()
                .filter_map(|p| ddl::create_policy(ck, &target, p, &object))
                .collect();
            if !stmts.is_empty() {
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation((*name).clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts,
                });
            }
        }
        groups
    }

    /// Copies the canonical text read back from the scratch objects into `desired`.
    /// Tables of `names` come from this read-back; domains and sequences too when
    /// `types` is set (they exist in every chunk's read-back).
    fn merge(
        &self,
        out: &mut Catalog,
        names: &[QualifiedName],
        types: bool,
        read_back: &Catalog,
        quoted: &BTreeMap<String, String>,
    ) -> Result<(), CanonError> {
        // `pgrecon_canon_1.x` → `general.x` in every text that was read back.
        let replacements: Vec<(String, String)> = self
            .scratch
            .iter()
            .map(|(real, scratch)| {
                let q = quoted
                    .get(real)
                    .cloned()
                    .unwrap_or_else(|| quote_ident(real));
                (format!("{scratch}."), format!("{q}."))
            })
            .collect();
        let fix = |text: &str| -> String {
            if !text.contains(SCRATCH_PREFIX) {
                return text.to_string();
            }
            let mut out = text.to_string();
            for (from, to) in &replacements {
                out = out.replace(from.as_str(), to.as_str());
            }
            out
        };
        let missing = |what: String| {
            CanonError::Database(format!(
                "the scratch copy of {what} was not found when reading it back; this is a bug"
            ))
        };
        for name in names.iter().filter(|n| self.tables.contains(*n)) {
            let rb = read_back
                .tables
                .get(&self.scratch_name(name))
                .ok_or_else(|| missing(format!("table {name}")))?;
            let t = out.tables.get_mut(name).expect("desired table");
            merge_table(t, rb, &fix);
        }
        if !types {
            return Ok(());
        }
        for (name, real) in &self.domains {
            let at = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let rb = read_back
                .domains
                .get(&at)
                .ok_or_else(|| missing(format!("domain {name}")))?;
            let d = out.domains.get_mut(name).expect("desired domain");
            d.base_type = fix(&rb.base_type);
            d.collation = rb.collation.as_deref().map(fix);
            if d.default.is_some() {
                d.default = rb.default.as_deref().map(fix);
            }
            for (cname, expr) in d.checks.iter_mut() {
                if let Some(x) = rb.checks.get(cname) {
                    *expr = fix(x);
                }
            }
        }
        for (name, real) in &self.sequences {
            let at = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let rb = read_back
                .sequences
                .get(&at)
                .ok_or_else(|| missing(format!("sequence {name}")))?;
            let s = out.sequences.get_mut(name).expect("desired sequence");
            s.data_type = fix(&rb.data_type);
            s.options = rb.options.clone();
        }
        Ok(())
    }
}

/// Domains in an order where a domain over another desired domain comes after it.
fn order_domains(
    domains: &[(QualifiedName, bool)],
    desired: &Catalog,
) -> Vec<(QualifiedName, bool)> {
    let mut left: Vec<(QualifiedName, bool)> = domains.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let before = left.len();
        let mut i = 0;
        while i < left.len() {
            let base = &desired.domains[&left[i].0].base_type;
            let blocked = left.iter().any(|(other, _)| {
                *other != left[i].0 && type_refers_to(base, other, &left[i].0.schema)
            });
            if blocked {
                i += 1;
            } else {
                out.push(left.remove(i));
            }
        }
        if left.len() == before {
            out.append(&mut left); // a cycle: let the server report it
        }
    }
    out
}

/// Whether a type name (`general.email[]`, `email`, `"Email"(10)`) names `target`,
/// resolving an unqualified name in `schema`.
fn type_refers_to(type_name: &str, target: &QualifiedName, schema: &str) -> bool {
    let base = type_name
        .split('(')
        .next()
        .unwrap_or(type_name)
        .trim()
        .trim_end_matches("[]")
        .trim();
    let lowered: String;
    let base = if base.contains('"') {
        base
    } else {
        lowered = base.to_lowercase();
        &lowered
    };
    match crate::sql::split_qualified(base).as_deref() {
        Some([s, n]) => *s == target.schema && *n == target.name,
        Some([n]) => schema == target.schema && *n == target.name,
        _ => false,
    }
}

/// Whether every piece of canonical text of desired table `d` already equals the live
/// table's (so canonicalising it would change nothing).
fn table_settled(d: &Table, l: &Table) -> bool {
    if d.partition_by.is_some() && d.partition_by != l.partition_by {
        return false;
    }
    match (&d.partition_of, &l.partition_of) {
        (None, _) => {}
        (Some(dp), Some(lp)) if dp.bound == lp.bound => {}
        _ => return false,
    }
    for c in &d.columns {
        let Some(lc) = l
            .column(&c.name)
            .or_else(|| c.renamed_from.as_deref().and_then(|old| l.column(old)))
        else {
            return false;
        };
        if c.type_name != lc.type_name
            || (c.collation.is_some() && c.collation != lc.collation)
            || (c.default.is_some() && c.default != lc.default)
            || (c.generated.is_some() && c.generated != lc.generated)
            || (c.identity.is_some() && c.identity != lc.identity)
        {
            return false;
        }
    }
    for (name, con) in &d.constraints {
        if !matches!(
            con.kind,
            ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. }
        ) {
            continue;
        }
        let lc = l.constraints.get(name).or_else(|| {
            con.renamed_from
                .as_ref()
                .and_then(|old| l.constraints.get(old))
        });
        if !lc.is_some_and(|lc| lc.kind == con.kind) {
            return false;
        }
    }
    for (name, i) in &d.indexes {
        let li = l
            .indexes
            .get(name)
            .or_else(|| i.renamed_from.as_ref().and_then(|old| l.indexes.get(old)));
        let Some(li) = li else { return false };
        if i.method != li.method
            || i.keys != li.keys
            || i.predicate != li.predicate
            || i.with != li.with
            || i.unique != li.unique
            || i.nulls_not_distinct != li.nulls_not_distinct
            || i.include != li.include
        {
            return false;
        }
    }
    for (name, p) in &d.policies {
        let Some(lp) = l.policies.get(name) else {
            return false;
        };
        if p.using != lp.using || p.with_check != lp.with_check || p.command != lp.command {
            return false;
        }
    }
    true
}

fn domain_settled(d: &Domain, l: &Domain) -> bool {
    d.base_type == l.base_type
        && (d.collation.is_none() || d.collation == l.collation)
        && (d.default.is_none() || d.default == l.default)
        && d.checks.iter().all(|(n, x)| l.checks.get(n) == Some(x))
}

/// Copies the canonical text of the scratch copy `rb` into desired table `t`. Fields the
/// desired state leaves unset stay unset (a partition created with `PARTITION OF` takes
/// its parent's defaults, which the desired state did not ask for).
fn merge_table(t: &mut Table, rb: &Table, fix: &dyn Fn(&str) -> String) {
    for c in t.columns.iter_mut() {
        let Some(r) = rb.column(&c.name) else {
            continue;
        };
        c.type_name = fix(&r.type_name);
        c.collation = r.collation.as_deref().map(fix);
        if c.default.is_some() {
            c.default = r.default.as_deref().map(fix);
        }
        if c.generated.is_some() {
            c.generated = r.generated.as_deref().map(fix);
        }
        if c.identity.is_some() {
            c.identity = r.identity.clone();
        }
    }
    for (name, con) in t.constraints.iter_mut() {
        let Some(r) = rb.constraints.get(name) else {
            continue;
        };
        match (&mut con.kind, &r.kind) {
            (
                ConstraintKind::Check { expression, .. },
                ConstraintKind::Check { expression: rx, .. },
            ) => *expression = fix(rx),
            (
                ConstraintKind::Exclusion {
                    method,
                    elements,
                    predicate,
                },
                ConstraintKind::Exclusion {
                    method: rm,
                    elements: re,
                    predicate: rp,
                },
            ) => {
                *method = rm.clone();
                *elements = re
                    .iter()
                    .map(|e| ExclusionElement {
                        column: e.column.clone(),
                        expression: e.expression.as_deref().map(fix),
                        operator: fix(&e.operator),
                    })
                    .collect();
                *predicate = rp.as_deref().map(fix);
            }
            _ => {}
        }
    }
    for (name, i) in t.indexes.iter_mut() {
        let Some(r) = rb.indexes.get(name) else {
            continue;
        };
        i.method = r.method.clone();
        i.unique = r.unique;
        i.nulls_not_distinct = r.nulls_not_distinct;
        i.keys = r
            .keys
            .iter()
            .map(|k| IndexKey {
                column: k.column.clone(),
                expression: k.expression.as_deref().map(fix),
                opclass: k.opclass.as_deref().map(fix),
                collation: k.collation.as_deref().map(fix),
                descending: k.descending,
                nulls_first: k.nulls_first,
            })
            .collect();
        i.include = r.include.clone();
        i.predicate = r.predicate.as_deref().map(fix);
        i.with = r.with.clone();
    }
    for (name, p) in t.policies.iter_mut() {
        let Some(r) = rb.policies.get(name) else {
            continue;
        };
        p.command = r.command.clone();
        p.using = r.using.as_deref().map(fix);
        p.with_check = r.with_check.as_deref().map(fix);
    }
    if t.partition_by.is_some() {
        t.partition_by = rb.partition_by.as_deref().map(fix);
    }
    if let (Some(p), Some(rp)) = (&mut t.partition_of, &rb.partition_of) {
        p.bound = rp.bound.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_references_resolve_in_the_schema() {
        let email = QualifiedName::new("general", "email");
        assert!(type_refers_to("email", &email, "general"));
        assert!(type_refers_to("general.email[]", &email, "other"));
        assert!(type_refers_to("General.Email", &email, "other"));
        assert!(!type_refers_to("\"Email\"", &email, "general"));
        assert!(!type_refers_to("email", &email, "other"));
        assert!(!type_refers_to("text", &email, "general"));
    }

    #[test]
    fn scratch_schemas_are_named_as_the_real_ones() {
        let scratch: BTreeMap<String, String> = [
            ("app".to_string(), "pgrecon_canon_1".to_string()),
            ("My App".to_string(), "pgrecon_canon_10".to_string()),
        ]
        .into();
        assert_eq!(
            real_names(
                "relation \"pgrecon_canon_1.orders\" and pgrecon_canon_10.t do not exist",
                &scratch
            ),
            "relation \"app.orders\" and \"My App\".t do not exist"
        );
    }

    #[test]
    fn problems_render_lowercase_with_help() {
        let e = CanonError::Rejected(vec![CanonProblem {
            object: "table general.notes".into(),
            declared: None,
            clause: Some("column created_at".into()),
            message: "type \"timestamptzz\" does not exist".into(),
        }]);
        assert_eq!(
            e.to_string(),
            "the server rejected 1 desired object:\n  table general.notes, column created_at: \
             type \"timestamptzz\" does not exist\n  help: fix the type names and SQL \
             expressions above in the desired state; they are checked by creating the objects \
             in a transaction that is rolled back"
        );
    }

    #[test]
    fn chunks_respect_the_lock_budget_and_keep_partition_trees_together() {
        let mut desired = Catalog::default();
        let mut add = |name: &str, parent: Option<&str>, indexes: usize| {
            let mut t = Table::new(QualifiedName::new("s", name));
            t.columns.push(Column::new("a", "int"));
            t.partition_of = parent.map(|p| PartitionOf {
                parent: QualifiedName::new("s", p),
                bound: "DEFAULT".into(),
            });
            for i in 0..indexes {
                t.indexes.insert(
                    format!("{name}_{i}"),
                    Index {
                        name: format!("{name}_{i}"),
                        renamed_from: None,
                        unique: false,
                        nulls_not_distinct: false,
                        method: "btree".into(),
                        keys: vec![],
                        include: vec![],
                        predicate: None,
                        with: BTreeMap::new(),
                        concurrently: false,
                        valid: true,
                        comment: None,
                    },
                );
            }
            desired.tables.insert(t.name.clone(), t);
        };
        for i in 0..10 {
            add(&format!("t{i}"), None, 1); // 4 locks each
        }
        add("p", None, 0);
        add("p_1", Some("p"), 0);
        add("p_1_a", Some("p_1"), 0);
        add("p_2", Some("p"), 0);
        let live = Catalog::default();
        let work = Work::plan(&desired, &live);
        assert_eq!(work.tables.len(), 14);
        let chunks = work.chunks(&desired, &live, 8);
        let all: usize = chunks.iter().map(Vec::len).sum();
        assert_eq!(all, 14);
        let family: Vec<&Vec<QualifiedName>> = chunks
            .iter()
            .filter(|c| c.iter().any(|n| n.name.starts_with('p')))
            .collect();
        assert_eq!(family.len(), 1, "{chunks:?}");
        assert_eq!(
            family[0].iter().filter(|n| n.name.starts_with('p')).count(),
            4
        );
        for c in &chunks {
            let plain = c.iter().filter(|n| n.name.starts_with('t')).count();
            assert!(plain <= 2, "{chunks:?}");
        }
        // One chunk when the budget allows.
        assert_eq!(work.chunks(&desired, &live, 10_000).len(), 1);
    }
}
