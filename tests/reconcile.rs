//! `pgrecon reconcile` on a real PostgreSQL, run as the binary: enforce repairs drift and
//! the next tick is in sync; warn changes nothing; webhook events reach a local receiver
//! exactly once per transition; metrics are scraped over HTTP and parsed; SIGTERM during
//! a run lets it finish; a bad desired state pushed mid-loop keeps the last good one in
//! force; a database restart under the loop is survived; `--once` exit codes.
//!
//! The loop runs with a short interval, allowed by `PGRECON_MIN_INTERVAL_MS` (for tests
//! only).

mod common;
mod fingerprint;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use common::TestDb;
use pgrecon::apply::{self, ApplyOptions, NoHooks};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DESIRED: &str = r#"
[scope]
owned_roles = ["*_app"]

[roles.owner]
[roles.readers]
[roles.general_app]
login = true
search_path = ["general", "public"]
member_of = ["readers"]

[schemas.general]
owner = "owner"
grants = { general_app = ["USAGE"] }
table_grants = { general_app = ["SELECT"] }

[tables."general.notes"]
primary_key = ["id"]
columns.id = { type = "bigint", not_null = true }
columns.body = { type = "text" }
"#;

const INTERVAL: &str = "300ms";
const WAIT: Duration = Duration::from_secs(60);

async fn converged_on(db: TestDb) -> (TestDb, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("desired.toml"), DESIRED).unwrap();
    let desired = common::load_dir(dir.path()).catalog;
    let mut client = db.client().await;
    apply::apply(
        &mut client,
        &desired,
        &ApplyOptions::default(),
        &mut NoHooks,
    )
    .await
    .unwrap_or_else(|e| panic!("the desired state applies: {e}"));
    (db, dir)
}

async fn converged() -> (TestDb, tempfile::TempDir) {
    converged_on(TestDb::new().await).await
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgrecon"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.env("PGRECON_MIN_INTERVAL_MS", "100");
    cmd
}

/// A running `pgrecon reconcile`: its run records (stdout) and log lines (stderr).
struct Loop {
    child: Child,
    records: tokio::sync::mpsc::UnboundedReceiver<Value>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Loop {
    fn start(db: &TestDb, dir: &Path, extra: &[&str]) -> Loop {
        let url = db.url();
        let mut args = vec![
            "reconcile",
            "--dir",
            dir.to_str().unwrap(),
            "--database-url",
            &url,
            "--interval",
            INTERVAL,
            "--jitter",
            "0",
            "--log-format",
            "json",
            "--metrics-addr",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        let mut child = command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pgrecon starts");
        let (tx, records) = tokio::sync::mpsc::unbounded_channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let record: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("stdout line is a JSON record ({e}): {line}"));
                if tx.send(record).is_err() {
                    break;
                }
            }
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Loop {
            child,
            records,
            log,
        }
    }

    fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    async fn next_record(&mut self) -> Value {
        match tokio::time::timeout(WAIT, self.records.recv()).await {
            Ok(Some(r)) => r,
            Ok(None) => panic!("the loop ended; its log:\n{}", self.log_text()),
            Err(_) => panic!("no run record within {WAIT:?}; log:\n{}", self.log_text()),
        }
    }

    /// Skips records until one satisfies `pred`.
    async fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = self.next_record().await;
            if pred(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "no run with {what}; last {r:#}; log:\n{}",
                self.log_text()
            );
        }
    }

    /// `http://127.0.0.1:PORT`, from the log line that says where metrics are served.
    async fn base_url(&self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.log.lock().unwrap().iter().find_map(|line| {
                let v: Value = serde_json::from_str(line).ok()?;
                v["addr"].as_str().map(str::to_string)
            });
            if let Some(addr) = found {
                return format!("http://{addr}");
            }
            assert!(Instant::now() < deadline, "no metrics address in the log");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
    }

    async fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the loop did not exit; log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(&mut self) {
        self.signal(nix::sys::signal::Signal::SIGTERM);
        let status = self.wait_exit().await;
        assert_eq!(status.code(), Some(0), "log:\n{}", self.log_text());
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local webhook receiver.
struct Receiver {
    url: String,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let events: Arc<Mutex<Vec<Value>>> = Arc::default();
        let app = Router::new()
            .route(
                "/hook",
                post(
                    |State(store): State<Arc<Mutex<Vec<Value>>>>, body: String| async move {
                        let v: Value = serde_json::from_str(&body).expect("a JSON payload");
                        store.lock().unwrap().push(v);
                        "ok"
                    },
                ),
            )
            .with_state(Arc::clone(&events));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hook"),
            events,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }

    fn kinds(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| e["event"].as_str().unwrap_or("(text)").to_string())
            .collect()
    }

    /// Waits until `n` events arrived, then a little longer to catch any extra one.
    async fn settle(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        while self.events.lock().unwrap().len() < n {
            assert!(
                Instant::now() < deadline,
                "only {:?} arrived, expected {n}",
                self.kinds()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.kinds()
    }
}

async fn get(url: &str) -> (u16, String) {
    let client = pgrecon::reconcile::webhook::client().unwrap();
    let r = client.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Parses the text exposition: `name{labels}` → value (comments skipped).
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("a number in {line}"));
        out.insert(series.to_string(), value);
    }
    out
}

async fn scrape(base: &str) -> BTreeMap<String, f64> {
    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF"
    );
    parse_metrics(&text)
}

fn metric(m: &BTreeMap<String, f64>, series: &str) -> f64 {
    *m.get(series)
        .unwrap_or_else(|| panic!("{series} not among {:#?}", m.keys().collect::<Vec<_>>()))
}

async fn has_privilege(db: &TestDb, sql: &str) -> bool {
    db.client().await.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforce_repairs_drift_and_alerts_once_per_transition() {
    let (db, dir) = converged().await;
    let hook = Receiver::start().await;
    let mut l = Loop::start(
        &db,
        dir.path(),
        &["--mode", "enforce", "--webhook", &hook.url],
    );
    let base = l.base_url().await;

    let r = l.next_record().await;
    assert_eq!(r["result"], "in_sync", "{r:#}");
    assert_eq!(r["kind"], "pgrecon-reconcile-run");
    assert_eq!(r["exit_code"], 0);

    db.exec(
        "GRANT INSERT ON general.notes TO general_app; \
         CREATE ROLE ops; GRANT ops TO general_app; \
         ALTER ROLE general_app SET search_path = public;",
    )
    .await;
    let r = l
        .wait_for("drift corrected", |r| r["result"] != "in_sync")
        .await;
    assert_eq!(r["result"], "corrected", "{r:#}");
    assert_eq!(r["drift"]["unexpected"], 2, "{r:#}");
    assert_eq!(r["drift"]["different"], 1, "{r:#}");
    assert_eq!(r["drift_after"]["unexpected"], 0, "{r:#}");
    assert_eq!(r["steps_applied"], 3, "{r:#}");
    assert_eq!(
        r["events"],
        serde_json::json!(["drift_detected", "drift_corrected"])
    );
    // The next ticks report in sync, and the database is as declared.
    for _ in 0..2 {
        let r = l.next_record().await;
        assert_eq!(r["result"], "in_sync", "{r:#}");
        assert_eq!(r["events"], serde_json::json!([]));
    }
    assert!(
        !has_privilege(
            &db,
            "SELECT has_table_privilege('general_app', 'general.notes', 'INSERT')"
        )
        .await
    );
    assert!(!has_privilege(&db, "SELECT pg_has_role('general_app', 'ops', 'MEMBER')").await);

    assert_eq!(hook.settle(2).await, ["drift_detected", "drift_corrected"]);
    let events = hook.events();
    let detected = &events[0];
    assert_eq!(detected["source"], "pgrecon");
    assert_eq!(detected["mode"], "enforce");
    assert_eq!(detected["database"], db.dbname.as_str());
    assert_eq!(detected["counts"]["unexpected"], 2);
    let new: Vec<&str> = detected["new_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        new.iter()
            .any(|i| i.contains("revoke INSERT on table general.notes from general_app")),
        "{new:#?}"
    );
    assert_eq!(events[1]["by"], "pgrecon");
    assert_eq!(events[1]["steps_applied"], 3);

    let m = scrape(&base).await;
    assert_eq!(
        metric(&m, "pgrecon_reconcile_total{result=\"corrected\"}"),
        1.0
    );
    assert!(metric(&m, "pgrecon_reconcile_total{result=\"in_sync\"}") >= 3.0);
    assert_eq!(metric(&m, "pgrecon_reconcile_total{result=\"error\"}"), 0.0);
    assert_eq!(metric(&m, "pgrecon_apply_steps_total"), 3.0);
    assert_eq!(metric(&m, "pgrecon_up"), 1.0);
    assert_eq!(metric(&m, "pgrecon_drift_items{kind=\"unexpected\"}"), 0.0);
    assert!(metric(&m, "pgrecon_reconcile_duration_seconds_count") >= 4.0);
    assert!(metric(&m, "pgrecon_last_success_timestamp_seconds") > 1.7e9);
    assert_eq!(
        metric(&m, "pgrecon_webhook_deliveries_total{result=\"ok\"}"),
        2.0
    );
    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    let (status, body) = get(&format!("{base}/readyz")).await;
    assert_eq!(status, 200, "{body}");

    l.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_reports_drift_and_never_changes_anything() {
    let (db, dir) = converged().await;
    db.exec(
        "GRANT INSERT ON general.notes TO general_app; \
         ALTER ROLE general_app SET search_path = public;",
    )
    .await;
    let before = fingerprint::fingerprint(&db.client().await).await;
    let hook = Receiver::start().await;
    let mut l = Loop::start(&db, dir.path(), &["--webhook", &hook.url]);
    let base = l.base_url().await;

    for n in 0..3 {
        let r = l.next_record().await;
        assert_eq!(r["mode"], "warn");
        assert_eq!(r["result"], "drift", "{r:#}");
        assert_eq!(r["exit_code"], 2);
        assert_eq!(r["steps_applied"], 0);
        let expected = if n == 0 {
            serde_json::json!(["drift_detected"])
        } else {
            serde_json::json!([])
        };
        assert_eq!(r["events"], expected, "run {n}: {r:#}");
    }
    assert_eq!(
        fingerprint::fingerprint(&db.client().await).await,
        before,
        "warn changed the catalog"
    );
    let m = scrape(&base).await;
    assert_eq!(metric(&m, "pgrecon_drift_items{kind=\"unexpected\"}"), 1.0);
    assert_eq!(metric(&m, "pgrecon_drift_items{kind=\"different\"}"), 1.0);
    assert_eq!(metric(&m, "pgrecon_drift_items{kind=\"missing\"}"), 0.0);
    assert!(metric(&m, "pgrecon_reconcile_total{result=\"drift\"}") >= 3.0);
    assert_eq!(metric(&m, "pgrecon_apply_steps_total"), 0.0);

    // Corrected by hand: reported once, as external.
    db.exec(
        "REVOKE INSERT ON general.notes FROM general_app; \
         ALTER ROLE general_app SET search_path = general, public;",
    )
    .await;
    let r = l.wait_for("in sync", |r| r["result"] == "in_sync").await;
    assert_eq!(r["events"], serde_json::json!(["drift_corrected"]), "{r:#}");
    assert_eq!(l.next_record().await["events"], serde_json::json!([]));
    assert_eq!(hook.settle(2).await, ["drift_detected", "drift_corrected"]);
    assert_eq!(hook.events()[1]["by"], "external");

    l.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_run_lets_it_finish_and_exits_0() {
    let (db, dir) = converged().await;
    // Hold apply's advisory lock, so that the run waits inside its apply.
    let holder = db.client().await;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&apply::ADVISORY_LOCK_KEY])
        .await
        .unwrap();
    db.exec("GRANT INSERT ON general.notes TO general_app")
        .await;
    let mut l = Loop::start(&db, dir.path(), &["--mode", "enforce"]);

    let observer = db.client().await;
    let deadline = Instant::now() + WAIT;
    loop {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run never waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    l.signal(nix::sys::signal::Signal::SIGTERM);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        l.child.try_wait().unwrap().is_none(),
        "the loop exited in the middle of a run"
    );
    holder
        .execute(
            "SELECT pg_advisory_unlock($1)",
            &[&apply::ADVISORY_LOCK_KEY],
        )
        .await
        .unwrap();
    let r = l.next_record().await;
    assert_eq!(r["result"], "corrected", "the run finished: {r:#}");
    let status = l.wait_exit().await;
    assert_eq!(status.code(), Some(0), "log:\n{}", l.log_text());
    assert!(
        !has_privilege(
            &db,
            "SELECT has_table_privilege('general_app', 'general.notes', 'INSERT')"
        )
        .await
    );
    assert!(l.log_text().contains("SIGTERM"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_desired_state_mid_loop_keeps_the_last_good_one() {
    let (db, dir) = converged().await;
    let hook = Receiver::start().await;
    let mut l = Loop::start(
        &db,
        dir.path(),
        &["--mode", "enforce", "--webhook", &hook.url],
    );
    let base = l.base_url().await;
    assert_eq!(l.next_record().await["result"], "in_sync");

    // A push with a new role in one file and a syntax error in another: nothing of it
    // may be applied.
    // (Broken file first: a run between the two writes must not see only the good one.)
    std::fs::write(dir.path().join("broken.toml"), "[roles.x\nlogin = true\n").unwrap();
    std::fs::write(dir.path().join("newcomer.toml"), "[roles.newcomer]\n").unwrap();
    let r = l
        .wait_for("an invalid desired state", |r| {
            r["desired_state_valid"] == false
        })
        .await;
    assert_eq!(
        r["result"], "in_sync",
        "the last good state is in force: {r:#}"
    );
    assert!(
        r["desired_state_error"]
            .as_str()
            .unwrap()
            .contains("broken.toml"),
        "{r:#}"
    );
    assert_eq!(r["events"], serde_json::json!(["desired_state_invalid"]));
    let (status, body) = get(&format!("{base}/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        metric(&scrape(&base).await, "pgrecon_desired_state_valid"),
        0.0
    );

    // Drift while the desired state is broken: the last good state is still enforced.
    db.exec("GRANT INSERT ON general.notes TO general_app")
        .await;
    let r = l
        .wait_for("drift corrected", |r| r["result"] == "corrected")
        .await;
    assert_eq!(r["desired_state_valid"], false);
    assert!(
        !has_privilege(
            &db,
            "SELECT has_table_privilege('general_app', 'general.notes', 'INSERT')"
        )
        .await
    );
    assert!(
        !has_privilege(
            &db,
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newcomer')"
        )
        .await,
        "half of the broken push was applied"
    );

    // Fixed: the new state loads and is applied.
    std::fs::remove_file(dir.path().join("broken.toml")).unwrap();
    let r = l
        .wait_for("a valid desired state", |r| {
            r["desired_state_valid"] == true
        })
        .await;
    assert_eq!(r["result"], "corrected", "{r:#}");
    assert!(
        has_privilege(
            &db,
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newcomer')"
        )
        .await
    );
    assert_eq!(
        metric(&scrape(&base).await, "pgrecon_desired_state_valid"),
        1.0
    );
    hook.settle(6).await;
    let kinds = hook.kinds();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "desired_state_invalid")
            .count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds,
        [
            "desired_state_invalid",
            "drift_detected",
            "drift_corrected",
            "desired_state_valid",
            "drift_detected",
            "drift_corrected",
        ]
    );
    l.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_the_loop_is_survived() {
    // Its own cluster, whatever PGRECON_TEST_DATABASE_URL says: it is restarted.
    let (mut db, dir) = converged_on(TestDb::embedded().await).await;
    let hook = Receiver::start().await;
    let mut l = Loop::start(&db, dir.path(), &["--webhook", &hook.url]);
    let base = l.base_url().await;
    assert_eq!(l.next_record().await["result"], "in_sync");

    let cluster = db.cluster.as_mut().expect("an embedded cluster");
    cluster.stop();
    let r = l.wait_for("a failed run", |r| r["result"] == "error").await;
    assert_eq!(r["events"], serde_json::json!(["run_failed"]), "{r:#}");
    assert_eq!(r["exit_code"], 1);
    // Further failed runs (backing off, capped at the interval) alert no more.
    for _ in 0..2 {
        let r = l.next_record().await;
        assert_eq!(r["result"], "error");
        assert_eq!(r["events"], serde_json::json!([]));
    }
    let m = scrape(&base).await;
    assert_eq!(metric(&m, "pgrecon_up"), 0.0);
    assert!(metric(&m, "pgrecon_consecutive_failures") >= 3.0);
    assert!(metric(&m, "pgrecon_reconcile_total{result=\"error\"}") >= 3.0);
    assert_eq!(get(&format!("{base}/readyz")).await.0, 503);

    let cluster = db.cluster.as_mut().expect("an embedded cluster");
    tokio::task::block_in_place(|| cluster.start_again()).expect("the cluster starts again");
    let r = l.wait_for("a good run", |r| r["result"] != "error").await;
    assert_eq!(r["result"], "in_sync", "{r:#}");
    assert_eq!(r["events"], serde_json::json!(["recovered"]));
    assert_eq!(hook.settle(2).await, ["run_failed", "recovered"]);
    assert!(hook.events()[1]["consecutive_failures"].as_u64().unwrap() >= 3);
    let m = scrape(&base).await;
    assert_eq!(metric(&m, "pgrecon_up"), 1.0);
    assert_eq!(metric(&m, "pgrecon_consecutive_failures"), 0.0);
    l.stop().await;
}

fn once(db: &TestDb, dir: &Path, extra: &[&str]) -> (Option<i32>, Value, Output) {
    let url = db.url();
    let mut args = vec![
        "reconcile",
        "--once",
        "--dir",
        dir.to_str().unwrap(),
        "--database-url",
        &url,
    ];
    args.extend_from_slice(extra);
    let out = command(&args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one record; stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = serde_json::from_str(lines[0]).unwrap();
    (out.status.code(), record, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_exits_with_the_drift_and_apply_codes() {
    let (db, dir) = converged().await;
    let (code, r, _) = once(&db, dir.path(), &[]);
    assert_eq!((code, &r["result"]), (Some(0), &Value::from("in_sync")));

    db.exec(
        "GRANT INSERT ON general.notes TO general_app; \
         CREATE TABLE general.out_of_band (id int);",
    )
    .await;
    let before = fingerprint::fingerprint(&db.client().await).await;
    let (code, r, _) = once(&db, dir.path(), &["--mode", "warn"]);
    assert_eq!((code, &r["result"]), (Some(2), &Value::from("drift")));
    // Separate runs alert once per transition with a state file; each leaves a report.
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state.json");
    let reports = work.path().join("reports");
    let args = [
        "--state-file",
        state.to_str().unwrap(),
        "--report-dir",
        reports.to_str().unwrap(),
    ];
    let (_, first, _) = once(&db, dir.path(), &args);
    assert_eq!(first["events"], serde_json::json!(["drift_detected"]));
    let (code, second, _) = once(&db, dir.path(), &args);
    assert_eq!(code, Some(2));
    assert_eq!(second["events"], serde_json::json!([]), "{second:#}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(second["report_file"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(report["kind"], "pgrecon-run");
    assert_eq!(report["command"], "reconcile");
    assert_eq!(report["result"]["status"], "changes");
    assert_eq!(report["plan_id"], second["plan_id"]);
    assert_eq!(std::fs::read_dir(&reports).unwrap().count(), 2);
    let (code, r, _) = once(&db, dir.path(), &["--mode", "dry-run"]);
    assert_eq!((code, &r["result"]), (Some(2), &Value::from("drift")));
    assert_eq!(
        r["events"],
        serde_json::json!(["drift_detected"]),
        "logged only"
    );
    assert_eq!(fingerprint::fingerprint(&db.client().await).await, before);

    // Enforce repairs the grant; the out-of-band table stays (dropping it is
    // destructive): held back, still drift.
    let (code, r, _) = once(&db, dir.path(), &["--mode", "enforce", "--prune"]);
    assert_eq!(code, Some(2), "{r:#}");
    assert_eq!(r["result"], "drift");
    assert_eq!(r["steps_applied"], 2, "{r:#}");
    assert_eq!(
        r["held_back"],
        serde_json::json!(["drop table general.out_of_band"]),
        "{r:#}"
    );
    assert!(
        !has_privilege(
            &db,
            "SELECT has_table_privilege('general_app', 'general.notes', 'INSERT')"
        )
        .await
    );
    assert!(has_privilege(&db, "SELECT to_regclass('general.out_of_band') IS NOT NULL").await);
    let (code, r, _) = once(
        &db,
        dir.path(),
        &["--mode", "enforce", "--prune", "--allow-destructive"],
    );
    assert_eq!(
        (code, &r["result"]),
        (Some(0), &Value::from("corrected")),
        "{r:#}"
    );
    assert!(has_privilege(&db, "SELECT to_regclass('general.out_of_band') IS NULL").await);
    let (code, r, _) = once(&db, dir.path(), &["--mode", "enforce", "--prune"]);
    assert_eq!((code, &r["result"]), (Some(0), &Value::from("in_sync")));

    // A column the desired state no longer declares is kept; the rest is applied.
    std::fs::write(
        dir.path().join("desired.toml"),
        DESIRED
            .replace("columns.body = { type = \"text\" }\n", "")
            .replace("[roles.readers]", "[roles.readers]\n[roles.auditors]"),
    )
    .unwrap();
    let (code, r, _) = once(&db, dir.path(), &["--mode", "enforce"]);
    assert_eq!(code, Some(2), "{r:#}");
    let held: Vec<&str> = r["held_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(held.len(), 1, "{r:#}");
    assert!(held[0].contains("body"), "{held:?}");
    assert!(
        has_privilege(
            &db,
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditors')"
        )
        .await
    );
    assert!(
        has_privilege(
            &db,
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'general.notes'::regclass AND attname = 'body' AND NOT attisdropped)"
        )
        .await
    );

    // No good desired state at all: an error.
    std::fs::write(dir.path().join("broken.toml"), "[roles.x\n").unwrap();
    let (code, r, _) = once(&db, dir.path(), &[]);
    assert_eq!(
        (code, &r["result"]),
        (Some(1), &Value::from("error")),
        "{r:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_payloads_and_usage_errors() {
    let (db, dir) = converged().await;
    db.exec("GRANT INSERT ON general.notes TO general_app")
        .await;
    let hook = Receiver::start().await;
    let (code, _, _) = once(
        &db,
        dir.path(),
        &["--webhook", &hook.url, "--webhook-format", "slack"],
    );
    assert_eq!(code, Some(2));
    let events = hook.events();
    assert_eq!(events.len(), 1, "{events:#?}");
    let text = events[0]["text"].as_str().unwrap();
    assert!(text.contains("drift detected on database"), "{text}");
    assert!(
        text.contains("revoke INSERT on table general.notes"),
        "{text}"
    );
    assert_eq!(events[0].as_object().unwrap().len(), 1);

    // The interval has a minimum (lowered only by the test variable).
    let out = Command::new(env!("CARGO_BIN_EXE_pgrecon"))
        .args([
            "reconcile",
            "--interval",
            "5s",
            "--dir",
            dir.path().to_str().unwrap(),
        ])
        .env_remove("PGRECON_MIN_INTERVAL_MS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below the minimum of 10s"));
    let out = command(&["reconcile", "--webhook", "ftp://example.invalid/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an http(s) URL"));
}
