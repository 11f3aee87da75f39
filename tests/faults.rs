//! Fault injection: a realistic plan (roles, schemas, tables holding seeded rows,
//! constraints, grants) applied by the pgrecon binary while, after a chosen step, its
//! backend is terminated, its connection cut, its session timed out by the server, or
//! the process killed (SIGKILL). After each fault the database must be exactly as
//! before (a catalog fingerprint computed with plain SQL, independent of pgrecon's
//! introspection, and every seeded row), and a plain retry of apply must converge.
//!
//! CI runs a fault after every `CI_STRIDE`-th step of the plan (the first step and the
//! last before the commit included) and after `CI_RANDOM` more steps drawn from a fixed
//! seed, the fault kinds taking turns. With `PGRECON_FAULTS=N`, every step is faulted
//! and N more faults follow at random steps and of random kinds (seeded by
//! `PGRECON_FAULTS_SEED`, default 1, so a failure can be replayed).
//!
//! The pause comes from a test-only hook of the binary (`PGRECON_TEST_FAULT`, see
//! ARCHITECTURE.md). The other tests here prove the fixes the fault runs found: a lost
//! `COMMIT` acknowledgement, a failing re-plan after a committed apply, lock timeouts
//! told by their SQLSTATE.

#[path = "faults/after_commit.rs"]
mod after_commit;
mod common;
mod fingerprint;
#[path = "faults/proxy.rs"]
mod proxy;

use common::TestDb;
use proxy::{AtCommit, Proxy};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// Groups of (role, schema, seeded table, new tables); each adds 23 steps.
const GROUPS: usize = 12;
/// CI faults every this many steps of the transaction (the long mode every step) ...
const CI_STRIDE: usize = 6;
/// ... and after this many more, drawn from the fixed seed.
const CI_RANDOM: usize = 12;
/// The first groups' seeded tables also gain an index built concurrently: a step that
/// runs after the commit.
const CONCURRENT_INDEXES: usize = 2;
const SEEDED_ROWS: usize = 200;
/// The server ends a session idle in its transaction for this long (the timeout fault).
const IDLE_TIMEOUT_MS: u64 = 1500;

fn start_sql() -> String {
    let mut sql = String::new();
    for g in 0..GROUPS {
        sql.push_str(&format!(
            "CREATE ROLE owner_{g}; CREATE SCHEMA s{g};
             CREATE TABLE s{g}.seed (id integer PRIMARY KEY, v text);
             ALTER TABLE s{g}.seed OWNER TO owner_{g};
             INSERT INTO s{g}.seed SELECT i, 'row ' || i FROM generate_series(1, {SEEDED_ROWS}) i;\n"
        ));
    }
    sql
}

fn desired_toml() -> String {
    let mut toml = String::new();
    for g in 0..GROUPS {
        let index = match g < CONCURRENT_INDEXES {
            true => r#"indexes.seed_v_cidx = { columns = ["v"], concurrently = true }"#,
            false => "",
        };
        toml.push_str(&format!(
            r#"
[roles.owner_{g}]
[roles.reader_{g}]
[roles.writer_{g}]
login = true
member_of = ["reader_{g}"]

[schemas.s{g}]
owner = "owner_{g}"
grants = {{ reader_{g} = ["USAGE"], writer_{g} = ["USAGE"] }}
table_grants = {{ reader_{g} = ["SELECT"], writer_{g} = ["SELECT", "INSERT", "UPDATE"] }}

[tables."s{g}.seed"]
owner = "owner_{g}"
primary_key = ["id"]
columns.id = {{ type = "integer" }}
columns.v = {{ type = "text", comment = "seeded" }}
columns.note = {{ type = "text", default = "'none'" }}
columns.added = {{ type = "timestamptz", default = "'2026-01-01'" }}
checks.seed_v_check = "v <> ''"
{index}

[tables."s{g}.orders"]
owner = "owner_{g}"
primary_key = ["id"]
columns.id = {{ type = "bigint", identity = "always" }}
columns.seed_id = {{ type = "integer", not_null = true }}
columns.amount = {{ type = "numeric(10,2)", default = "0" }}
checks.orders_amount_check = "amount >= 0"
foreign_keys.orders_seed_fk = {{ columns = ["seed_id"], references = "s{g}.seed" }}

[tables."s{g}.notes"]
owner = "owner_{g}"
grants = {{ reader_{g} = ["SELECT"] }}
columns.id = {{ type = "integer" }}
columns.body = {{ type = "text", not_null = true }}
columns.author = {{ type = "text", grants = {{ writer_{g} = ["UPDATE"] }} }}
"#
        ));
    }
    toml
}

/// The catalog (the shared plain-SQL fingerprint, plus columns and constraints) and
/// every seeded row.
async fn state(client: &tokio_postgres::Client) -> String {
    let mut out = fingerprint::fingerprint(client).await;
    let row = client
        .query_one(
            "SELECT string_agg(line, E'\n' ORDER BY line) FROM (
               SELECT format('column %s %s %s %s %s', a.attrelid::regclass, a.attname,
                             pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                             pg_catalog.pg_get_expr(d.adbin, d.adrelid)) AS line
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE n.nspname ~ '^s[0-9]' AND a.attnum > 0 AND NOT a.attisdropped
               UNION ALL
               SELECT format('constraint %s %s %s', conrelid::regclass, conname,
                             pg_catalog.pg_get_constraintdef(oid))
                 FROM pg_constraint WHERE connamespace::regnamespace::text ~ '^s[0-9]'
             ) lines",
            &[],
        )
        .await
        .expect("the columns query");
    out.push_str(&row.get::<_, Option<String>>(0).unwrap_or_default());
    out.push('\n');
    out.push_str(&seeded_rows(client).await);
    out
}

async fn seeded_rows(client: &tokio_postgres::Client) -> String {
    let mut out = String::new();
    for g in 0..GROUPS {
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM s{g}.seed"
                ),
                &[],
            )
            .await
            .expect("the seeded rows");
        let (n, hash): (i64, String) = (row.get(0), row.get(1));
        assert_eq!(n, SEEDED_ROWS as i64, "seeded rows lost in s{g}.seed");
        out.push_str(&format!("rows s{g}.seed {n} {hash}\n"));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// `pg_terminate_backend` of pgrecon's session.
    Terminate,
    /// Every connection closed by the proxy.
    Cut,
    /// The server's `idle_in_transaction_session_timeout` ends the session.
    Timeout,
    /// SIGKILL of the pgrecon process.
    Kill,
}

const FAULTS: [Fault; 4] = [Fault::Terminate, Fault::Cut, Fault::Timeout, Fault::Kill];

/// The pgrecon binary as CI runs it: no connection from the environment.
fn pgrecon(args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_pgrecon"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        let connection = k.starts_with("PG") && !k.starts_with("PGRECON_");
        if connection || k == "DATABASE_URL" || k == common::TEST_DATABASE_URL_ENV {
            cmd.env_remove(k);
        }
    }
    cmd.env_remove("PGRECON_TEST_FAULT");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.kill_on_drop(true);
    cmd
}

fn apply_args<'a>(dir: &'a str, url: &'a str) -> Vec<&'a str> {
    vec![
        "apply",
        "--dir",
        dir,
        "--database-url",
        url,
        "--retries",
        "0",
    ]
}

/// What a run printed and how it ended (`None`: killed).
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn finish(mut child: tokio::process::Child, mut stderr_seen: String) -> Ran {
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).await.unwrap();
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr_seen).await.unwrap();
    }
    let status = child.wait().await.unwrap();
    Ran {
        code: status.code(),
        stdout,
        stderr: stderr_seen,
    }
}

async fn apply_plain(dir: &str, url: &str) -> Ran {
    let child = pgrecon(&apply_args(dir, url)).spawn().unwrap();
    finish(child, String::new()).await
}

/// The pid of pgrecon's session, idle in its transaction while it is paused.
async fn paused_backend(observer: &tokio_postgres::Client) -> i32 {
    let row = observer
        .query_one(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("one paused pgrecon session");
    row.get(0)
}

async fn wait_gone(observer: &tokio_postgres::Client, pid: i32) {
    // A bound, not a timed assertion: the timeout fires after IDLE_TIMEOUT_MS.
    for _ in 0..1200 {
        let n: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        if n == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the paused session {pid} never ended");
}

/// Applies with a pause after step `step`, injects `fault`, and returns the run (or
/// `None` when the plan has fewer steps and the apply went through).
async fn apply_with_fault(
    dir: &str,
    proxy: &Proxy,
    user: &str,
    observer: &tokio_postgres::Client,
    step: usize,
    fault: Fault,
) -> Option<Ran> {
    let url = proxy.url(user);
    let mut cmd = pgrecon(&apply_args(dir, &url));
    cmd.env("PGRECON_TEST_FAULT", format!("pause-after-step:{step}"))
        .stdin(Stdio::piped());
    if fault == Fault::Timeout {
        cmd.env(
            "PGOPTIONS",
            format!("-c idle_in_transaction_session_timeout={IDLE_TIMEOUT_MS}"),
        );
    }
    let mut child = cmd.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let marker = format!("pgrecon-test: paused after step {step}");
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).await.unwrap() == 0 {
            // Ended without pausing: the step does not exist.
            let mut rest = finish(child, seen).await;
            rest.stderr = format!("(no pause)\n{}", rest.stderr);
            return (rest.code != Some(0)).then_some(rest).or(None);
        }
        seen.push_str(&line);
        if line.trim_end() == marker {
            break;
        }
    }
    let pid = paused_backend(observer).await;
    let mut stdin = child.stdin.take().unwrap();
    match fault {
        Fault::Terminate => {
            observer
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .unwrap();
            wait_gone(observer, pid).await;
        }
        Fault::Cut => proxy.cut_all(),
        Fault::Timeout => wait_gone(observer, pid).await,
        Fault::Kill => {
            child.start_kill().unwrap();
            let status = child.wait().await.unwrap();
            assert_eq!(status.code(), None, "killed by a signal");
            return Some(Ran {
                code: None,
                stdout: String::new(),
                stderr: seen,
            });
        }
    }
    let _ = stdin.write_all(b"\n").await;
    drop(stdin);
    child.stderr = Some(stderr.into_inner());
    Some(finish(child, seen).await)
}

fn write_desired(dir: &Path) {
    std::fs::write(dir.join("all.toml"), desired_toml()).unwrap();
}

/// The steps of the binary's own plan: (number, runs in the transaction, summary).
async fn plan_steps(dir: &str, url: &str) -> Vec<(usize, bool, String)> {
    let out = pgrecon(&[
        "plan",
        "--dir",
        dir,
        "--database-url",
        url,
        "--format",
        "json",
    ])
    .output()
    .await
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "plan --format json: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    json["steps"]
        .as_array()
        .expect("a steps list")
        .iter()
        .map(|s| {
            let n = s["number"].as_u64().expect("a step number") as usize;
            let txn = s["transactional"].as_bool().expect("transactional");
            (
                n,
                txn,
                s["summary"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A small deterministic generator (xorshift64*), so a long run can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % below
    }
}

/// The steps faulted in turn: every one (`all`, the long mode), or every `CI_STRIDE`-th
/// one with the first and the last (right before the commit) and `CI_RANDOM` drawn by
/// `rng`; in the order of the plan, each once.
fn sweep(inside: &[usize], all: bool, rng: &mut Rng) -> Vec<usize> {
    let mut picked: std::collections::BTreeSet<usize> = match all {
        true => inside.iter().copied().collect(),
        false => inside.iter().copied().step_by(CI_STRIDE).collect(),
    };
    picked.extend(inside.last());
    if !all {
        for _ in 0..CI_RANDOM {
            picked.insert(inside[rng.next(inside.len())]);
        }
    }
    picked.into_iter().collect()
}

#[test]
fn the_ci_sweep_takes_a_stride_both_ends_and_a_fixed_draw() {
    let inside: Vec<usize> = (1..=276).collect();
    let ci = sweep(&inside, false, &mut Rng(1));
    assert_eq!(ci, sweep(&inside, false, &mut Rng(1)), "replayable");
    assert_eq!(ci.first(), Some(&1));
    assert_eq!(ci.last(), Some(&276), "the step before the commit");
    let stride: Vec<usize> = (1..=276).step_by(CI_STRIDE).collect();
    assert!(stride.iter().all(|s| ci.contains(s)), "{ci:?}");
    assert!(ci.len() > stride.len() + 1, "random steps too: {ci:?}");
    assert!(ci.windows(2).all(|w| w[0] < w[1]), "each once, in order");
    assert_eq!(
        sweep(&inside, true, &mut Rng(1)),
        inside,
        "the long mode: every step"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_after_any_step_leaves_the_database_as_before_and_a_retry_converges() {
    let db = TestDb::new().await;
    db.exec(&start_sql()).await;
    let config = db.config();
    let user = config.get_user().expect("a user").to_string();
    let proxy = Proxy::start(&config);
    let observer = db.client().await;
    let dir = tempfile::tempdir().unwrap();
    write_desired(dir.path());
    let dir_s = dir.path().to_str().unwrap().to_string();

    let before = state(&observer).await;
    let plan = plan_steps(&dir_s, &db.url()).await;
    let steps = plan.len();
    assert!(steps >= 20 * GROUPS, "a plan of {steps} steps");
    // The steps in the transaction; those after the commit are `after_commit`'s.
    let inside: Vec<usize> = plan.iter().filter(|s| s.1).map(|s| s.0).collect();
    assert_eq!(steps - inside.len(), CONCURRENT_INDEXES, "{plan:?}");

    let long: Option<usize> = std::env::var("PGRECON_FAULTS")
        .ok()
        .and_then(|v| v.parse().ok());
    let seed: u64 = std::env::var("PGRECON_FAULTS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let swept = sweep(&inside, long.is_some(), &mut rng);
    let mut trials: Vec<(usize, Fault)> = swept
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, FAULTS[i % 4]))
        .collect();
    for _ in 0..long.unwrap_or(0) {
        trials.push((inside[rng.next(inside.len())], FAULTS[rng.next(4)]));
    }

    let mut partial = 0;
    for (i, &(step, fault)) in trials.iter().enumerate() {
        let ran = apply_with_fault(&dir_s, &proxy, &user, &observer, step, fault)
            .await
            .unwrap_or_else(|| panic!("trial {i}: step {step} of {steps} never paused"));
        assert_ne!(
            ran.code,
            Some(0),
            "trial {i}: {fault:?} after step {step} and apply succeeded?\n{}",
            ran.stderr
        );
        let now = state(&observer).await;
        if now != before {
            partial += 1;
            eprintln!("trial {i}: {fault:?} after step {step} left a partial state");
        }
        assert_eq!(
            now, before,
            "trial {i}: {fault:?} after step {step} of {steps} changed the database\n{}",
            ran.stderr
        );
    }
    eprintln!(
        "faults injected: {} ({} steps swept), steps: {steps}, partial states: {partial}, \
         rows lost: 0",
        trials.len(),
        swept.len()
    );

    // A plain retry converges; the rows are all there.
    let url = proxy.url(&user);
    let ran = apply_plain(&dir_s, &url).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(
        plan_steps(&dir_s, &db.url()).await,
        vec![],
        "the re-plan is empty"
    );
    seeded_rows(&observer).await;
}

/// The server commits, the acknowledgement never arrives: apply says the outcome is
/// unknown, reconnects, finds the change committed and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_commit_acknowledgement_is_found_out_after_reconnecting() {
    let db = TestDb::new().await;
    let config = db.config();
    let user = config.get_user().expect("a user").to_string();
    let proxy = Proxy::start(&config);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.toml"), "[roles.fault_marker]\n").unwrap();
    proxy.arm("fault_marker", AtCommit::LoseAck);
    let ran = apply_plain(dir.path().to_str().unwrap(), &proxy.url(&user)).await;
    assert!(
        ran.stderr
            .contains("the outcome is unknown, reconnecting to find out"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("nothing was changed"),
        "{}",
        ran.stderr
    );
    assert!(ran.stdout.contains("committed"), "{}", ran.stdout);
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    let observer = db.client().await;
    let n: i64 = observer
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = 'fault_marker'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the role was committed");
}

/// The connection drops right after the commit was acknowledged: the apply succeeded,
/// the re-plan after it fails, which is a warning, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_replan_after_a_committed_apply_is_a_warning() {
    let db = TestDb::new().await;
    let config = db.config();
    let user = config.get_user().expect("a user").to_string();
    let proxy = Proxy::start(&config);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.toml"), "[roles.fault_marker]\n").unwrap();
    proxy.arm("fault_marker", AtCommit::CutAfterAck);
    let ran = apply_plain(dir.path().to_str().unwrap(), &proxy.url(&user)).await;
    assert!(
        ran.stderr.contains(
            "warning: the apply is committed and verified, but the re-plan after it failed"
        ),
        "{}",
        ran.stderr
    );
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
}

/// A catalog read waiting on a table lock fails with the lock timeout, read from the
/// SQLSTATE, never with the "current transaction is aborted" that follows it in the
/// pipeline; and apply retries it.
#[tokio::test]
async fn a_pipelined_catalog_read_reports_the_lock_timeout_itself() {
    let db = TestDb::new().await;
    // Deparsing the check (`pg_get_expr`) locks the table.
    db.exec("CREATE SCHEMA s0; CREATE TABLE s0.locked (id integer CHECK (id > 0))")
        .await;
    let mut holder = db.client().await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE s0.locked IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let mut reader = db.client().await;
    for _ in 0..20 {
        let txn = reader.transaction().await.unwrap();
        txn.batch_execute("SET LOCAL lock_timeout = '50ms'")
            .await
            .unwrap();
        let err = pgrecon::introspect::read_catalog(&txn)
            .await
            .expect_err("the read waits on the locked table");
        let e = pgrecon::apply::ApplyError::Introspect(err);
        assert!(e.is_lock_timeout(), "not told as a lock timeout: {e}");
        txn.rollback().await.unwrap();
    }
    hold.rollback().await.unwrap();
}

/// Canonicalising against the live catalog waits on a lock of a live relation (a view
/// reading a locked table): a lock timeout, which apply retries, not a rejected
/// declaration.
#[tokio::test]
async fn a_lock_timeout_while_canonicalising_is_retried_not_rejected() {
    let db = TestDb::new().await;
    db.exec(&start_sql()).await;
    let sql_dir = tempfile::tempdir().unwrap();
    // The view reads a declared table equal to the live one: no scratch copy of it,
    // the view's scratch twin reads (and locks) the live table.
    db.exec("CREATE TABLE s0.plain (id integer); ALTER TABLE s0.plain OWNER TO owner_0")
        .await;
    let toml = format!(
        "{}\n[tables.\"s0.plain\"]\nowner = \"owner_0\"\ncolumns.id = {{ type = \"integer\" }}\n",
        desired_toml()
    );
    std::fs::write(sql_dir.path().join("all.toml"), toml).unwrap();
    std::fs::write(
        sql_dir.path().join("views.sql"),
        "CREATE VIEW s0.v AS SELECT id FROM s0.plain;\n",
    )
    .unwrap();
    let desired = common::load_dir(sql_dir.path()).catalog;
    let mut reader = db.client().await;
    let live = pgrecon::introspect::snapshot(&mut reader).await.unwrap();
    let mut holder = db.client().await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE s0.plain IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let txn = reader.transaction().await.unwrap();
    txn.batch_execute("SET LOCAL lock_timeout = '50ms'")
        .await
        .unwrap();
    let err = pgrecon::canon::canonicalize_with_live(&txn, &desired, &live)
        .await
        .expect_err("canonicalising waits on the locked table");
    let e = pgrecon::apply::ApplyError::Canon(err);
    assert!(e.is_lock_timeout(), "not told as a lock timeout: {e}");
    drop(txn);
    hold.rollback().await.unwrap();
}

/// A catalog snapshot behind a table lock does not wait for ever: it gives up after its
/// own `lock_timeout` and tries again; released, it succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_snapshot_behind_a_lock_times_out_and_retries() {
    let db = TestDb::new().await;
    db.exec("CREATE SCHEMA s0; CREATE TABLE s0.locked (id integer CHECK (id > 0))")
        .await;
    let mut holder = db.client().await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE s0.locked IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let observer = db.client().await;
    let mut reader = db.client().await;
    let pid: i32 = reader
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let read = tokio::spawn(async move { pgrecon::introspect::snapshot(&mut reader).await });
    // Two distinct waits of the reader on a lock: it gave up once and tried again. A
    // bound, not a timed assertion: without a lock timeout the first wait never ends.
    let mut waits: Vec<String> = Vec::new();
    for _ in 0..2400 {
        let row = observer
            .query_one(
                "SELECT wait_event_type = 'Lock', query_start::text FROM pg_stat_activity \
                 WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap();
        let (waiting, start): (Option<bool>, Option<String>) = (row.get(0), row.get(1));
        if waiting == Some(true)
            && let Some(start) = start
            && !waits.contains(&start)
        {
            waits.push(start);
        }
        if waits.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        waits.len() >= 2,
        "the catalog read never gave up waiting: {waits:?}"
    );
    hold.rollback().await.unwrap();
    read.await
        .unwrap()
        .expect("the retried read succeeds once the lock is released");
}

/// With nobody reading its output (a full stdout pipe), apply must not sit in its open
/// transaction: the plan is printed after the commit, so the change is committed while
/// the output waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_stdout_does_not_hold_the_transaction_open() {
    const ROLES: usize = 1500;
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let toml: String = (0..ROLES)
        .map(|i| format!("[roles.blocked_output_role_{i:05}]\ncomment = \"a role with a comment long enough to fill the output pipe quickly\"\n"))
        .collect();
    std::fs::write(dir.path().join("all.toml"), toml).unwrap();
    let mut child = pgrecon(&apply_args(dir.path().to_str().unwrap(), &db.url()))
        .spawn()
        .unwrap();
    let observer = db.client().await;
    // A bound, not a timed assertion: before the fix the roles never commit while the
    // output is not read.
    let mut committed = 0i64;
    for _ in 0..2400 {
        committed = observer
            .query_one(
                "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'blocked_output_role_%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if committed == ROLES as i64 || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        committed, ROLES as i64,
        "the roles were not committed while stdout was full"
    );
    let ran = finish(child, String::new()).await;
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.len() > 128 * 1024,
        "the plan fills the pipe: {} bytes",
        ran.stdout.len()
    );
}
