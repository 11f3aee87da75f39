//! Data-driven cases against a real PostgreSQL. Each directory under `tests/cases/`:
//!
//! - `start.sql` (optional): the starting state, run on a fresh cluster;
//! - `desired/*.toml`: the desired state (or `dir` in `case.toml`);
//! - `case.toml` (optional): options (`prune`, `allow_destructive`, `expect`, `[env]`,
//!   `since`: the case needs PostgreSQL `since` or later, and on an older server the
//!   plan must be refused, naming the version it needs);
//! - `[[check]]`s in the desired state run with the (real) apply: a case proves with them
//!   that the data survived;
//! - `plan.snap`: the expected plan (text and SQL), an insta snapshot; `plan.pgNN.snap`
//!   replaces it on PostgreSQL NN and later (the highest NN not above the server's major
//!   wins), for plans that honestly differ by version (e.g. membership options on 16+).
//!
//! The runner applies the start, plans and checks the snapshot, then for a converging
//! case: aborts an apply in the middle and proves nothing changed, applies for real,
//! proves a re-plan is empty and a second apply says "no changes", and finally imports
//! the result and proves the import plans back as empty. A `refused` case proves the
//! apply is refused and nothing changed: as destructive, or, when the plan has `error`
//! notes (declared changes that cannot be made in place), as impossible.

mod common;
mod fingerprint;

use common::TestDb;
use fingerprint::fingerprint;
use libtest_mimic::{Arguments, Trial};
use pgrecon::apply::{self, ApplyError, ApplyHooks, ApplyOptions, ApplyOutcome, NoHooks};
use pgrecon::diff::{DiffOptions, NoteKind};
use pgrecon::plan::{Plan, Step};
use pgrecon::render::{Format, render};
use pgrecon::{canon, config, diff, import, introspect, plan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Expect {
    #[default]
    Converge,
    Refused,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseOptions {
    /// Desired-state directory, relative to the case directory.
    dir: Option<PathBuf>,
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    allow_destructive: bool,
    #[serde(default)]
    expect: Expect,
    /// The PostgreSQL major the case needs; on older servers the plan must be refused.
    since: Option<u32>,
    /// Environment seen by password sources.
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/cases exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let trials = dirs
        .into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(run_case(&dir));
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// Aborts the apply after the given step.
struct AbortAfter(usize);
impl ApplyHooks for AbortAfter {
    fn after_step(&mut self, step: &Step) -> Result<(), String> {
        if step.number == self.0 {
            Err("injected failure".into())
        } else {
            Ok(())
        }
    }
}

async fn plan_now(
    client: &mut tokio_postgres::Client,
    desired: &pgrecon::model::Catalog,
    options: &DiffOptions,
) -> Plan {
    let desired = canon::in_scratch_transaction(client, desired)
        .await
        .expect("canonicalize");
    let live = introspect::snapshot(client).await.expect("introspect");
    plan::build(&diff::diff(&desired, &live, options).expect("diff")).expect("plan")
}

async fn server_major(client: &tokio_postgres::Client) -> u32 {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int4 / 10000",
            &[],
        )
        .await
        .expect("server version");
    u32::try_from(row.get::<_, i32>(0)).expect("a positive version")
}

/// `plan`, or `plan.pgNN` for the highest `plan.pgNN.snap` in `dir` with NN <= `major`.
fn snapshot_name(dir: &Path, major: u32) -> String {
    std::fs::read_dir(dir)
        .expect("case directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let n: u32 = name
                .strip_prefix("plan.pg")?
                .strip_suffix(".snap")?
                .parse()
                .ok()?;
            (n <= major).then_some(n)
        })
        .max()
        .map_or_else(|| "plan".to_owned(), |n| format!("plan.pg{n}"))
}

async fn run_case(dir: &Path) {
    let options: CaseOptions = match std::fs::read_to_string(dir.join("case.toml")) {
        Ok(text) => toml::from_str(&text).expect("valid case.toml"),
        Err(_) => CaseOptions::default(),
    };
    let db = TestDb::new().await;
    if let Ok(sql) = std::fs::read_to_string(dir.join("start.sql")) {
        db.exec(&sql).await;
    }
    let desired_dir = dir.join(options.dir.clone().unwrap_or_else(|| "desired".into()));
    let mut desired = match config::load_dir(&desired_dir) {
        Ok(d) => d,
        Err(e) => panic!("desired state does not load:\n{}", config::render(&e)),
    };
    let env = options.env.clone();
    config::resolve_secrets(&mut desired, &move |k| env.get(k).cloned()).expect("secrets");
    // `[[check]]`s run with the real apply, inside its transaction (a failing one rolls
    // it back and fails the case): a case can prove that its data survived.
    let checks = desired.checks.clone();
    let desired = desired.catalog;
    let diff_options = DiffOptions {
        prune: options.prune,
    };
    let mut client = db.client().await;

    let major = server_major(&client).await;
    if let Some(since) = options.since.filter(|since| major < *since) {
        // Refused by whichever stage meets the feature first: canonicalisation, else diff.
        let refusal = match canon::in_scratch_transaction(&mut client, &desired).await {
            Err(canon::CanonError::NeedsNewerServer(e)) => e,
            Err(e) => panic!("canonicalize: {e}"),
            Ok(desired) => {
                let live = introspect::snapshot(&mut client).await.expect("introspect");
                match diff::diff(&desired, &live, &diff_options) {
                    Err(diff::DiffError::NeedsNewerServer(e)) => e,
                    other => panic!("the plan must be refused on PostgreSQL {major}: {other:?}"),
                }
            }
        };
        assert_eq!(
            refusal.needed_major,
            i32::try_from(since).unwrap(),
            "{refusal}"
        );
        return;
    }
    let plan = plan_now(&mut client, &desired, &diff_options).await;
    // The database name differs on a shared server (PGRECON_TEST_DATABASE_URL).
    let snapshot = format!(
        "{}\n{}",
        render(&plan, None, Format::Text),
        render(&plan, None, Format::Sql)
    )
    .replace(&db.dbname, "pgrecon_test");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let name = snapshot_name(dir, major);
    settings.bind(|| insta::assert_snapshot!(name, snapshot));
    assert!(!plan.is_empty(), "a case must start with something to do");

    let apply_options = ApplyOptions {
        diff: diff_options.clone(),
        allow_destructive: options.allow_destructive,
        ..ApplyOptions::default()
    };
    let before = fingerprint(&client).await;
    match options.expect {
        Expect::Refused => {
            let err = apply::apply(&mut client, &desired, &apply_options, &mut NoHooks)
                .await
                .expect_err("apply must be refused");
            if plan.notes.iter().any(|n| n.kind == NoteKind::Error) {
                assert!(matches!(err, ApplyError::Impossible(_)), "{err}");
            } else {
                assert!(matches!(err, ApplyError::Destructive(_)), "{err}");
            }
            assert_eq!(
                fingerprint(&client).await,
                before,
                "a refused apply changed the database"
            );
        }
        Expect::Converge => {
            // A failure in the middle leaves nothing behind.
            let middle = plan.steps.len().div_ceil(2);
            let err = apply::apply(
                &mut client,
                &desired,
                &apply_options,
                &mut AbortAfter(middle),
            )
            .await
            .expect_err("the injected failure aborts the apply");
            assert!(matches!(err, ApplyError::Aborted { .. }), "{err}");
            assert_eq!(
                fingerprint(&client).await,
                before,
                "an aborted apply left changes behind"
            );

            let input = apply::ApplyInput {
                desired: &desired,
                checks: &checks,
                saved: None,
            };
            let mut report = pgrecon::report::RunReport::start("apply");
            let outcome = apply::run(
                &mut client,
                &input,
                &apply_options,
                &mut NoHooks,
                &mut report,
            )
            .await
            .unwrap_or_else(|e| panic!("apply failed: {e}"));
            assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
            let again = plan_now(&mut client, &desired, &diff_options).await;
            assert!(
                again.is_empty(),
                "re-plan after apply is not empty:\n{}",
                render(&again, None, Format::Text)
            );
            let second = apply::apply(&mut client, &desired, &apply_options, &mut NoHooks)
                .await
                .expect("second apply");
            assert!(
                matches!(second, ApplyOutcome::NoChanges(_)),
                "second apply changed things"
            );

            // import is the inverse of config: what it writes plans back as empty.
            let live = introspect::snapshot(&mut client).await.expect("introspect");
            let out = tempfile::tempdir().unwrap();
            import::write(&live, &import::ImportOptions::default(), out.path()).expect("import");
            let imported = match config::load_dir(out.path()) {
                Ok(d) => d.catalog,
                Err(e) => panic!("imported state does not load:\n{}", config::render(&e)),
            };
            let replan = plan_now(&mut client, &imported, &DiffOptions::default()).await;
            assert!(
                replan.is_empty(),
                "import does not plan back as empty:\n{}",
                render(&replan, None, Format::Text)
            );
        }
    }
}
