//! Faults after the commit: the plan's transaction has committed and the steps that
//! cannot run in one (`CREATE INDEX CONCURRENTLY`) run, or are about to. A fault before,
//! during or after such a step must leave the committed state (everything but the
//! concurrent indexes not built yet, every seeded row), at worst with an INVALID index
//! from an interrupted build; the next plain apply repairs it (drops the invalid index
//! and builds it again) and the re-plan is empty. Each trial runs on a fresh cluster,
//! as the plan's transaction commits.
//!
//! And the re-plan after an apply runs under the apply's advisory lock: another apply
//! cannot commit between the two.

use super::*;

/// Where, around a step that runs after the commit, the fault comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Paused after the commit, before the step.
    Before,
    /// While the concurrent build waits for a writer the test holds open.
    During,
    /// Paused after the step succeeded.
    After,
}

const APP: &str = "pgrecon-fault-test";

/// The state without the concurrently built indexes, and those (`name valid` or `name invalid`).
async fn committed_state(client: &tokio_postgres::Client) -> (String, Vec<String>) {
    let all = state(client).await;
    let rest: Vec<&str> = all.lines().filter(|l| !l.contains("_cidx")).collect();
    let rows = client
        .query(
            "SELECT format('%s.%s %s', n.nspname, c.relname,
                            CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relname LIKE '%\\_cidx' ORDER BY 1",
            &[],
        )
        .await
        .expect("the concurrent indexes");
    (rest.join("\n"), rows.iter().map(|r| r.get(0)).collect())
}

/// pgrecon's session (found by its application name).
async fn pgrecon_backend(observer: &tokio_postgres::Client) -> i32 {
    observer
        .query_one(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            &[&APP],
        )
        .await
        .expect("one pgrecon session")
        .get(0)
}

/// Waits until pgrecon's session waits on a lock (the concurrent build waiting for the
/// writer). A bound, not a timed assertion.
async fn wait_blocked(observer: &tokio_postgres::Client, pid: i32) {
    for _ in 0..2400 {
        let waiting: Option<String> = observer
            .query_one(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        if waiting.as_deref() == Some("Lock") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the concurrent build never waited for the writer");
}

async fn wait_marker(
    stderr: &mut BufReader<tokio::process::ChildStderr>,
    marker: &str,
    seen: &mut String,
) {
    loop {
        let mut line = String::new();
        let n = stderr.read_line(&mut line).await.unwrap();
        assert!(n > 0, "ended without pausing at `{marker}`:\n{seen}");
        seen.push_str(&line);
        if line.trim_end() == marker {
            return;
        }
    }
}

/// One trial on a fresh cluster: the fault at `at` of the post-commit step `step`, then
/// the checks and the repair.
async fn trial(step: usize, index: &str, at: At, fault: Fault) {
    let what = format!("{fault:?} {at:?} step {step} ({index})");
    let db = TestDb::new().await;
    db.exec(&start_sql()).await;
    let config = db.config();
    let user = config.get_user().expect("a user").to_string();
    let proxy = Proxy::start(&config);
    let observer = db.client().await;
    let dir = tempfile::tempdir().unwrap();
    write_desired(dir.path());
    let dir_s = dir.path().to_str().unwrap();
    let before = committed_state(&observer).await;

    let url = proxy.url(&user);
    let mut args = apply_args(dir_s, &url);
    if fault == Fault::Timeout && at == At::During {
        args.extend(["--slow-statement-timeout", "1s"]);
    }
    let mut cmd = pgrecon(&args);
    let pause = match at {
        At::After => format!("pause-after-step:{step}"),
        At::Before | At::During => format!("pause-before-step:{step}"),
    };
    cmd.env("PGRECON_TEST_FAULT", &pause)
        .env("PGAPPNAME", APP)
        .stdin(Stdio::piped());
    if fault == Fault::Timeout && at != At::During {
        cmd.env(
            "PGOPTIONS",
            format!("-c idle_session_timeout={IDLE_TIMEOUT_MS}"),
        );
    }
    let mut child = cmd.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = String::new();
    let marker = match at {
        At::After => format!("pgrecon-test: paused after step {step}"),
        At::Before | At::During => format!("pgrecon-test: paused before step {step}"),
    };
    wait_marker(&mut stderr, &marker, &mut seen).await;
    let pid = pgrecon_backend(&observer).await;
    // The writer the concurrent build waits for (`During` only).
    let mut writer = db.client().await;
    let mut hold = None;
    if at == At::During {
        let txn = writer.transaction().await.unwrap();
        let schema = index.split('.').next().unwrap();
        txn.batch_execute(&format!("LOCK TABLE {schema}.seed IN ROW EXCLUSIVE MODE"))
            .await
            .unwrap();
        hold = Some(txn);
        stdin.write_all(b"\n").await.unwrap();
        wait_blocked(&observer, pid).await;
    }
    let mut killed = false;
    match fault {
        Fault::Terminate => {
            observer
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .unwrap();
        }
        Fault::Cut => proxy.cut_all(),
        // The idle session timeout, or the build's statement timeout (`During`).
        Fault::Timeout => {}
        Fault::Kill => {
            child.start_kill().unwrap();
            killed = true;
        }
    }
    if at == At::During && fault == Fault::Timeout {
        // The build times out, then its cleanup (it waits for the writer too).
        child.wait().await.unwrap();
    }
    if at != At::During && fault == Fault::Timeout {
        wait_gone(&observer, pid).await;
    }
    if let Some(txn) = hold {
        txn.rollback().await.unwrap();
    }
    // A killed client or a cut connection does not stop a build that waits: it ends
    // once the writer is gone, whatever its outcome.
    wait_gone(&observer, pid).await;
    let _ = stdin.write_all(b"\n").await;
    drop(stdin);
    child.stderr = Some(stderr.into_inner());
    let ran = finish(child, seen).await;
    if killed {
        assert_eq!(ran.code, None, "{what}: killed by a signal");
    }
    assert!(
        !ran.stderr.contains("nothing was changed"),
        "{what}: the transaction committed\n{}",
        ran.stderr
    );

    // The committed state, every row there; the index absent, invalid or built.
    let (now, indexes) = committed_state(&observer).await;
    assert_ne!(now, before.0, "{what}: the transaction did not commit");
    let mine: Vec<&String> = indexes.iter().filter(|i| i.starts_with(index)).collect();
    match (at, fault) {
        (At::Before, _) => assert!(mine.is_empty(), "{what}: {indexes:?}"),
        (At::After, _) => assert_eq!(mine, [&format!("{index} valid")], "{what}"),
        (At::During, Fault::Terminate | Fault::Timeout) => {
            assert_eq!(
                mine,
                [&format!("{index} invalid")],
                "{what}: an interrupted build leaves an invalid index\n{}",
                ran.stderr
            )
        }
        (At::During, _) => assert!(mine.len() <= 1, "{what}: {indexes:?}"),
    }

    // The next plain apply repairs it; the re-plan is empty; nothing else changed.
    let repair = apply_plain(dir_s, &db.url()).await;
    assert_eq!(
        repair.code,
        Some(0),
        "{what}: the repair\n{}\n{}",
        repair.stdout,
        repair.stderr
    );
    if mine.iter().any(|i| i.ends_with(" invalid")) {
        assert!(
            repair.stdout.contains("drop index seed_v_cidx"),
            "{what}: the invalid index is dropped\n{}",
            repair.stdout
        );
    }
    assert_eq!(plan_steps(dir_s, &db.url()).await, vec![], "{what}");
    let (after, indexes) = committed_state(&observer).await;
    assert_eq!(
        after, now,
        "{what}: the repair changed more than the indexes"
    );
    assert_eq!(indexes.len(), CONCURRENT_INDEXES, "{what}: {indexes:?}");
    assert!(indexes.iter().all(|i| i.ends_with(" valid")), "{indexes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_after_the_commit_leaves_the_committed_state_and_the_next_apply_repairs_it() {
    // The plan's post-commit steps, from a cluster of its own.
    let steps = {
        let db = TestDb::new().await;
        db.exec(&start_sql()).await;
        let dir = tempfile::tempdir().unwrap();
        write_desired(dir.path());
        plan_steps(dir.path().to_str().unwrap(), &db.url()).await
    };
    let outside: Vec<(usize, String)> = steps
        .into_iter()
        .filter(|s| !s.1)
        .map(|(n, _, summary)| {
            // "create index seed_v_cidx on s0.seed concurrently"
            let table = summary.split(" on ").nth(1).unwrap();
            let schema = table.split('.').next().unwrap();
            (n, format!("{schema}.seed_v_cidx"))
        })
        .collect();
    assert_eq!(outside.len(), CONCURRENT_INDEXES, "{outside:?}");
    // CI: each place around each step, the kinds taking turns (the two that interrupt
    // a waiting build at `During`); the long mode (`PGRECON_FAULTS` set): every kind at
    // every place of every step.
    let long = std::env::var("PGRECON_FAULTS").is_ok_and(|v| v != "0");
    let mut trials = Vec::new();
    for (j, (step, index)) in outside.iter().enumerate() {
        for (k, at) in [At::Before, At::During, At::After].into_iter().enumerate() {
            let kinds: Vec<Fault> = match (long, at) {
                (true, _) => FAULTS.to_vec(),
                (false, At::During) => vec![[Fault::Terminate, Fault::Timeout][j % 2]],
                (false, _) => vec![FAULTS[(2 * j + k) % 4]],
            };
            for fault in kinds {
                trials.push((*step, index.clone(), at, fault));
            }
        }
    }
    for (step, index, at, fault) in &trials {
        trial(*step, index, *at, *fault).await;
    }
    eprintln!(
        "faults after the commit: {}, partial states: 0, rows lost: 0",
        trials.len()
    );
}

/// Another apply of a different desired state waits for the first one's re-plan: the
/// advisory lock is held until that re-plan is done, so the first one reports its own
/// empty re-plan (exit 0) and the second one then applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replan_after_an_apply_runs_under_its_lock() {
    let db = TestDb::new().await;
    let observer = db.client().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(
        a.path().join("all.toml"),
        "[roles.race_marker]\ncomment = \"a\"\n",
    )
    .unwrap();
    std::fs::write(
        b.path().join("all.toml"),
        "[roles.race_marker]\ncomment = \"b\"\n",
    )
    .unwrap();
    let url = db.url();
    let mut first = pgrecon(&apply_args(a.path().to_str().unwrap(), &url));
    first
        .env("PGRECON_TEST_FAULT", "pause-before-replan")
        .stdin(Stdio::piped());
    let mut first = first.spawn().unwrap();
    let mut stderr = BufReader::new(first.stderr.take().unwrap());
    let mut seen = String::new();
    wait_marker(
        &mut stderr,
        "pgrecon-test: paused before the re-plan",
        &mut seen,
    )
    .await;

    let mut second = pgrecon(&apply_args(b.path().to_str().unwrap(), &url))
        .spawn()
        .unwrap();
    // The second one either waits on the advisory lock or (before the fix) is done. A
    // bound, not a timed assertion.
    for _ in 0..2400 {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting > 0 || second.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(b"\n").await.unwrap();
    drop(stdin);
    first.stderr = Some(stderr.into_inner());
    let ran = finish(first, seen).await;
    assert!(
        ran.stdout.contains(pgrecon::render::NO_CHANGES),
        "the first apply's re-plan is its own\n{}",
        ran.stdout
    );
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    let ran = finish(second, String::new()).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    let comment: Option<String> = observer
        .query_one(
            "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles \
             WHERE rolname = 'race_marker'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(comment.as_deref(), Some("b"), "the second apply came after");
}
