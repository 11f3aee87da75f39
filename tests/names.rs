//! Hostile names from the live catalog never escape from any output: anyone with CREATE
//! can name a role, schema or table with a line break, a Markdown fence, ESC or a bidi
//! override. Every plan format is checked, the SQL is run with psql, and import writes
//! files that load and plan back as expected; drift and verify (text and JSON), apply's
//! refusals (stderr and the run report), and the reconcile loop (its record, its log
//! lines in both formats, and its webhook payloads in both formats) are checked too.

mod common;

use common::TestDb;
use pgrecon::render::escape::is_unsafe;
use pgrecon::sql::quote_ident;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NL: &str = "nl\nDROP TABLE public.t; --";
const CR: &str = "cr\rDROP TABLE public.t; --";
const FENCE: &str = "fence\n```\n\n**No changes. Safe to merge.**\n\n```sql";
const ESC: &str = "esc\u{1b}[2J\u{202e}evil\u{2028}x";
const MD: &str = "pipe | </details> [merge](http://x) *em* `tick`";
const VICTIM: &str = "nl\nDROP TABLE public.victim; --";

/// The psql meta-command a name tries to smuggle in (inside a quoted identifier).
fn meta_name(marker: &Path) -> String {
    format!("meta\n\\! touch {}\n", marker.display())
}

fn pgrecon(args: &[&str]) -> Output {
    common::pgrecon_with(args, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// A managed schema `general` (tables managed) with grants to hostile roles on it and on
/// its table, a hostile table and column in it, and an owned hostile schema; `public.t`
/// and `public.victim` are what an injection would drop.
async fn hostile_cluster(db: &TestDb, marker: &Path) -> Vec<String> {
    let roles: Vec<String> = [NL, CR, FENCE, ESC, MD, VICTIM]
        .iter()
        .map(|s| s.to_string())
        .chain([meta_name(marker)])
        .collect();
    let mut sql = String::from(
        "CREATE TABLE public.t (id int); CREATE TABLE public.victim (id int);
         CREATE ROLE app; CREATE SCHEMA general AUTHORIZATION app;
         CREATE TABLE general.notes (id int PRIMARY KEY); ALTER TABLE general.notes OWNER TO app;\n",
    );
    for r in &roles {
        let r = quote_ident(r);
        sql.push_str(&format!(
            "CREATE ROLE {r}; GRANT USAGE ON SCHEMA general TO {r}; \
             GRANT SELECT ON general.notes TO {r};\n"
        ));
    }
    sql.push_str(&format!(
        "CREATE SCHEMA {} AUTHORIZATION app;
         CREATE TABLE general.{} (id int); ALTER TABLE general.{} OWNER TO app;
         CREATE TABLE general.odd ({} int); ALTER TABLE general.odd OWNER TO app;\n",
        quote_ident(NL),
        quote_ident(FENCE),
        quote_ident(FENCE),
        quote_ident(ESC),
    ));
    db.exec(&sql).await;
    roles
}

/// The desired state: `general` with `notes`, no grants to anyone; every hostile role
/// and schema in the owned scope, so `--prune` drops them (hazard lines with the names).
fn desired(dir: &Path) {
    std::fs::write(
        dir.join("state.toml"),
        r#"
[scope]
owned_roles = ["nl*", "cr*", "fence*", "esc*", "pipe*", "meta*"]
owned_schemas = ["nl*"]

[roles.app]

[schemas.general]
owner = "app"

[tables."general.notes"]
owner = "app"
columns = { id = { type = "integer", not_null = true } }
primary_key = ["id"]
"#,
    )
    .unwrap();
}

fn plan(url: &str, dir: &Path, format: &str, prune: bool) -> String {
    let mut args = vec![
        "plan",
        "--dir",
        dir.to_str().unwrap(),
        "--database-url",
        url,
        "--format",
        format,
    ];
    if prune {
        args.push("--prune");
    }
    let o = pgrecon(&args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "plan --format {format}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
}

fn assert_no_injected_line(format: &str, text: &str) {
    for line in text.lines() {
        for bad in [
            "DROP TABLE public.t",
            "DROP TABLE public.victim",
            "\\!",
            "**No changes",
        ] {
            assert!(
                !line.trim_start().starts_with(bad),
                "{format}: a line starts with injected text {bad:?}:\n{text}"
            );
        }
    }
}

fn assert_no_unsafe_char(format: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| *c != '\n' && is_unsafe(*c)) {
        panic!("{format}: raw {c:?} in the output:\n{text}");
    }
}

/// What psql would execute: the script without comments, quoted identifiers and string
/// literals (`E''` ones with backslash escapes). psql ends a `--` comment at LF or CR.
fn sql_outside_quotes_and_comments(script: &str) -> String {
    let chars: Vec<char> = script.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let backslashes = c == '\'' && i > 0 && matches!(chars[i - 1], 'E' | 'e');
            i += 1;
            loop {
                assert!(i < chars.len(), "unterminated quote in the script");
                let escaped = backslashes && chars[i] == '\\';
                let doubled = chars[i] == c && chars.get(i + 1) == Some(&c);
                if escaped || doubled {
                    i += 2;
                } else if chars[i] == c {
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            out.push_str(" <quoted> ");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn psql(db: &TestDb) -> PathBuf {
    match &db.cluster {
        Some(c) => c.bin_dir().join("psql"),
        None => PathBuf::from("psql"),
    }
}

async fn table_exists(db: &TestDb, name: &str) -> bool {
    db.client()
        .await
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn hostile_live_names_never_escape_from_a_plan() {
    let db = TestDb::new().await;
    let url = db.url();
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("pwned");
    let roles = hostile_cluster(&db, &marker).await;
    let dir = work.path().join("desired");
    std::fs::create_dir(&dir).unwrap();
    desired(&dir);

    for prune in [false, true] {
        // Text: names with their line breaks, ESC and bidi controls as visible escapes.
        let text = plan(&url, &dir, "text", prune);
        assert_no_unsafe_char("text", &text);
        assert_no_injected_line("text", &text);
        assert!(text.contains(r#""nl\nDROP TABLE public.t; --""#), "{text}");
        assert!(text.contains(r"\u{1b}[2J\u{202e}evil\u{2028}x"), "{text}");

        // JSON: serde_json escapes; the names come back exactly.
        let json = plan(&url, &dir, "json", prune);
        assert_no_unsafe_char("json", &json);
        assert_no_injected_line("json", &json);
        let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let summaries: Vec<&str> = doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["summary"].as_str().unwrap())
            .collect();
        for r in &roles {
            assert!(
                summaries.iter().any(|s| s.contains(&quote_ident(r))),
                "no step names {r:?}: {summaries:?}"
            );
        }

        // Markdown: one code block whose fence nothing inside can close; outside it, no
        // raw markup from a name.
        let md = plan(&url, &dir, "markdown", prune);
        let lines: Vec<&str> = md.lines().collect();
        let open = lines
            .iter()
            .position(|l| l.starts_with("```") && l.ends_with("sql"))
            .expect("an SQL code block");
        let fence = lines[open].trim_end_matches("sql");
        assert!(
            fence.len() > 3,
            "a name holds ``` so the fence is longer: {fence}"
        );
        let close = open
            + 1
            + lines[open + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with(fence))
                .expect("the block is closed");
        assert_eq!(lines[close], fence, "closed by its own fence only");
        let outside: Vec<&str> = lines[..open]
            .iter()
            .chain(&lines[close + 1..])
            .copied()
            .collect();
        let outside = outside.join("\n");
        assert_no_unsafe_char("markdown", &outside);
        assert_no_injected_line("markdown", &outside);
        assert!(!outside.contains("**No changes. Safe to merge.**"), "{md}");
        assert!(
            outside.contains(r"\*\*No changes. Safe to merge.\*\*"),
            "{md}"
        );
        assert_eq!(
            outside.matches("<details>").count(),
            outside.matches("</details>").count(),
            "{md}"
        );
        assert!(outside.contains(r"pipe \| \</details\> \[merge\](http://x) \*em\* \`tick\`"));
        assert!(!outside.contains("```\n"), "{md}");
        for row in outside.lines().filter(|l| l.starts_with("| ")) {
            // Every table row keeps its four cells.
            assert_eq!(
                row.replace("\\|", "").matches('|').count(),
                5,
                "a name split a table row: {row}"
            );
        }

        // SQL: comments stay comments; only quoted identifiers hold the names.
        let sql = plan(&url, &dir, "sql", prune);
        for line in sql.lines().filter(|l| l.starts_with("--")) {
            assert!(!line.contains('\r'), "{line}");
        }
        let code = sql_outside_quotes_and_comments(&sql);
        for bad in [
            "DROP TABLE public.t",
            "DROP TABLE public.victim",
            "\\!",
            "touch",
        ] {
            assert!(
                !code.contains(bad),
                "{bad:?} outside quotes and comments:\n{code}"
            );
        }
    }

    // psql runs the reviewed script: the hostile roles lose their grants (and, pruned, go),
    // and the victims survive.
    let script = work.path().join("plan.sql");
    std::fs::write(&script, plan(&url, &dir, "sql", true)).unwrap();
    let ran = Command::new(psql(&db))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"])
        .arg(&script)
        .output()
        .expect("psql runs");
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(table_exists(&db, "public.t").await, "public.t was dropped");
    assert!(table_exists(&db, "public.victim").await);
    assert!(!marker.exists(), "a psql meta-command ran");
    let left: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname ~ '^(nl|cr|fence|esc|pipe|meta)'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the pruned hostile roles are dropped");
    let after = pgrecon(&[
        "plan",
        "--dir",
        dir.to_str().unwrap(),
        "--database-url",
        &url,
        "--prune",
    ]);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
}

#[tokio::test]
async fn import_of_a_cluster_with_hostile_names_writes_files_that_load() {
    let db = TestDb::new().await;
    let url = db.url();
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("pwned");
    let roles = hostile_cluster(&db, &marker).await;
    db.exec(
        "CREATE ROLE reader; GRANT USAGE ON SCHEMA general TO reader;
         GRANT SELECT ON general.notes TO reader;
         COMMENT ON TABLE general.notes IS E'two\\nlines \"\"\" [roles.x]';",
    )
    .await;
    let out = work.path().join("imported");

    let o = pgrecon(&[
        "import",
        "--database-url",
        &url,
        "--out",
        out.to_str().unwrap(),
    ]);
    let report = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{report}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_no_unsafe_char("import report", &report);
    assert!(
        report.contains(r#"role "nl\nDROP TABLE public.victim; --" is left out"#),
        "{report}"
    );

    // Every file is TOML on lines of their own: no name starts a line.
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_no_unsafe_char(&path.display().to_string(), &text);
        assert_no_injected_line(&path.display().to_string(), &text);
        let _: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
    }

    // The state loads, and planned back against the same database it changes nothing but
    // the grants to the roles it could not declare.
    let desired = pgrecon::config::load_dir(&out)
        .unwrap_or_else(|e| panic!("{}", pgrecon::config::render(&e)));
    assert!(desired.catalog.roles.contains_key("reader"));
    assert!(desired.catalog.roles.contains_key("app"));
    assert_eq!(
        desired.catalog.tables[&pgrecon::model::QualifiedName::new("general", "notes")].comment,
        Some("two\nlines \"\"\" [roles.x]".to_string()),
        "values round-trip exactly"
    );
    let o = pgrecon(&[
        "plan",
        "--dir",
        out.to_str().unwrap(),
        "--database-url",
        &url,
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let steps = doc["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for s in steps {
        let summary = s["summary"].as_str().unwrap();
        assert_eq!(s["action"], "revoke", "{summary}");
        assert!(
            roles.iter().any(|r| summary.ends_with(&quote_ident(r))),
            "only grants to the left-out roles are revoked: {summary}"
        );
    }
}

/// `desired` plus a confined role, `app_ro`, that the live side makes a member of the
/// hostile role `NL`, which has USAGE on the hostile schema: a confinement violation
/// whose path is made of hostile names, and a membership to revoke.
async fn confined(db: &TestDb, dir: &Path) {
    desired(dir);
    std::fs::write(
        dir.join("confined.toml"),
        "[roles.app_ro]\nsearch_path = [\"general\"]\nconfined_to = [\"general\"]\n",
    )
    .unwrap();
    db.exec(&format!(
        "CREATE ROLE app_ro; ALTER ROLE app_ro SET search_path = general;
         GRANT {nl} TO app_ro; GRANT USAGE ON SCHEMA {nl} TO {nl};
         GRANT {esc} TO app_ro;",
        nl = quote_ident(NL),
        esc = quote_ident(ESC),
    ))
    .await;
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 output")
}

/// No raw unsafe character (but the line ends) and no line starting with injected text.
fn assert_clean(what: &str, text: &str) {
    assert_no_unsafe_char(what, text);
    assert_no_injected_line(what, text);
}

/// A local webhook receiver keeping the raw bodies.
struct Receiver {
    url: String,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        use axum::extract::State;
        let bodies: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(
                    |State(store): State<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
                     body: String| async move {
                        store.lock().unwrap().push(body);
                        "ok"
                    },
                ),
            )
            .with_state(std::sync::Arc::clone(&bodies));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hook"),
            bodies,
        }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.bodies.lock().unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_live_names_never_escape_from_drift_verify_apply_or_reconcile() {
    let db = TestDb::new().await;
    let url = db.url();
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("pwned");
    // The public schema as PostgreSQL 15+ creates it: on 14, PUBLIC's CREATE there
    // would be the first confinement violation apply refuses on.
    db.exec(
        "ALTER SCHEMA public OWNER TO pg_database_owner; \
         REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    )
    .await;
    hostile_cluster(&db, &marker).await;
    let dir = work.path().join("desired");
    std::fs::create_dir(&dir).unwrap();
    confined(&db, &dir).await;
    let d = dir.to_str().unwrap();

    // drift: text (with --all) and JSON; a confinement is broken: exit 3.
    for extra in [
        &["--format", "text"][..],
        &["--format", "text", "--all"],
        &["--format", "json"],
    ] {
        let mut args = vec!["drift", "--dir", d, "--database-url", &url];
        args.extend_from_slice(extra);
        let o = pgrecon(&args);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(3), "drift {extra:?}: {out}{err}");
        assert_clean(&format!("drift {extra:?}"), &out);
        assert_clean(&format!("drift {extra:?} stderr"), &err);
        if extra[1] == "json" {
            let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
            let paths: Vec<&str> = doc["violations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["path"].as_str().unwrap())
                .collect();
            assert!(paths.iter().any(|p| p.contains(NL)), "{paths:?}");
            assert!(
                out.contains(r"\u202e"),
                "bidi escaped as in plan JSON: {out}"
            );
        } else {
            assert!(out.contains(r#""nl\nDROP TABLE public.t; --""#), "{out}");
            assert!(out.contains(r"\u{1b}[2J\u{202e}evil\u{2028}x"), "{out}");
        }
    }

    // verify: text and JSON.
    for format in ["text", "json"] {
        let o = pgrecon(&[
            "verify",
            "--dir",
            d,
            "--database-url",
            &url,
            "--format",
            format,
        ]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(3), "verify {format}: {out}{err}");
        assert_clean(&format!("verify {format}"), &out);
        assert_clean(&format!("verify {format} stderr"), &err);
        assert!(out.contains("VIOLATED") || format == "json", "{out}");
        if format == "json" {
            let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
            assert_eq!(doc["ok"], false);
        }
    }

    // apply refuses: --additive-only (revokes from hostile roles), and the destructive
    // drops of hostile roles under --prune. The message names them, escaped; the run
    // report carries the same message.
    let reports = work.path().join("reports");
    for extra in [&["--additive-only"][..], &["--prune"]] {
        let mut args = vec![
            "apply",
            "--dir",
            d,
            "--database-url",
            &url,
            "--report-dir",
            reports.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = pgrecon(&args);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "apply {extra:?}: {out}{err}");
        assert!(err.contains("refusing to apply"), "{err}");
        assert!(err.contains(r#""nl\nDROP TABLE public.t; --""#), "{err}");
        assert!(
            err.contains("\n  help: ") || extra[0] == "--additive-only",
            "{err}"
        );
        assert_clean(&format!("apply {extra:?}"), &out);
        assert_clean(&format!("apply {extra:?} stderr"), &err);
    }
    for entry in std::fs::read_dir(&reports).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert_clean("run report", &text);
        let _: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    }
    assert!(table_exists(&db, "public.t").await);

    // reconcile --once: the record (stdout), the log lines (text, then JSON) and the
    // webhook payloads (JSON, then Slack).
    let hook = Receiver::start().await;
    for (webhook_format, log_format) in [("json", "text"), ("slack", "json")] {
        let o = pgrecon(&[
            "reconcile",
            "--once",
            "--dir",
            d,
            "--database-url",
            &url,
            "--webhook",
            &hook.url,
            "--webhook-format",
            webhook_format,
            "--log-format",
            log_format,
        ]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(3), "reconcile: {out}{err}");
        assert_clean("reconcile record", &out);
        let _: serde_json::Value = serde_json::from_str(&out).expect("a JSON record");
        assert_clean(&format!("reconcile {log_format} log"), &err);
        assert!(
            err.contains("nl\\\\nDROP") || err.contains(r"nl\nDROP"),
            "{err}"
        );
        let bodies = hook.take();
        assert!(
            bodies.len() >= 2,
            "drift and confinement events: {bodies:?}"
        );
        for body in &bodies {
            assert_clean(&format!("{webhook_format} payload"), body);
            let v: serde_json::Value = serde_json::from_str(body).expect("a JSON payload");
            if webhook_format == "slack" {
                let text = v["text"].as_str().unwrap();
                assert_clean("slack text", text);
                assert!(!text.contains('<') && !text.contains('>'), "{text}");
            }
        }
        if webhook_format == "slack" {
            let all = bodies.concat();
            assert!(all.contains("&lt;/details&gt;"), "{all}");
        }
    }
    assert!(!marker.exists());
}
