//! Reviewed plans that run exactly as reviewed, on a real PostgreSQL: saved plans and the
//! stale-plan check (one test per kind of change in between), the wrong target, approvals,
//! additive-only, checks that roll back, lock-timeout retries, steps outside the
//! transaction, run reports and the audit table.

mod common;
mod fingerprint;

use common::TestDb;
use fingerprint::fingerprint;
use pgrecon::apply::{self, ApplyError, ApplyInput, ApplyOptions, ApplyOutcome, NoHooks};
use pgrecon::config;
use pgrecon::report::RunReport;
use pgrecon::saved::SavedPlan;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const START: &str = "
CREATE ROLE owner; CREATE ROLE app; CREATE ROLE reader;
CREATE SCHEMA general AUTHORIZATION owner;
CREATE TABLE general.notes (id bigint PRIMARY KEY, body text);
ALTER TABLE general.notes OWNER TO owner;
";

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

[tables."general.notes"]
owner = "owner"
primary_key = ["id"]
columns.id = { type = "bigint" }
columns.body = { type = "text" }
"#;

/// Runs pgrecon with a clean connection environment (no PG* variables, no DATABASE_URL).
fn pgrecon(args: &[&str]) -> Output {
    pgrecon_env(args, &[])
}

fn pgrecon_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    common::pgrecon_with(args, env)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A desired-state directory holding `toml`.
fn desired_dir(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.toml"), toml).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `pgrecon plan --out`: the plan file's path; asserts exit 2 (changes).
fn save_plan(db: &TestDb, dir: &Path, file: &Path, extra: &[&str]) -> Output {
    let url = db.url();
    let mut args = vec![
        "plan",
        "--dir",
        s(dir),
        "--database-url",
        &url,
        "--out",
        s(file),
    ];
    args.extend_from_slice(extra);
    let o = pgrecon(&args);
    assert_eq!(o.status.code(), Some(2), "plan: {}\n{}", out(&o), err(&o));
    o
}

fn apply_plan(db: &TestDb, dir: &Path, file: &Path, extra: &[&str]) -> Output {
    let url = db.url();
    let mut args = vec![
        "apply",
        "--dir",
        s(dir),
        "--database-url",
        &url,
        "--plan",
        s(file),
    ];
    args.extend_from_slice(extra);
    pgrecon(&args)
}

fn replan_is_empty(db: &TestDb, dir: &Path) -> bool {
    let url = db.url();
    let o = pgrecon(&["plan", "--dir", s(dir), "--database-url", &url]);
    o.status.code() == Some(0)
}

#[tokio::test]
async fn saved_plans_are_byte_identical_and_apply_exactly_once() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(DESIRED);
    let work = tempfile::tempdir().unwrap();
    let (a, b) = (work.path().join("a.json"), work.path().join("b.json"));
    let first = save_plan(&db, dir.path(), &a, &[]);
    save_plan(&db, dir.path(), &b, &[]);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap(), "same inputs, same bytes");

    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["format_version"], 3);
    assert_eq!(doc["kind"], "pgrecon-plan");
    let plan_id = doc["plan_id"].as_str().unwrap().to_string();
    assert_eq!(plan_id.len(), 64);
    assert!(out(&first).contains(&plan_id[..12]) || err(&first).contains(&plan_id));
    assert_eq!(doc["target"]["database"], db.dbname.as_str());
    assert!(
        !doc["target"]["system_identifier"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(doc["desired_state_hash"].as_str().unwrap().len(), 64);
    let objects = doc["live_fingerprint"]["objects"].as_object().unwrap();
    for key in [
        "role:app",
        "schema:general",
        "table:general.notes",
        "column:general.notes.body",
    ] {
        assert!(
            objects.contains_key(key),
            "{key} is fingerprinted: {objects:?}"
        );
    }
    let steps = doc["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["exec"]["type"].is_string()));
    assert!(
        !String::from_utf8_lossy(&bytes).contains("started_at"),
        "no timestamp in a plan"
    );

    // show renders the saved plan in every format.
    let text = pgrecon(&["show", s(&a)]);
    assert_eq!(text.status.code(), Some(0), "{}", err(&text));
    assert!(
        out(&text).contains(&format!("saved plan {plan_id}")),
        "{}",
        out(&text)
    );
    assert!(out(&text).contains("~ alter role app"), "{}", out(&text));
    let json = pgrecon(&["show", s(&a), "--format", "json"]);
    assert_eq!(
        json.stdout, bytes,
        "show --format json is the saved document"
    );
    let sql = pgrecon(&["show", s(&a), "--format", "sql"]);
    assert!(out(&sql).contains("BEGIN;"), "{}", out(&sql));

    // Applied exactly: the saved steps, then verified.
    let applied = apply_plan(&db, dir.path(), &a, &[]);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}\n{}",
        out(&applied),
        err(&applied)
    );
    assert!(
        out(&applied).contains(&format!("Saved plan {plan_id}")),
        "{}",
        out(&applied)
    );
    assert!(out(&applied).contains("No changes."), "{}", out(&applied));
    assert!(replan_is_empty(&db, dir.path()));

    // The same plan again is stale: the database is no longer what it was computed for.
    let before = fingerprint(&db.client().await).await;
    let again = apply_plan(&db, dir.path(), &a, &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        err(&again).contains("the live catalog changed since the plan"),
        "{}",
        err(&again)
    );
    assert!(
        err(&again).contains("role `app` changed"),
        "{}",
        err(&again)
    );
    assert_eq!(fingerprint(&db.client().await).await, before);
}

/// Plans, runs `change` on the database, and proves apply --plan refuses naming `expect`,
/// with nothing changed.
async fn refused_as_stale(change: &str, expect: &[&str]) {
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(DESIRED);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &[]);
    db.exec(change).await;
    let before = fingerprint(&db.client().await).await;
    let o = apply_plan(&db, dir.path(), &file, &[]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{}\n{e}", out(&o));
    assert!(
        e.contains("the live catalog changed since the plan: "),
        "{e}"
    );
    for name in expect {
        assert!(e.contains(name), "the message names {name}: {e}");
    }
    assert!(e.contains("re-run pgrecon plan"), "{e}");
    assert_eq!(
        fingerprint(&db.client().await).await,
        before,
        "a refused plan changed the database"
    );
}

#[tokio::test]
async fn stale_plan_refused_when_a_role_was_altered() {
    refused_as_stale(
        "ALTER ROLE reader CONNECTION LIMIT 3",
        &["role `reader` changed"],
    )
    .await;
}

#[tokio::test]
async fn stale_plan_refused_when_a_grant_was_added() {
    refused_as_stale(
        "GRANT SELECT ON general.notes TO reader",
        &["table `general.notes` changed"],
    )
    .await;
}

#[tokio::test]
async fn stale_plan_refused_when_a_table_was_created() {
    refused_as_stale(
        "CREATE TABLE general.extra (id int)",
        &["table `general.extra` appeared"],
    )
    .await;
}

#[tokio::test]
async fn stale_plan_refused_when_a_column_was_added() {
    refused_as_stale(
        "ALTER TABLE general.notes ADD COLUMN extra int",
        &["column `general.notes.extra` appeared"],
    )
    .await;
}

#[tokio::test]
async fn stale_plan_refused_when_the_desired_state_changed() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(DESIRED);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &[]);
    std::fs::write(
        dir.path().join("state.toml"),
        DESIRED.replace("[roles.reader]", "[roles.reader]\nconnection_limit = 5"),
    )
    .unwrap();
    let o = apply_plan(&db, dir.path(), &file, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("the desired state is not the one the plan was computed from"),
        "{}",
        err(&o)
    );
}

#[tokio::test]
async fn a_plan_for_another_database_is_refused() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let other = format!("{}_other", db.dbname);
    db.exec(&format!("CREATE DATABASE {other}")).await;
    let other_url = common::with_dbname(&db.url(), &other);
    let dir = desired_dir(DESIRED);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &[]);
    let before = fingerprint(&db.client().await).await;
    let o = pgrecon(&[
        "apply",
        "--dir",
        s(dir.path()),
        "--database-url",
        &other_url,
        "--plan",
        s(&file),
    ]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("the plan is for another target"), "{e}");
    assert!(
        e.contains(&format!(
            "database `{other}` (the plan is for `{}`)",
            db.dbname
        )),
        "{e}"
    );
    assert_eq!(fingerprint(&db.client().await).await, before);
    db.exec(&format!("DROP DATABASE {other}")).await;
    let before = fingerprint(&db.client().await).await;

    // Another cluster (another system identifier) with a database of the same name:
    // refused too. The test clusters are copies of one template and share their
    // identifier, so the plan is re-signed for another one.
    let mut saved = SavedPlan::read(&file).unwrap();
    saved.target.system_identifier = "7000000000000000001".into();
    saved.plan_id = saved.compute_id();
    saved.write(&file).unwrap();
    let o = apply_plan(&db, dir.path(), &file, &[]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("system identifier") && e.contains("(the plan is for 7000000000000000001)"),
        "{e}"
    );
    assert_eq!(fingerprint(&db.client().await).await, before);
}

#[tokio::test]
async fn a_plan_edited_after_it_was_written_is_refused() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(DESIRED);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &[]);
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen("\"GRANT USAGE", "\"GRANT CREATE, USAGE", 1);
    assert_ne!(text, edited);
    std::fs::write(&file, edited).unwrap();
    for o in [
        apply_plan(&db, dir.path(), &file, &[]),
        pgrecon(&["show", s(&file)]),
    ] {
        assert_eq!(o.status.code(), Some(1));
        assert!(
            err(&o).contains("was modified after pgrecon wrote it"),
            "{}",
            err(&o)
        );
    }
}

const PRUNE: &str = r#"
[scope]
owned_roles = ["butler_*_app"]

[roles.owner]

[schemas.general]
owner = "owner"
"#;

#[tokio::test]
async fn destructive_steps_need_approval_from_a_flag_or_a_matching_approvals_file() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE ROLE owner; CREATE SCHEMA general AUTHORIZATION owner; CREATE ROLE butler_old_app;",
    )
    .await;
    let dir = desired_dir(PRUNE);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    let planned = save_plan(&db, dir.path(), &file, &["--prune", "--format", "markdown"]);
    assert!(
        out(&planned).contains("Needs approval before apply"),
        "{}",
        out(&planned)
    );
    let before = fingerprint(&db.client().await).await;

    // Without approval: refused, naming the kind and how to approve it.
    let o = apply_plan(&db, dir.path(), &file, &[]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("unapproved hazards"), "{e}");
    assert!(e.contains("--allow-hazard drops_role"), "{e}");
    assert!(e.contains("--allow-destructive"), "{e}");
    // Approving another kind does not help.
    let o = apply_plan(&db, dir.path(), &file, &["--allow-hazard", "index_build"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(fingerprint(&db.client().await).await, before);

    // An approvals file for another plan is void, and says so.
    let approvals = work.path().join("plan.json.approvals.toml");
    std::fs::write(
        &approvals,
        "plan_id = \"0000\"\nreviewer = \"mallory\"\napproved = [\"drops_role\"]\n",
    )
    .unwrap();
    let o = apply_plan(&db, dir.path(), &file, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("it is void for this plan"), "{}", err(&o));
    assert_eq!(fingerprint(&db.client().await).await, before);

    // Approving a hazard the plan does not carry is refused and writes nothing.
    std::fs::remove_file(&approvals).unwrap();
    let wrong = pgrecon(&[
        "approve",
        s(&file),
        "--reviewer",
        "alice",
        "--hazard",
        "index_build",
    ]);
    assert_eq!(wrong.status.code(), Some(1), "{}", err(&wrong));
    assert!(
        err(&wrong).contains("no step of the plan carries the hazard index_build"),
        "{}",
        err(&wrong)
    );
    assert!(
        err(&wrong).contains("the plan carries drops_role"),
        "{}",
        err(&wrong)
    );
    assert!(!approvals.exists(), "nothing was written");

    // A reviewer's approval of this plan, next to it: honoured.
    let approve = pgrecon(&[
        "approve",
        s(&file),
        "--reviewer",
        "alice",
        "--hazard",
        "drops_role",
        "--comment",
        "the old app is gone",
    ]);
    assert_eq!(approve.status.code(), Some(0), "{}", err(&approve));
    let written = std::fs::read_to_string(&approvals).unwrap();
    assert!(written.contains("reviewer = \"alice\""), "{written}");
    let report_dir = work.path().join("reports");
    let o = apply_plan(&db, dir.path(), &file, &["--report-dir", s(&report_dir)]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", out(&o), err(&o));
    assert!(
        err(&o).contains("approvals of reviewer alice"),
        "{}",
        err(&o)
    );
    let report = only_report(&report_dir);
    assert_eq!(report["approvals"][0]["hazard"], "drops_role");
    assert_eq!(
        report["approvals"][0]["approved_by"],
        "approvals file (reviewer alice)"
    );
    let gone: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = 'butler_old_app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(gone, 0);
}

#[tokio::test]
async fn allow_hazard_approves_one_kind_and_require_approval_adds_one() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE ROLE owner; CREATE SCHEMA general AUTHORIZATION owner; CREATE ROLE butler_old_app;",
    )
    .await;
    let dir = desired_dir(PRUNE);
    let url = db.url();
    let apply = |extra: &[&str]| {
        let mut args = vec![
            "apply",
            "--dir",
            s(dir.path()),
            "--database-url",
            &url,
            "--prune",
        ];
        args.extend_from_slice(extra);
        pgrecon(&args)
    };
    let o = apply(&[
        "--allow-hazard",
        "drops_role",
        "--require-approval",
        "authorization_change",
    ]);
    // Dropping a role carries no authorization change: the extra rule does not bite.
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));

    // A grant to PUBLIC carries authorization_change: refused when it needs approval.
    let dir2 = desired_dir(
        "[roles.owner]\n[schemas.general]\nowner = \"owner\"\ngrants = { PUBLIC = [\"USAGE\"] }\n",
    );
    let args = |extra: &'static [&'static str]| {
        let mut a = vec![
            "apply".to_string(),
            "--dir".into(),
            s(dir2.path()).into(),
            "--database-url".into(),
            url.clone(),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let run = |a: Vec<String>| pgrecon(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args(&["--require-approval", "authorization_change"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("--allow-hazard authorization_change"),
        "{}",
        err(&o)
    );
    let o = run(args(&[
        "--require-approval",
        "authorization_change",
        "--allow-hazard",
        "authorization_change",
    ]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[tokio::test]
async fn additive_only_refuses_drops_and_revokes() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE ROLE owner; CREATE ROLE app; CREATE SCHEMA general AUTHORIZATION owner; \
         GRANT USAGE, CREATE ON SCHEMA general TO app;",
    )
    .await;
    // Declares USAGE only: CREATE is revoked.
    let dir = desired_dir(
        "[roles.owner]\n[roles.app]\n[schemas.general]\nowner = \"owner\"\ngrants = { app = [\"USAGE\"] }\n",
    );
    let url = db.url();
    let before = fingerprint(&db.client().await).await;
    let o = pgrecon(&[
        "apply",
        "--dir",
        s(dir.path()),
        "--database-url",
        &url,
        "--additive-only",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--additive-only"), "{}", err(&o));
    assert!(err(&o).contains("revoke CREATE"), "{}", err(&o));
    assert_eq!(fingerprint(&db.client().await).await, before);

    // A plan that only adds goes through.
    let dir = desired_dir(
        "[roles.owner]\n[roles.app]\n[roles.extra]\n[schemas.general]\nowner = \"owner\"\ngrants = { app = [\"USAGE\", \"CREATE\"] }\n",
    );
    let o = pgrecon(&[
        "apply",
        "--dir",
        s(dir.path()),
        "--database-url",
        &url,
        "--additive-only",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

fn with_checks(checks: &str) -> String {
    format!("{DESIRED}\n{checks}")
}

#[tokio::test]
async fn a_failing_check_before_the_steps_rolls_back_and_names_the_check() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("INSERT INTO general.notes VALUES (1, NULL)").await;
    let dir = desired_dir(&with_checks(
        r#"
[[check]]
name = "every note has a body"
query = "SELECT count(*) = 0 FROM general.notes WHERE body IS NULL"
expect = true
when = "before"
"#,
    ));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    let planned = save_plan(&db, dir.path(), &file, &[]);
    assert!(
        out(&planned).contains("every note has a body"),
        "{}",
        out(&planned)
    );
    let before = fingerprint(&db.client().await).await;
    let report_dir = work.path().join("reports");
    let o = apply_plan(&db, dir.path(), &file, &["--report-dir", s(&report_dir)]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains(
            "check `every note has a body` failed before the steps: returned false, expected true"
        ),
        "{e}"
    );
    assert!(e.contains("rolled back"), "{e}");
    assert_eq!(fingerprint(&db.client().await).await, before);
    let report = only_report(&report_dir);
    assert_eq!(report["result"]["status"], "refused");
    assert_eq!(report["checks"][0]["ok"], false);
}

#[tokio::test]
async fn a_failing_check_after_the_steps_rolls_everything_back() {
    let db = TestDb::new().await;
    db.exec(START).await;
    // After the steps `app` can log in; the check says no login role may exist.
    let dir = desired_dir(&with_checks(
        r#"
[[check]]
name = "notes readable"
query = "SELECT 1 FROM general.notes LIMIT 0"
rows = 0

[[check]]
name = "no login roles"
query = "SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname <> current_user"
rows = 0
"#,
    ));
    let before = fingerprint(&db.client().await).await;
    let url = db.url();
    let o = pgrecon(&["apply", "--dir", s(dir.path()), "--database-url", &url]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains(
            "check `no login roles` failed after the steps: returned 1 row, expected 0 rows"
        ),
        "{e}"
    );
    assert_eq!(
        fingerprint(&db.client().await).await,
        before,
        "a failing check left changes behind"
    );

    // Checks that hold let the apply through.
    let dir = desired_dir(&with_checks(
        r#"
[[check]]
name = "app can log in afterwards"
query = "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'app'"
expect = true
when = "after"
"#,
    ));
    let o = pgrecon(&["apply", "--dir", s(dir.path()), "--database-url", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

fn desired_catalog(toml: &str) -> config::Desired {
    common::load_toml(toml)
}

/// Holds the row lock of role `app` for `hold`, in another session.
async fn hold_role_app(db: &TestDb, hold: Duration) -> tokio::task::JoinHandle<()> {
    let mut holder = db.client().await;
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let handle = tokio::spawn(async move {
        let txn = holder.transaction().await.unwrap();
        txn.batch_execute("ALTER ROLE app CONNECTION LIMIT 3")
            .await
            .unwrap();
        locked_tx.send(()).unwrap();
        tokio::time::sleep(hold).await;
        txn.rollback().await.unwrap();
    });
    locked_rx.await.unwrap();
    handle
}

#[tokio::test]
async fn a_lock_timeout_is_retried_with_backoff_until_the_lock_is_free() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let desired = desired_catalog(DESIRED);
    let holder = hold_role_app(&db, Duration::from_millis(1000)).await;
    let options = ApplyOptions {
        lock_timeout: Duration::from_millis(200),
        retries: 3,
        retry_backoff: Duration::from_millis(300),
        ..ApplyOptions::default()
    };
    let mut client = db.client().await;
    let mut report = RunReport::start("apply");
    let outcome = apply::run(
        &mut client,
        &ApplyInput::new(&desired.catalog),
        &options,
        &mut NoHooks,
        &mut report,
    )
    .await
    .unwrap_or_else(|e| panic!("apply failed despite retries: {e}"));
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
    assert!(report.attempts >= 2, "it was retried: {report:?}");
    assert!(
        report.retried[0].contains("lock timeout"),
        "{:?}",
        report.retried
    );
    holder.await.unwrap();
}

#[tokio::test]
async fn without_retries_a_lock_timeout_fails_and_changes_nothing() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let desired = desired_catalog(DESIRED);
    let holder = hold_role_app(&db, Duration::from_millis(1000)).await;
    let options = ApplyOptions {
        lock_timeout: Duration::from_millis(200),
        retries: 0,
        ..ApplyOptions::default()
    };
    let mut client = db.client().await;
    let err = apply::apply(&mut client, &desired.catalog, &options, &mut NoHooks)
        .await
        .expect_err("the lock is held and nothing retries");
    assert!(err.is_lock_timeout(), "{err}");
    assert!(matches!(err, ApplyError::Step { .. }), "{err}");
    holder.await.unwrap();
    let observer = db.client().await;
    let login: bool = observer
        .query_one(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!login, "nothing was applied");
}

#[tokio::test]
async fn a_saved_plan_builds_a_concurrent_index_after_the_commit() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("INSERT INTO general.notes SELECT g, 'n' || g FROM generate_series(1, 50) g")
        .await;
    let dir = desired_dir(&DESIRED.replace(
        "columns.body = { type = \"text\" }",
        "columns.body = { type = \"text\" }\nindexes.notes_body_idx = { columns = [\"body\"], concurrently = true }",
    ));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &[]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let index = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["summary"].as_str().unwrap().contains("notes_body_idx"))
        .expect("the index step is saved");
    assert_eq!(index["transactional"], false);
    assert_eq!(index["exec"]["type"], "non_transactional");
    assert!(
        index["exec"]["cleanup"][0]
            .as_str()
            .unwrap()
            .starts_with("DROP INDEX CONCURRENTLY IF EXISTS")
    );
    let shown = pgrecon(&["show", s(&file)]);
    assert!(
        out(&shown).contains("after the transaction commits, each on its own"),
        "{}",
        out(&shown)
    );

    let report_dir = work.path().join("reports");
    let o = apply_plan(&db, dir.path(), &file, &["--report-dir", s(&report_dir)]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", out(&o), err(&o));
    let valid: bool = db
        .client()
        .await
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'general.notes_body_idx'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(valid);
    let report = only_report(&report_dir);
    let step = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["summary"].as_str().unwrap().contains("notes_body_idx"))
        .unwrap();
    assert_eq!(step["status"], "ran_after_commit");
    assert!(replan_is_empty(&db, dir.path()));
}

/// A concurrent build killed half-way (a crash, a killed backend) leaves an invalid
/// index. Apply must not claim it cleaned up when it could not, and the invalid index
/// is drift: plan and drift report it, apply rebuilds it.
#[tokio::test]
async fn an_interrupted_concurrent_build_is_reported_and_rebuilt() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("INSERT INTO general.notes SELECT g, 'n' || g FROM generate_series(1, 50) g")
        .await;
    let dir = desired_dir(&DESIRED.replace(
        "columns.body = { type = \"text\" }",
        "columns.body = { type = \"text\" }\nindexes.notes_body_idx = { columns = [\"body\"], concurrently = true }",
    ));
    let url = db.url();
    let args = ["--dir", s(dir.path()), "--database-url", &url];
    // An open writer makes the concurrent build wait after it registered the index.
    let blocker = db.client().await;
    blocker
        .batch_execute("BEGIN; INSERT INTO general.notes VALUES (1000, 'held')")
        .await
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_pgrecon"))
        .args([&["apply"][..], &args].concat())
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let watcher = db.client().await;
    let mut killed = false;
    for _ in 0..200 {
        // Only the client backend: a parallel worker of the build shows the same query.
        let n: i64 = match watcher
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND pid <> pg_backend_pid()
                   AND backend_type = 'client backend'
                   -- Once its catalog entry is committed (the build's first
                   -- transaction): killed earlier, the build leaves nothing behind.
                   AND to_regclass('general.notes_body_idx') IS NOT NULL",
                &[],
            )
            .await
        {
            Ok(row) => row.get(0),
            Err(e) => panic!("watching the build: {e:?}"),
        };
        if n > 0 {
            killed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(killed, "the concurrent build never started");
    let o = child.wait_with_output().unwrap();
    blocker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(o.status.code(), Some(1), "{}\n{}", out(&o), err(&o));
    assert!(err(&o).contains("could not be dropped"), "{}", err(&o));
    assert!(!err(&o).contains("was dropped"), "{}", err(&o));
    let valid = |c: tokio_postgres::Client| async move {
        c.query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'general.notes_body_idx'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get::<_, bool>(0)
    };
    assert!(
        !valid(db.client().await).await,
        "the build left an invalid index"
    );

    let plan = pgrecon(&[&["plan"][..], &args].concat());
    assert_eq!(
        plan.status.code(),
        Some(2),
        "{}\n{}",
        out(&plan),
        err(&plan)
    );
    assert!(
        out(&plan).contains("- drop index notes_body_idx"),
        "{}",
        out(&plan)
    );
    assert!(
        out(&plan).contains("invalid (a concurrent build"),
        "{}",
        out(&plan)
    );
    let drift = pgrecon(&[&["drift", "--format", "json"][..], &args].concat());
    assert_eq!(drift.status.code(), Some(2), "{}", out(&drift));

    let fixed = pgrecon(&[&["apply"][..], &args].concat());
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}\n{}",
        out(&fixed),
        err(&fixed)
    );
    assert!(valid(db.client().await).await, "rebuilt valid");
    assert!(replan_is_empty(&db, dir.path()));
}

/// A foreign key left `NOT VALID` (never validated) is drift: validated in place.
#[tokio::test]
async fn a_constraint_left_not_valid_is_validated() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec(
        "CREATE TABLE general.tags (note_id bigint);
         ALTER TABLE general.tags OWNER TO owner;
         ALTER TABLE general.tags ADD CONSTRAINT tags_note_fkey FOREIGN KEY (note_id)
           REFERENCES general.notes NOT VALID;
         ALTER TABLE general.tags ADD CONSTRAINT tags_note_check CHECK (note_id > 0) NOT VALID",
    )
    .await;
    let dir = desired_dir(&format!(
        "{DESIRED}\n[tables.\"general.tags\"]\nowner = \"owner\"\ncolumns.note_id = {{ type = \"bigint\" }}\n\
         foreign_keys.tags_note_fkey = {{ columns = [\"note_id\"], references = \"general.notes\" }}\n\
         checks.tags_note_check = \"note_id > 0\"\n"
    ));
    let url = db.url();
    let args = ["--dir", s(dir.path()), "--database-url", &url];
    let plan = pgrecon(&[&["plan"][..], &args].concat());
    assert_eq!(
        plan.status.code(),
        Some(2),
        "{}\n{}",
        out(&plan),
        err(&plan)
    );
    assert!(out(&plan).contains("validate"), "{}", out(&plan));
    assert!(!out(&plan).contains("drop"), "{}", out(&plan));
    let applied = pgrecon(&[&["apply"][..], &args].concat());
    assert_eq!(applied.status.code(), Some(0), "{}", err(&applied));
    let invalid: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'general.tags'::regclass
             AND NOT convalidated",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(invalid, 0);
    assert!(replan_is_empty(&db, dir.path()));
}

/// The one report file in `dir`.
fn only_report(dir: &Path) -> serde_json::Value {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

#[tokio::test]
async fn run_reports_record_who_where_what_and_the_validation_matrix() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("CREATE SCHEMA pgrecon_audit; CREATE TABLE pgrecon_audit.runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now(), record jsonb NOT NULL);")
        .await;
    let dir = desired_dir(&with_checks(
        "[[check]]\nname = \"notes exist\"\nquery = \"SELECT to_regclass('general.notes') IS NOT NULL\"\nexpect = true\n",
    ));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    let plans = work.path().join("plan-reports");
    save_plan(&db, dir.path(), &file, &["--report-dir", s(&plans)]);
    let plan_id =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&file).unwrap())
            .unwrap()["plan_id"]
            .as_str()
            .unwrap()
            .to_string();
    let planned = only_report(&plans);
    assert_eq!(planned["command"], "plan");
    assert_eq!(planned["result"]["status"], "changes");
    assert_eq!(planned["plan_id"], plan_id.as_str());
    assert_eq!(planned["steps"][0]["status"], "planned");

    let reports = work.path().join("reports");
    let o = apply_plan(
        &db,
        dir.path(),
        &file,
        &[
            "--report-dir",
            s(&reports),
            "--audit-table",
            "pgrecon_audit.runs",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", out(&o), err(&o));
    let r = only_report(&reports);
    assert_eq!(r["kind"], "pgrecon-run");
    assert_eq!(r["command"], "apply");
    assert_eq!(r["result"]["status"], "ok");
    assert_eq!(r["plan_id"], plan_id.as_str());
    assert_eq!(r["who"]["current_user"], "postgres");
    assert_eq!(r["target"]["database"], db.dbname.as_str());
    assert!(r["started_at"].as_str().unwrap().ends_with('Z'));
    let steps = r["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    assert!(
        steps
            .iter()
            .all(|s| s["status"] == "ran" && s["duration_ms"].is_u64()),
        "{steps:?}"
    );
    assert_eq!(r["checks"].as_array().unwrap().len(), 2, "before and after");
    assert_ne!(
        r["fingerprint_before"]["hash"],
        r["fingerprint_after"]["hash"]
    );
    let changed: Vec<&str> = r["changed_objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(changed.contains(&"role `app` changed"), "{changed:?}");
    let v = &r["validation"];
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        v["roles"]["checked"],
        serde_json::json!(["app", "owner", "reader"])
    );
    assert_eq!(v["schemas"]["checked"], serde_json::json!(["general"]));
    assert_eq!(v["tables"]["checked"], serde_json::json!(["general.notes"]));
    assert_eq!(v["roles"]["missing"], serde_json::json!([]));
    assert_eq!(v["pending_changes"], 0);

    // The same record, in the database, committed with the apply.
    let row = db
        .client()
        .await
        .query_one(
            "SELECT count(*), min(record->>'plan_id'), min(record->'result'->>'status') FROM pgrecon_audit.runs",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, String>(1), plan_id);
    assert_eq!(row.get::<_, String>(2), "ok");
}

#[tokio::test]
async fn a_missing_audit_table_refuses_the_apply() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(DESIRED);
    let url = db.url();
    let before = fingerprint(&db.client().await).await;
    let o = pgrecon(&[
        "apply",
        "--dir",
        s(dir.path()),
        "--database-url",
        &url,
        "--audit-table",
        "audit.runs",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("it does not exist"), "{}", err(&o));
    assert_eq!(fingerprint(&db.client().await).await, before);
}

#[tokio::test]
async fn markdown_of_a_saved_plan_for_a_pull_request() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("CREATE ROLE butler_old_app; GRANT USAGE ON SCHEMA general TO PUBLIC;")
        .await;
    let toml = format!(
        "[scope]\nowned_roles = [\"butler_*_app\"]\n{}\n[[check]]\nname = \"no orphan notes\"\nquery = \"SELECT count(*) = 0 FROM general.notes WHERE body IS NULL\"\nexpect = true\n",
        DESIRED.replace(
            "columns.body = { type = \"text\" }",
            "columns.body = { type = \"text\" }\nindexes.notes_body_idx = { columns = [\"body\"], concurrently = true }",
        )
    );
    let dir = desired_dir(&toml);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    save_plan(&db, dir.path(), &file, &["--prune"]);
    let o = pgrecon(&["show", s(&file), "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut md = out(&o);
    for (value, placeholder) in [
        (
            doc["plan_id"].as_str().unwrap()[..12].to_string(),
            "<plan id>",
        ),
        (
            doc["target"]["system_identifier"]
                .as_str()
                .unwrap()
                .to_string(),
            "<system identifier>",
        ),
        (
            pgrecon::render::short_version(doc["target"]["server_version"].as_str().unwrap()),
            "<version>",
        ),
        (db.dbname.clone(), "pgrecon_test"),
    ] {
        md = md.replace(&value, placeholder);
    }
    // The footer carries version-dependent hashes.
    let md: String = md
        .lines()
        .filter(|l| !l.starts_with("<sub>pgrecon"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("saved_plan_markdown", md);
}

#[tokio::test]
async fn a_saved_password_step_stores_its_source_and_reads_the_secret_at_apply() {
    const SECRET: &str = "correct-horse-battery-staple-9913";
    let db = TestDb::new().await;
    db.exec(START).await;
    let dir = desired_dir(&DESIRED.replace(
        "login = true",
        "login = true\npassword = { env = \"APP_PASSWORD\" }",
    ));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plan.json");
    let url = db.url();
    let planned = pgrecon_env(
        &[
            "plan",
            "--dir",
            s(dir.path()),
            "--database-url",
            &url,
            "--out",
            s(&file),
        ],
        &[("APP_PASSWORD", SECRET)],
    );
    assert_eq!(planned.status.code(), Some(2), "{}", err(&planned));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(SECRET), "the secret is not in the plan");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let step = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["exec"]["type"] == "set_password")
        .expect("a password step");
    assert_eq!(
        step["exec"]["source"],
        serde_json::json!({ "env": "APP_PASSWORD" })
    );

    // Without the secret at apply time: refused before anything runs.
    let before = fingerprint(&db.client().await).await;
    let o = apply_plan(&db, dir.path(), &file, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("password of role `app` is not available"),
        "{}",
        err(&o)
    );
    assert_eq!(fingerprint(&db.client().await).await, before);

    // With it: set, as a SCRAM verifier, and never printed.
    let o = pgrecon_env(
        &[
            "apply",
            "--dir",
            s(dir.path()),
            "--database-url",
            &url,
            "--plan",
            s(&file),
        ],
        &[("APP_PASSWORD", SECRET)],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", out(&o), err(&o));
    assert!(!out(&o).contains(SECRET) && !err(&o).contains(SECRET));
    let stored: String = db
        .client()
        .await
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        pgrecon::diff::password::matches(SECRET, &stored, "app"),
        Some(true)
    );
}

#[tokio::test]
async fn slow_steps_get_their_own_statement_timeout() {
    let db = TestDb::new().await;
    db.exec(START).await;
    db.exec("INSERT INTO general.notes SELECT g, md5(g::text) FROM generate_series(1, 200000) g")
        .await;
    // A plain index on an existing table: an `index_build` hazard, a slow step.
    let desired = desired_catalog(&DESIRED.replace(
        "columns.body = { type = \"text\" }",
        "columns.body = { type = \"text\" }\nindexes.notes_body_idx = { columns = [\"body\"] }",
    ));
    let mut client = db.client().await;
    let options = ApplyOptions {
        slow_statement_timeout: Some(Duration::from_millis(1)),
        ..ApplyOptions::default()
    };
    let err = apply::apply(&mut client, &desired.catalog, &options, &mut NoHooks)
        .await
        .expect_err("a 1 ms budget is too short to build the index");
    match &err {
        ApplyError::Step {
            summary, sqlstate, ..
        } => {
            assert!(summary.contains("notes_body_idx"), "{err}");
            assert_eq!(sqlstate.as_deref(), Some("57014"), "{err}");
        }
        other => panic!("unexpected error: {other}"),
    }
    // The other steps are not affected by it, and a real budget builds the index.
    let options = ApplyOptions {
        slow_statement_timeout: Some(Duration::from_secs(60)),
        statement_timeout: Duration::from_secs(60),
        ..ApplyOptions::default()
    };
    let outcome = apply::apply(&mut client, &desired.catalog, &options, &mut NoHooks)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
}
