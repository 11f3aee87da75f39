//! Apply under adverse conditions, on a real PostgreSQL: the backend killed in the
//! middle, a step failing on a lock, concurrent applies, a held advisory lock. Each time
//! the database must be exactly as before (proved by a catalog fingerprint computed
//! with plain SQL) or, for concurrent applies, converge exactly once.

mod common;
mod fingerprint;

use common::TestDb;
use fingerprint::fingerprint;
use pgrecon::apply::{self, ADVISORY_LOCK_KEY, ApplyError, ApplyOptions, ApplyOutcome, NoHooks};
use pgrecon::config;
use pgrecon::model::Catalog;
use std::path::PathBuf;
use std::time::Duration;

const DESIRED: &str = r#"
[roles.owner]
[roles.reader]
[roles.app]
login = true
search_path = ["general", "public"]

[schemas.general]
owner = "owner"
grants = { app = ["USAGE"] }
table_grants = { app = ["SELECT", "INSERT"] }
"#;

const START: &str = "CREATE ROLE owner; CREATE ROLE app; CREATE SCHEMA general AUTHORIZATION owner; \
                     CREATE TABLE general.notes (id int); ALTER TABLE general.notes OWNER TO owner;";

/// Starts a transaction in another session that updates role `app` and keeps it open:
/// apply's own `ALTER ROLE app` then waits on that row, after its first step (create
/// role reader) already ran.
async fn hold_role_app(holder: &mut tokio_postgres::Client) -> tokio_postgres::Transaction<'_> {
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("ALTER ROLE app CONNECTION LIMIT 3")
        .await
        .unwrap();
    hold
}

fn desired() -> Catalog {
    common::load_toml(DESIRED).catalog
}

/// Waits until a pgrecon session is blocked on a lock, and returns its pid.
async fn blocked_pgrecon_backend(observer: &tokio_postgres::Client) -> i32 {
    for _ in 0..200 {
        let rows = observer
            .query(
                "SELECT pid FROM pg_stat_activity \
                 WHERE application_name = 'pgrecon' AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap();
        if let Some(row) = rows.first() {
            return row.get(0);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("apply never blocked on the held lock");
}

#[tokio::test]
async fn killing_the_backend_mid_apply_leaves_nothing_behind() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let desired = desired();

    let mut holder = db.client().await;
    let hold = hold_role_app(&mut holder).await;
    let observer = db.client().await;
    let before = fingerprint(&observer).await;

    let mut client = db.client().await;
    let options = ApplyOptions {
        lock_timeout: Duration::from_secs(60),
        ..ApplyOptions::default()
    };
    let applying =
        tokio::spawn(
            async move { apply::apply(&mut client, &desired, &options, &mut NoHooks).await },
        );
    let pid = blocked_pgrecon_backend(&observer).await;
    observer
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let result = applying.await.unwrap();
    assert!(result.is_err(), "apply survived its backend being killed");
    hold.rollback().await.unwrap();
    assert_eq!(
        fingerprint(&observer).await,
        before,
        "a killed apply left changes behind"
    );

    // And the same desired state then applies cleanly.
    let mut client = db.client().await;
    let outcome = apply::apply(
        &mut client,
        &self::desired(),
        &ApplyOptions::default(),
        &mut NoHooks,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
}

#[tokio::test]
async fn a_step_failing_on_lock_timeout_rolls_everything_back() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let mut holder = db.client().await;
    let hold = hold_role_app(&mut holder).await;
    let observer = db.client().await;
    let before = fingerprint(&observer).await;

    let mut client = db.client().await;
    let options = ApplyOptions {
        lock_timeout: Duration::from_millis(200),
        ..ApplyOptions::default()
    };
    let err = apply::apply(&mut client, &desired(), &options, &mut NoHooks)
        .await
        .expect_err("the role update cannot get its lock");
    match &err {
        ApplyError::Step { message, .. } => {
            assert!(message.contains("lock timeout"), "{message}")
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(err.to_string().contains("nothing was changed"));
    hold.rollback().await.unwrap();
    assert_eq!(fingerprint(&observer).await, before);
}

#[tokio::test]
async fn concurrent_applies_are_serialised_and_converge_once() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let observer = db.client().await;
    // Hold the advisory lock so both applies queue behind it, then let them go together.
    observer
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .unwrap();
    let mut handles = Vec::new();
    for _ in 0..2 {
        let mut client = db.client().await;
        handles.push(tokio::spawn(async move {
            apply::apply(
                &mut client,
                &desired(),
                &ApplyOptions::default(),
                &mut NoHooks,
            )
            .await
        }));
    }
    // Both are waiting on the advisory lock (nothing has run yet).
    for _ in 0..200 {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE application_name = 'pgrecon' AND wait_event = 'advisory'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    observer
        .execute("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .unwrap();
    let mut applied = 0;
    let mut no_changes = 0;
    for h in handles {
        match h.await.unwrap().expect("both applies succeed") {
            ApplyOutcome::Applied { .. } => applied += 1,
            ApplyOutcome::NoChanges(_) => no_changes += 1,
        }
    }
    assert_eq!((applied, no_changes), (1, 1));
}

#[tokio::test]
async fn a_held_advisory_lock_makes_apply_give_up_without_changes() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let observer = db.client().await;
    observer
        .execute("SELECT pg_advisory_lock($1)", &[&ADVISORY_LOCK_KEY])
        .await
        .unwrap();
    let before = fingerprint(&observer).await;
    let mut client = db.client().await;
    let options = ApplyOptions {
        lock_wait: Duration::from_millis(200),
        ..ApplyOptions::default()
    };
    let err = apply::apply(&mut client, &desired(), &options, &mut NoHooks)
        .await
        .expect_err("the lock is held");
    assert!(matches!(err, ApplyError::Locked(_)), "{err}");
    assert_eq!(fingerprint(&observer).await, before);
}

/// `n` tables with what makes DDL take locks: an identity key, a TOAST-able column, a
/// unique key, an index and a foreign key.
fn many_tables(n: usize) -> String {
    let mut toml = String::from("[roles.owner]\n[schemas.app]\nowner = \"owner\"\n");
    for i in 0..n {
        toml.push_str(&format!(
            "[tables.\"app.t{i}\"]\nowner = \"owner\"\nprimary_key = [\"id\"]\n\
             columns.id = {{ type = \"bigint\", identity = \"always\" }}\n\
             columns.body = {{ type = \"text\" }}\ncolumns.ref = {{ type = \"bigint\" }}\n\
             unique.t{i}_body_key = {{ columns = [\"body\"] }}\n\
             indexes.t{i}_ref_idx = {{ columns = [\"ref\"] }}\n\
             foreign_keys.t{i}_ref_fkey = {{ columns = [\"ref\"], references = \"app.t0\" }}\n"
        ));
    }
    toml
}

/// The estimate of the locks a plan holds is never below what its transaction really
/// holds at the commit (counted in `pg_locks`), nor wildly above it.
#[tokio::test]
async fn the_lock_estimate_covers_what_the_transaction_holds() {
    let db = TestDb::new().await;
    let files = vec![(PathBuf::from("all.toml"), many_tables(60))];
    let loaded = config::load_files(&files).unwrap_or_else(|e| panic!("{}", config::render(&e)));
    let mut client = db.client().await;
    let live = pgrecon::introspect::snapshot(&mut client).await.unwrap();
    let desired =
        pgrecon::canon::in_scratch_transaction_with_live(&mut client, &loaded.catalog, &live)
            .await
            .unwrap();
    let d = pgrecon::diff::diff(&desired, &live, &Default::default()).unwrap();
    let plan = pgrecon::plan::build(&d).unwrap();
    let estimate = apply::locks::estimate(&plan);

    let txn = client.transaction().await.unwrap();
    for step in plan.steps.iter().filter(|s| s.transactional) {
        for sql in step.sql.iter().filter(|s| !s.starts_with("--")) {
            txn.batch_execute(sql).await.unwrap();
        }
    }
    pgrecon::introspect::read_catalog(&txn).await.unwrap();
    let held: i64 = txn
        .query_one(
            // One lock-table entry per object, whatever the number of modes held.
            "SELECT count(DISTINCT (locktype, database, relation, page, tuple, virtualxid,
                                    transactionid::text, classid, objid, objsubid))
             FROM pg_locks WHERE pid = pg_backend_pid() AND NOT fastpath",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    txn.rollback().await.unwrap();
    let held = usize::try_from(held).unwrap();
    assert!(estimate >= held, "estimate {estimate} < {held} held");
    assert!(
        estimate <= held * 2,
        "estimate {estimate} far above {held} held"
    );
}

/// A plan that needs more locks than the server's lock table holds is refused before
/// anything runs, with the setting to raise, instead of failing with "out of shared
/// memory" half-way.
#[tokio::test]
async fn a_plan_beyond_the_lock_table_is_refused_up_front() {
    let mut db = TestDb::embedded().await;
    db.exec("ALTER SYSTEM SET max_locks_per_transaction = 10")
        .await;
    db.cluster.as_mut().unwrap().restart().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.toml"), many_tables(150)).unwrap();
    let before = fingerprint(&db.client().await).await;
    let url = db.url();
    let args = [
        "apply",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
    ];
    let o = common::pgrecon_with(&args, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("refusing to apply: the plan holds about"),
        "{err}"
    );
    assert!(err.contains("max_locks_per_transaction 10"), "{err}");
    assert!(
        err.contains("help: raise max_locks_per_transaction to at least"),
        "{err}"
    );
    assert!(!err.contains("out of shared memory"), "{err}");
    assert_eq!(
        fingerprint(&db.client().await).await,
        before,
        "nothing changed"
    );

    // A plan that fits runs on the same server.
    std::fs::write(dir.path().join("all.toml"), many_tables(5)).unwrap();
    let o = common::pgrecon_with(&args, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
