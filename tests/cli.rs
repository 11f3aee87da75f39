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
    common::pgrecon_with(args, env)
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn assert_no_secret(o: &Output) {
    scan_for_secrets("", o, &[SECRET]);
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
    assert_eq!(doc["format_version"], 3);
    assert_eq!(doc["kind"], "pgrecon-plan");
    assert_eq!(doc["changes"], true);
    // One document: what `plan --format json` prints is the saved plan `--out` writes
    // and `show --format json` prints.
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("plan.json");
    let file = file.to_str().unwrap();
    let out = pgrecon(
        &["plan", "--dir", dir, "--database-url", &url, "--out", file],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(file).unwrap(), json.stdout);
    let shown = pgrecon(&["show", file, "--format", "json"], &[]);
    assert_eq!(shown.stdout, json.stdout);
    assert!(
        doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["destructive"].is_boolean())
    );
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
fn embedded_server_is_used_when_asked_and_nothing_is_configured() {
    let dir = shipped();
    let out = pgrecon(
        &["apply", "--embedded", "--dir", dir.to_str().unwrap()],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no connection configured"), "{stderr}");
    assert!(stderr.contains("embedded PostgreSQL"), "{stderr}");
    assert!(stdout.contains("No changes. The database matches the desired state."));

    // Read-only commands keep the fallback, with the note.
    let plan = pgrecon(&["plan", "--dir", dir.to_str().unwrap()], &[]);
    let (_, stderr) = text(&plan);
    assert_eq!(plan.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no connection configured"), "{stderr}");
}

/// A deploy job whose connection secret is missing must fail, not apply to a
/// throwaway server and report success.
#[test]
fn mutating_commands_refuse_without_a_target() {
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    for args in [
        vec!["apply", "--dir", dir],
        vec!["reconcile", "--once", "--mode", "enforce", "--dir", dir],
        vec!["reconcile", "--once", "--dir", dir],
    ] {
        // `DATABASE_URL=` (an empty secret) counts as unset.
        let out = pgrecon(&args, &[("DATABASE_URL", "")]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("no database to"), "{stderr}");
        assert!(stderr.contains("DATABASE_URL"), "{stderr}");
        assert!(stderr.contains("PGHOST"), "{stderr}");
        assert!(stderr.contains("--embedded"), "{stderr}");
        assert!(!stderr.contains("embedded PostgreSQL"), "{stderr}");
    }
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
    assert!(
        out.contains("1 destructive step needs --allow-destructive."),
        "{out}"
    );
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
    // The plan it printed does not ask for the approval it was given.
    let out = text(&approved).0;
    assert!(out.contains("1 destructive step, approved."), "{out}");
    assert!(!out.contains("needs --allow-destructive"), "{out}");
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

/// Everything a run wrote, with what ran it, for the secret scan.
fn scan_for_secrets(label: &str, o: &Output, secrets: &[&str]) {
    let (out, err) = text(o);
    for s in secrets
        .iter()
        .copied()
        .chain(["SCRAM-SHA-256$", "md5", "rolpassword"])
    {
        assert!(
            !out.contains(s) && !err.contains(s),
            "{label}: {s:?} printed\n--- stdout\n{out}\n--- stderr\n{err}"
        );
    }
}

/// No password, verifier or hash reaches any output, at any log level and whatever
/// filter a user sets (the driver logs every statement at debug).
#[tokio::test]
async fn no_secret_at_any_log_level() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let saved = work.path().join("plan.json");
    let saved = saved.to_str().unwrap();
    let imported = work.path().join("imported");
    let imported = imported.to_str().unwrap();
    let secrets = [SECRET, "second-secret-9921", "third-secret-5530"];

    for (i, filter) in [
        "trace",
        "tokio_postgres=trace,postgres_protocol=trace,debug",
    ]
    .into_iter()
    .enumerate()
    {
        for log_format in ["text", "json"] {
            let secret = secrets[(i * 2 + usize::from(log_format == "json")) % 3];
            let env = [
                ("PGRECON_LOG", filter),
                ("PGRECON_LOG_FORMAT", log_format),
                ("BUTLER_GENERAL_APP_PASSWORD", secret),
                ("BUTLER_HEALTH_APP_PASSWORD", secret),
            ];
            let db_args = ["--dir", dir, "--database-url", &url];
            let mut runs: Vec<(String, Vec<&str>)> = vec![
                ("validate".into(), vec!["validate", "--dir", dir]),
                (
                    "plan --out".into(),
                    [&["plan", "--out", saved][..], &db_args].concat(),
                ),
                ("show".into(), vec!["show", saved]),
                ("show json".into(), vec!["show", saved, "--format", "json"]),
                (
                    "apply --plan".into(),
                    [&["apply", "--plan", saved][..], &db_args].concat(),
                ),
            ];
            for f in ["text", "sql", "json", "markdown"] {
                runs.push((
                    format!("plan {f}"),
                    [&["plan", "--format", f][..], &db_args].concat(),
                ));
            }
            runs.extend([
                ("apply".into(), [&["apply"][..], &db_args].concat()),
                (
                    "drift".into(),
                    [&["drift", "--all", "--format", "json"][..], &db_args].concat(),
                ),
                ("verify".into(), [&["verify"][..], &db_args].concat()),
                (
                    "import".into(),
                    vec!["import", "--database-url", &url, "--out", imported],
                ),
                (
                    "reconcile".into(),
                    [&["reconcile", "--once", "--mode", "enforce"][..], &db_args].concat(),
                ),
            ]);
            for (label, args) in &runs {
                let o = pgrecon(args, &env);
                scan_for_secrets(&format!("{filter} {log_format} {label}"), &o, &secrets);
                assert!(
                    o.status.code().is_some_and(|c| c <= 2),
                    "{label}: {}",
                    text(&o).1
                );
            }
            // The filter did reach the logs (else this test proves nothing): pgrecon's
            // own debug lines are there.
            let o = pgrecon(&[&["plan"][..], &db_args].concat(), &env);
            assert!(
                text(&o).1.to_lowercase().contains("debug"),
                "no debug log line at {filter}: {}",
                text(&o).1
            );
            for file in std::fs::read_dir(imported).unwrap() {
                let body = std::fs::read_to_string(file.unwrap().path()).unwrap();
                for s in secrets.iter().copied().chain(["SCRAM-SHA-256$"]) {
                    assert!(!body.contains(s), "import wrote {s:?}");
                }
            }
        }
    }
    // The passwords were really set along the way (the scan ran over real changes).
    let stored: String = db
        .client()
        .await
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'butler_health_app'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stored.starts_with("SCRAM-SHA-256$"));
}

/// A server error keeps PostgreSQL's DETAIL and HINT: the message alone ("foreign key
/// constraint … cannot be implemented") does not say what is wrong.
#[tokio::test]
async fn server_errors_keep_detail_and_hint() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        r#"
[roles.owner]

[schemas.app]
owner = "owner"

[tables."app.parent"]
primary_key = ["id"]
columns.id = { type = "bigint" }

[tables."app.child"]
columns.parent_id = { type = "text" }
foreign_keys.child_parent_fkey = { columns = ["parent_id"], references = "app.parent" }
"#,
    )
    .unwrap();
    let out = pgrecon(
        &[
            "apply",
            "--dir",
            dir.path().to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("cannot be implemented"), "{stderr}");
    assert!(
        stderr.contains("detail: Key columns") && stderr.contains("incompatible types"),
        "{stderr}"
    );
    assert!(stderr.contains("SQLSTATE 42804"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
}

/// A type change is flagged `rewrites_table` exactly when PostgreSQL rewrites the table
/// (its `relfilenode` changes), never for a widening it only relabels.
#[tokio::test]
async fn rewrites_are_flagged_only_when_the_table_is_rewritten() {
    let db = TestDb::new().await;
    let url = db.url();
    let cases = [
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric"),
        ("numeric(10,2)", "numeric(12,3)"),
        ("numeric(12,2)", "numeric(10,2)"),
        ("varchar(10)", "varchar(20)"),
        ("varchar(10)", "text"),
        ("text", "varchar"),
        ("varchar(20)", "varchar(10)"),
        ("timestamp(3)", "timestamp"),
        ("timestamp", "timestamp(3)"),
        ("integer", "bigint"),
        ("cidr", "inet"),
    ];
    let client = db.client().await;
    for (i, (from, to)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let table = format!("t{i}");
        client
            .batch_execute(&format!(
                "DO $$ BEGIN CREATE ROLE owner; EXCEPTION WHEN duplicate_object THEN END $$;
                 CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION owner;
                 CREATE TABLE app.{table} (c {from}); ALTER TABLE app.{table} OWNER TO owner;
                 INSERT INTO app.{table} VALUES (NULL)"
            ))
            .await
            .unwrap();
        std::fs::write(
            dir.path().join("s.toml"),
            format!(
                "[roles.owner]\n[schemas.app]\nowner = \"owner\"\n[tables.\"app.{table}\"]\nowner = \"owner\"\ncolumns.c = {{ type = \"{to}\" }}\n"
            ),
        )
        .unwrap();
        let d = dir.path().to_str().unwrap();
        let plan = pgrecon(
            &[
                "plan",
                "--dir",
                d,
                "--database-url",
                &url,
                "--format",
                "json",
            ],
            &[],
        );
        let doc: serde_json::Value = serde_json::from_slice(&plan.stdout)
            .unwrap_or_else(|_| panic!("{from} → {to}: {}", text(&plan).1));
        let flagged = doc["steps"].as_array().unwrap().iter().any(|s| {
            s["hazards"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "rewrites_table")
        });
        let filenode = || async {
            client
                .query_one(
                    &format!(
                        "SELECT relfilenode::int8 FROM pg_class WHERE oid = 'app.{table}'::regclass"
                    ),
                    &[],
                )
                .await
                .unwrap()
                .get::<_, i64>(0)
        };
        let before = filenode().await;
        let applied = pgrecon(
            &[
                "apply",
                "--dir",
                d,
                "--database-url",
                &url,
                "--allow-hazard",
                "rewrites_table",
            ],
            &[],
        );
        assert_eq!(
            applied.status.code(),
            Some(0),
            "{from} → {to}: {}",
            text(&applied).1
        );
        let rewritten = filenode().await != before;
        assert_eq!(
            flagged, rewritten,
            "{from} → {to}: flagged {flagged}, rewritten {rewritten}"
        );
        client
            .batch_execute(&format!("DROP TABLE app.{table}"))
            .await
            .unwrap();
    }
}

/// `validate` counts each kind under its own name (tables were once counted as
/// "per-object grants").
#[test]
fn validate_counts_each_kind() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let out = pgrecon(
        &[
            "validate",
            "--dir",
            cases.join("tables_create/desired").to_str().unwrap(),
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.ends_with(
            "is valid: 3 roles, 1 schema, 3 tables, 1 enum, 1 domain, 1 extension, \
             1 object with its own grants\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("per-object"), "{stdout}");
}

/// A desired object the server rejects is reported once, at its declaration, in the
/// desired state's own names: no internal scratch schema, no follow-on errors from its
/// indexes and policies.
#[tokio::test]
async fn rejected_objects_point_at_their_declaration() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[roles.owner]\n[schemas.app]\nowner = \"owner\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.toml"),
        r#"# the orders
[tables."app.orders"]
columns.id = { type = "bigint" }
columns.total = { type = "numeric" }
checks.orders_total_check = "totl > 0"
indexes.orders_id_idx = { columns = ["id"] }
policies.own = { using = "total > 0" }

[tables."app.items"]
columns.id = { type = "bigint" }
indexes.items_x_idx = { columns = ["id"], where = "nope > 1" }
policies.p = { using = "items.idd > 0" }
"#,
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    for command in ["plan", "apply", "drift"] {
        let o = pgrecon(&[command, "--dir", d, "--database-url", &url], &[]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{command}: {err}");
        assert!(!err.contains("pgrecon_canon"), "{command}: {err}");
        assert!(
            err.contains(
                "table app.orders, constraint orders_total_check: column \"totl\" does not exist\n    --> orders.toml:2:9"
            ),
            "{command}: {err}"
        );
        // The table failed: its index and policy are not reported on top.
        assert!(!err.contains("orders_id_idx"), "{command}: {err}");
        assert!(!err.contains("policy own"), "{command}: {err}");
        // Independent faults of another table are all reported.
        assert!(
            err.contains("index items_x_idx: column \"nope\""),
            "{command}: {err}"
        );
        assert!(err.contains("policy p:"), "{command}: {err}");
        assert!(
            err.contains("the server rejected 3 desired objects"),
            "{command}: {err}"
        );
    }
}
