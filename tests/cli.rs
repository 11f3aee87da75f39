//! The command line as users and CI run it: exit codes, formats, the embedded server,
//! and that no secret ever reaches the output.

mod common;

use common::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SECRET: &str = "correct-horse-battery-staple-4471";

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("desired-state")
}

/// Runs pgrecon with a clean connection environment (no PG* variables, no
/// DATABASE_URL) plus `env`.
fn pgrecon(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgrecon"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") || k == "DATABASE_URL" || k.starts_with("BUTLER_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("pgrecon runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn assert_no_secret(o: &Output) {
    let (out, err) = text(o);
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "secret printed"
    );
}

#[tokio::test]
async fn plan_apply_replan_exit_codes_and_no_secret() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    let env = [("BUTLER_GENERAL_APP_PASSWORD", SECRET)];

    let plan = pgrecon(&["plan", "--dir", dir, "--database-url", &url], &env);
    let (out, err) = text(&plan);
    assert_eq!(
        plan.status.code(),
        Some(2),
        "plan with changes exits 2: {err}"
    );
    assert!(out.contains("+ create role butler_general_app"), "{out}");
    assert!(out.contains("password: (set from env BUTLER_GENERAL_APP_PASSWORD)"));
    assert!(out.contains("Plan: "), "{out}");
    assert_no_secret(&plan);

    let apply = pgrecon(&["apply", "--dir", dir, "--database-url", &url], &env);
    let (out, err) = text(&apply);
    assert_eq!(apply.status.code(), Some(0), "apply failed: {err}");
    assert!(out.contains("Re-plan after apply"), "{out}");
    assert!(out.contains("No changes. The database matches the desired state."));
    assert_no_secret(&apply);

    // The password really is set. The test cluster trusts every login, so check the
    // stored verifier instead.
    let client = db.client().await;
    let stored: String = client
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'butler_general_app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        stored.starts_with("SCRAM-SHA-256$"),
        "stored as a SCRAM verifier"
    );
    assert_eq!(
        pgrecon::diff::password::matches(SECRET, &stored, "butler_general_app"),
        Some(true)
    );

    let again = pgrecon(&["plan", "--dir", dir, "--database-url", &url], &env);
    assert_eq!(again.status.code(), Some(0), "converged plan exits 0");
    assert!(text(&again).0.contains("No changes."));

    let second = pgrecon(&["apply", "--dir", dir, "--database-url", &url], &env);
    assert_eq!(second.status.code(), Some(0));
    assert!(text(&second).0.contains("No changes."));
}

#[tokio::test]
async fn json_markdown_and_sql_formats() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = shipped();
    let dir = dir.to_str().unwrap();

    let json = pgrecon(
        &[
            "plan",
            "--dir",
            dir,
            "--database-url",
            &url,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(json.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["changes"], true);
    assert_eq!(doc["plan_id"].as_str().unwrap().len(), 64);
    let steps = doc["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .all(|s| s["sql"].is_array() && s["hazards"].is_array())
    );
    assert_eq!(doc["summary"]["create"], 12);

    let md = pgrecon(
        &[
            "plan",
            "--dir",
            dir,
            "--database-url",
            &url,
            "--format",
            "markdown",
        ],
        &[],
    );
    let (out, _) = text(&md);
    assert!(out.starts_with("### pgrecon plan"), "{out}");
    assert!(out.contains("<details><summary>SQL</summary>"));

    // The SQL output is a runnable psql script that converges the database.
    let sql = pgrecon(
        &[
            "plan",
            "--dir",
            dir,
            "--database-url",
            &url,
            "--format",
            "sql",
        ],
        &[],
    );
    assert_eq!(sql.status.code(), Some(2));
    let script = std::env::temp_dir().join(format!("pgrecon-plan-{}.sql", std::process::id()));
    std::fs::write(&script, &sql.stdout).unwrap();
    let psql = match &db.cluster {
        Some(c) => c.bin_dir().join("psql"),
        None => PathBuf::from("psql"),
    };
    let ran = Command::new(psql)
        .args(["-X", "-q", "-d", &url, "-f", script.to_str().unwrap()])
        .output()
        .expect("psql runs");
    std::fs::remove_file(&script).ok();
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let after = pgrecon(&["plan", "--dir", dir, "--database-url", &url], &[]);
    assert_eq!(after.status.code(), Some(0), "{}", text(&after).0);
}

#[test]
fn embedded_server_is_used_and_announced_when_nothing_is_configured() {
    let dir = shipped();
    let out = pgrecon(&["apply", "--dir", dir.to_str().unwrap()], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no connection configured"), "{stderr}");
    assert!(stderr.contains("embedded PostgreSQL"), "{stderr}");
    assert!(stdout.contains("No changes. The database matches the desired state."));
}

#[test]
fn validate_reports_every_error_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[roles.app]\nlogn = true\n\n[schemas.s]\nowner = \"ghost\"\n",
    )
    .unwrap();
    let out = pgrecon(&["validate", "--dir", dir.path().to_str().unwrap()], &[]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("logn"), "{err}");
    assert!(err.contains("ghost"), "{err}");

    let ok = pgrecon(&["validate", "--dir", shipped().to_str().unwrap()], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok).1);
}

#[tokio::test]
async fn destructive_steps_are_refused_without_approval() {
    let db = TestDb::new().await;
    db.exec("CREATE ROLE butler_old_app LOGIN").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[scope]\nowned_roles = [\"butler_*_app\"]\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let url = db.url();
    let refused = pgrecon(
        &["apply", "--dir", d, "--database-url", &url, "--prune"],
        &[],
    );
    let (out, err) = text(&refused);
    assert_eq!(refused.status.code(), Some(1));
    assert!(out.contains("[destructive]"), "{out}");
    assert!(err.contains("--allow-destructive"), "{err}");
    let exists: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = 'butler_old_app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(exists, 1);

    let approved = pgrecon(
        &[
            "apply",
            "--dir",
            d,
            "--database-url",
            &url,
            "--prune",
            "--allow-destructive",
        ],
        &[],
    );
    assert_eq!(approved.status.code(), Some(0), "{}", text(&approved).1);
}

#[tokio::test]
async fn import_writes_a_state_that_plans_back_empty() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE ROLE owner; CREATE ROLE app LOGIN CONNECTION LIMIT 3; \
         ALTER ROLE app SET search_path = general, public; \
         CREATE SCHEMA general AUTHORIZATION owner; GRANT USAGE ON SCHEMA general TO app; \
         COMMENT ON SCHEMA general IS 'imported';",
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let url = db.url();
    let import = pgrecon(
        &[
            "import",
            "--database-url",
            &url,
            "--out",
            out.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(import.status.code(), Some(0), "{}", text(&import).1);
    assert!(out.path().join("roles.toml").exists());
    let plan = pgrecon(
        &[
            "plan",
            "--dir",
            out.path().to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[],
    );
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan).0);

    let missing = pgrecon(
        &[
            "import",
            "--database-url",
            &url,
            "--out",
            out.path().to_str().unwrap(),
            "--schema",
            "nope",
        ],
        &[],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).1.contains("nope"));
}
