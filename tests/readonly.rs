//! Least privilege: `plan`, `drift`, `verify` and `import` as a role that may only
//! connect and read give byte for byte what they give as a superuser (canonicalising in
//! the target). The read-only role's canonicalising happens in a scratch server of the
//! target's major version; the target is never written to.

mod common;

use common::TestDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A role with `CONNECT` (PUBLIC's) and `pg_read_all_settings` only: no `CREATE` on the
/// database or any schema, no `TEMPORARY`.
const READER: &str = "
CREATE ROLE pgrecon_ci_reader LOGIN;
GRANT pg_read_all_settings TO pgrecon_ci_reader;
REVOKE TEMPORARY ON DATABASE pgrecon_test FROM PUBLIC;
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public') THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  END IF;
END $$;
";

fn as_reader(url: &str) -> String {
    let url = url.replacen(
        "postgresql://postgres@",
        "postgresql://pgrecon_ci_reader@",
        1,
    );
    assert!(url.contains("pgrecon_ci_reader@"), "{url}");
    url
}

/// (exit code, stdout, stderr) of a command.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::pgrecon_with(args, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("permission denied"), "{args:?}: {stderr}");
    (out.status.code(), stdout, stderr.into_owned())
}

/// Plans (and drifts) `dir` against the test database as the superuser, canonicalising
/// in the target, and as the reader, and asserts the outputs are identical.
async fn same_as_superuser(db: &TestDb, dir: &Path, what: &str) {
    same_as_superuser_with(db, dir, what, &[]).await;
}

/// [`same_as_superuser`], the reader's commands given `extra` arguments.
async fn same_as_superuser_with(db: &TestDb, dir: &Path, what: &str, extra: &[&str]) {
    let url = db.url();
    let reader = as_reader(&url);
    let dir = dir.to_string_lossy();
    // Only a superuser may read a stored verifier: where the reader says it cannot
    // check a password, that is the one difference there may be.
    let mut unreadable_password = false;
    for command in [
        vec!["plan", "--dir", &dir, "--prune"],
        vec!["plan", "--dir", &dir, "--prune", "--format", "json"],
        vec!["plan", "--dir", &dir, "--prune", "--format", "sql"],
        vec!["drift", "--dir", &dir],
        vec!["verify", "--dir", &dir],
    ] {
        // The plan is of what the superuser's apply would do; verify only reads.
        let (apply_as, canon): (&[&str], &[&str]) = if command[0] == "verify" {
            (&[], &[])
        } else {
            (&["--apply-as", "postgres"], extra)
        };
        let mut superuser = command.clone();
        superuser.extend(["--database-url", &url]);
        if command[0] != "verify" {
            superuser.push("--canon-in-target");
        }
        superuser.extend(apply_as);
        let mut read_only = command.clone();
        read_only.extend(["--database-url", &reader]);
        read_only.extend(apply_as);
        read_only.extend(canon);
        let expected = run(&superuser);
        let got = run(&read_only);
        if command.len() == 4 && got.1.contains("password cannot be checked") {
            assert!(!expected.1.contains("password cannot be checked"), "{what}");
            unreadable_password = true;
        }
        if unreadable_password {
            continue;
        }
        if (&got.0, &got.1) != (&expected.0, &expected.1) {
            let differs = similar::TextDiff::from_lines(&expected.1, &got.1)
                .unified_diff()
                .header("superuser", "read-only")
                .to_string();
            panic!(
                "{what}: {command:?}: exit {:?} read-only, {:?} superuser:\n{differs}\n\
                 read-only stderr:\n{}\nsuperuser stderr:\n{}",
                got.0, expected.0, got.2, expected.2
            );
        }
    }
}

#[tokio::test]
async fn the_shipped_topology_plans_the_same_read_only() {
    let db = TestDb::embedded().await;
    db.exec(READER).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("desired-state");
    same_as_superuser(&db, &dir, "shipped topology on an empty database").await;
}

#[tokio::test]
async fn every_case_plans_the_same_read_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("desired").is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 50, "{}", dirs.len());
    for case in dirs {
        let db = TestDb::embedded().await;
        if let Ok(start) = std::fs::read_to_string(case.join("start.sql")) {
            db.exec(&start).await;
        }
        db.exec(READER).await;
        same_as_superuser(&db, &case.join("desired"), &case.display().to_string()).await;
    }
}

#[tokio::test]
async fn a_dev_database_canonicalises_for_the_reader() {
    let db = TestDb::embedded().await;
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/views_create");
    db.exec(&std::fs::read_to_string(case.join("start.sql")).unwrap_or_default())
        .await;
    db.exec(READER).await;
    // An empty database on another server of the same version.
    let dev = TestDb::embedded().await;
    let dev_url = dev.url();
    same_as_superuser_with(
        &db,
        &case.join("desired"),
        "views_create",
        &["--dev-url", &dev_url],
    )
    .await;

    // A dev database that is not empty is refused: what it holds would change how
    // names resolve.
    dev.exec("CREATE SCHEMA leftover; CREATE TABLE leftover.t (id int)")
        .await;
    let dir = case.join("desired").to_string_lossy().into_owned();
    let out = common::pgrecon_with(
        &[
            "plan",
            "--dir",
            &dir,
            "--database-url",
            &as_reader(&db.url()),
            "--dev-url",
            &dev_url,
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the scratch database (--dev-url) is not empty (it holds schema leftover)"),
        "{stderr}"
    );
}

/// The shared corpora, imported: planned read-only against an empty database
/// (everything canonicalised in the scratch server) and against the database they were
/// imported from (the no-op plan, which reads only).
#[tokio::test]
async fn the_corpora_plan_the_same_read_only() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora");
    for file in [
        "pagila/schema.sql",
        "chinook/chinook.sql",
        "adventureworks/schema.sql",
    ] {
        let x = TestDb::embedded().await;
        let psql = x.cluster.as_ref().unwrap().bin_dir().join("psql");
        let out = std::process::Command::new(psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &x.url(), "-f"])
            .arg(corpora.join(file))
            .env("PGOPTIONS", "--client-min-messages=warning")
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        x.exec(READER).await;
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().to_string_lossy().into_owned();
        let import = common::pgrecon_with(
            &["import", "--database-url", &x.url(), "--out", &out_dir],
            &[],
        );
        assert!(
            import.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&import.stderr)
        );
        // The reader imports the same files.
        let by_reader = tempfile::tempdir().unwrap();
        let reader_dir = by_reader.path().to_string_lossy().into_owned();
        let import = common::pgrecon_with(
            &[
                "import",
                "--database-url",
                &as_reader(&x.url()),
                "--out",
                &reader_dir,
            ],
            &[],
        );
        assert!(
            import.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&import.stderr)
        );
        let files = |dir: &Path| -> BTreeMap<String, String> {
            std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect()
        };
        // The role that imports is written as external (never altered), so the two
        // connecting roles' entries differ by design; everything else is the same.
        let without_connecting_roles = |mut files: BTreeMap<String, String>| {
            if let Some(roles) = files.get_mut("roles.toml") {
                *roles = roles
                    .split("\n\n")
                    .filter(|b| {
                        !b.starts_with("[roles.postgres]")
                            && !b.starts_with("[roles.pgrecon_ci_reader]")
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            files
        };
        let got = without_connecting_roles(files(by_reader.path()));
        let expected = without_connecting_roles(files(dir.path()));
        for (name, text) in &expected {
            let diff =
                similar::TextDiff::from_lines(text, got.get(name).map_or("", String::as_str))
                    .unified_diff()
                    .to_string();
            assert!(diff.is_empty(), "{file}: import of {name} differs:\n{diff}");
        }
        assert_eq!(got.len(), expected.len(), "{file}: import");
        same_as_superuser(&x, dir.path(), &format!("{file}, no changes")).await;
        let y = TestDb::embedded().await;
        y.exec(READER).await;
        same_as_superuser(&y, dir.path(), &format!("{file} on an empty database")).await;
    }
}
