//! Concurrency, from outside, as users run it: many `pgrecon apply` processes at once
//! (the CLI binary), of the same desired state, of two different desired states on one
//! database, and of desired states on two databases of one cluster that share roles
//! (roles, memberships and role settings are cluster-wide). Every process must apply,
//! find nothing to do, or wait and then report clearly; no raw server error (`tuple
//! concurrently updated`, `duplicate key value`, …) may escape; the end state converges:
//! a final plan of the last-applied desired state is empty.
//!
//! The processes are released together: the test holds apply's advisory lock in every
//! database until all of them wait on it.
//!
//! CI runs one round of 20 processes per scenario. The long mode repeats each scenario
//! from scratch: `PGRECON_CONCURRENCY_ROUNDS=25` (and `PGRECON_CONCURRENCY_PROCS`, at
//! most 24: the test cluster allows 30 connections); see the README, "Concurrency".

mod common;

use common::TestDb;
use pgrecon::apply::ADVISORY_LOCK_KEY;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

/// Roles every desired state declares (identically, as databases of one cluster that
/// share them do): a create, a membership and a per-role setting, all cluster-wide.
const SHARED_ROLES: &str = r#"
[roles.conc_owner]
comment = "owns the schemas"

[roles.conc_reader]

[roles.conc_app]
login = true
member_of = ["conc_reader"]
search_path = ["app", "public"]
"#;

/// A database's own part: a schema with a comment that tells the desired states apart.
fn schema(comment: &str) -> String {
    format!(
        r#"
[schemas.app]
owner = "conc_owner"
comment = "{comment}"
grants = {{ conc_app = ["USAGE"] }}
table_grants = {{ conc_reader = ["SELECT"] }}

[tables."app.notes"]
owner = "conc_owner"
columns.id = {{ type = "bigint" }}
columns.body = {{ type = "text" }}
"#
    )
}

/// A desired state whose shared role `conc_app` has `connection_limit`, so two of them
/// with different limits change the same role row.
fn with_limit(comment: &str, limit: u32) -> String {
    format!(
        "{SHARED_ROLES}connection_limit = {limit}\n{}",
        schema(comment)
    )
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        _ => default,
    }
}

fn rounds() -> usize {
    env_number("PGRECON_CONCURRENCY_ROUNDS", 1)
}

fn procs() -> usize {
    let n = env_number("PGRECON_CONCURRENCY_PROCS", 20);
    assert!(
        (2..=24).contains(&n),
        "PGRECON_CONCURRENCY_PROCS must be 2..=24"
    );
    n
}

/// Server text that must never reach the user raw.
const RAW_ERRORS: &[&str] = &[
    "tuple concurrently",
    "duplicate key value",
    "violates unique constraint",
    "deadlock detected",
    "could not serialize",
    "database error",
    "current transaction is aborted",
    "panicked",
];

/// A desired state on disk.
struct State {
    dir: tempfile::TempDir,
}

impl State {
    fn new(toml: &str) -> State {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("all.toml"), toml).unwrap();
        State { dir }
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }
}

/// One process to start: the desired state and the database it applies to.
struct Job<'a> {
    state: &'a State,
    url: &'a str,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    applied: usize,
    no_changes: usize,
    /// Waited for the lock longer than `--lock-wait` and said so.
    gave_up: usize,
    /// Warnings of a retried transaction.
    retries: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.applied += other.applied;
        self.no_changes += other.no_changes;
        self.gave_up += other.gave_up;
        self.retries += other.retries;
    }
}

fn spawn(job: &Job) -> Child {
    common::pgrecon_command(
        &[
            "apply",
            "--dir",
            job.state.path(),
            "--database-url",
            job.url,
            "--lock-wait",
            "10m",
        ],
        &[],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("pgrecon starts")
}

/// Classifies one process's outcome; panics on anything that is not a clear report.
fn judge(out: &Output) -> Tally {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = || {
        format!(
            "exit {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            out.status
        )
    };
    for raw in RAW_ERRORS {
        assert!(
            !stdout.contains(raw) && !stderr.contains(raw),
            "raw server error `{raw}` escaped:\n{}",
            shown()
        );
    }
    let mut t = Tally {
        retries: stderr.matches("retrying in").count(),
        ..Tally::default()
    };
    match out.status.code() {
        Some(0) if stdout.contains("and verified in the same transaction") => t.applied = 1,
        Some(0) if stdout.contains(pgrecon::render::NO_CHANGES) => t.no_changes = 1,
        Some(1) if stderr.contains("another pgrecon apply holds the lock") => t.gave_up = 1,
        _ => panic!("not a clear outcome:\n{}", shown()),
    }
    t
}

async fn connect(db: &TestDb, dbname: &str) -> tokio_postgres::Client {
    let mut config = db.config();
    config.dbname(dbname);
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Starts every job at once: holds the advisory lock in each database in `gates` until
/// all processes wait on it, then lets them go; returns the tally.
async fn run_together(db: &TestDb, gates: &[&str], jobs: &[Job<'_>]) -> Tally {
    let mut holders = Vec::new();
    for dbname in gates {
        let c = connect(db, dbname).await;
        c.execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
            .await
            .unwrap();
        holders.push(c);
    }
    let mut children: Vec<Child> = jobs.iter().map(spawn).collect();
    let observer = &holders[0];
    let started = Instant::now();
    loop {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity \
                 WHERE application_name = 'pgrecon' AND wait_event = 'advisory'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting as usize == jobs.len() {
            break;
        }
        // A process that ended before reaching the lock is judged below.
        if children.iter_mut().any(|c| c.try_wait().unwrap().is_some()) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "only {waiting} of {} processes reached the lock",
            jobs.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for c in &holders {
        c.execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
            .await
            .unwrap();
    }
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let mut tally = Tally::default();
    for out in &outputs {
        tally.add(judge(out));
    }
    tally
}

/// Whether a plan of `state` on `url` is empty.
fn plan_is_empty(state: &State, url: &str) -> bool {
    let out = common::pgrecon_with(&["plan", "--dir", state.path(), "--database-url", url], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    match out.status.code() {
        Some(0) => {
            assert!(stdout.contains(pgrecon::render::NO_CHANGES), "{stdout}");
            true
        }
        Some(2) => false,
        _ => panic!(
            "plan failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Removes what the desired states create, so the next round races from scratch.
async fn reset(db: &TestDb, dbnames: &[&str]) {
    for dbname in dbnames {
        let c = connect(db, dbname).await;
        c.batch_execute(
            "DROP SCHEMA IF EXISTS app CASCADE; \
             DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'conc_app') THEN \
             DROP OWNED BY conc_owner, conc_reader, conc_app; END IF; END $$",
        )
        .await
        .unwrap();
    }
    let c = connect(db, dbnames[0]).await;
    c.batch_execute("DROP ROLE IF EXISTS conc_app, conc_reader, conc_owner")
        .await
        .unwrap();
}

fn report(scenario: &str, rounds: usize, procs: usize, t: Tally) {
    eprintln!(
        "{scenario}: {rounds} round(s) × {procs} processes = {} applies: {} applied, {} no changes, {} gave up waiting, {} retried transactions, errors 0",
        rounds * procs,
        t.applied,
        t.no_changes,
        t.gave_up,
        t.retries
    );
}

#[tokio::test]
async fn applies_of_one_desired_state_serialise_and_converge() {
    let db = TestDb::new().await;
    let url = db.url();
    let state = State::new(&with_limit("one", 5));
    let (rounds, procs) = (rounds(), procs());
    let mut total = Tally::default();
    for _ in 0..rounds {
        reset(&db, &[&db.dbname]).await;
        let jobs: Vec<Job> = (0..procs)
            .map(|_| Job {
                state: &state,
                url: &url,
            })
            .collect();
        let t = run_together(&db, &[&db.dbname], &jobs).await;
        // One process applies; the others find it done (none gives up: --lock-wait 10m).
        assert_eq!(
            (t.applied, t.no_changes, t.gave_up),
            (1, procs - 1, 0),
            "{t:?}"
        );
        assert!(plan_is_empty(&state, &url));
        total.add(t);
    }
    report("one desired state", rounds, procs, total);
}

#[tokio::test]
async fn applies_of_two_desired_states_on_one_database_converge_on_the_last() {
    let db = TestDb::new().await;
    let url = db.url();
    // Different schema comments and a different connection limit of the shared role.
    let x = State::new(&with_limit("x", 5));
    let y = State::new(&with_limit("y", 7));
    let (rounds, procs) = (rounds(), procs());
    let mut total = Tally::default();
    for _ in 0..rounds {
        reset(&db, &[&db.dbname]).await;
        let jobs: Vec<Job> = (0..procs)
            .map(|i| Job {
                state: if i % 2 == 0 { &x } else { &y },
                url: &url,
            })
            .collect();
        let t = run_together(&db, &[&db.dbname], &jobs).await;
        assert!(t.applied >= 1, "{t:?}");
        assert_eq!(t.gave_up, 0, "{t:?}");
        // The database is exactly one of the two: the last applied.
        let (px, py) = (plan_is_empty(&x, &url), plan_is_empty(&y, &url));
        assert!(px != py, "plan of x empty: {px}, plan of y empty: {py}");
        total.add(t);
    }
    report("two desired states, one database", rounds, procs, total);
}

#[tokio::test]
async fn applies_to_two_databases_sharing_roles_serialise_cluster_wide_changes() {
    let db = TestDb::new().await;
    let other = format!("{}_b", db.dbname);
    let quoted = pgrecon::sql::quote_ident(&other);
    db.exec(&format!("DROP DATABASE IF EXISTS {quoted}")).await;
    db.exec(&format!("CREATE DATABASE {quoted}")).await;
    let url_a = db.url();
    let url_b = common::with_dbname(&url_a, &other);
    // The same roles (as a cluster's databases share them), each its own schema comment.
    let a = State::new(&with_limit("a", 5));
    let b = State::new(&with_limit("b", 5));
    let (rounds, procs) = (rounds(), procs());
    let mut total = Tally::default();
    for _ in 0..rounds {
        reset(&db, &[&db.dbname, &other]).await;
        let jobs: Vec<Job> = (0..procs)
            .map(|i| {
                if i % 2 == 0 {
                    Job {
                        state: &a,
                        url: &url_a,
                    }
                } else {
                    Job {
                        state: &b,
                        url: &url_b,
                    }
                }
            })
            .collect();
        let t = run_together(&db, &[&db.dbname, &other], &jobs).await;
        // Each database is applied exactly once (the rest find it done), whichever of the
        // two created the shared roles.
        assert_eq!(
            (t.applied, t.no_changes, t.gave_up),
            (2, procs - 2, 0),
            "{t:?}"
        );
        assert!(plan_is_empty(&a, &url_a), "database a converged");
        assert!(plan_is_empty(&b, &url_b), "database b converged");
        total.add(t);
    }
    report("two databases sharing roles", rounds, procs, total);
    let c = connect(&db, &db.dbname).await;
    c.batch_execute(&format!("DROP DATABASE {quoted} WITH (FORCE)"))
        .await
        .unwrap();
}
