//! Convergence on other projects' diff-tool test suites (`tests/corpora/pairs/`): for
//! every before/after pair, in both directions, load *before* into database X and
//! *after* into database Z of one cluster, `pgrecon import` Z, `pgrecon apply --prune
//! --allow-destructive` that state onto X, compare X and Z with an independent
//! comparator (normalised `pg_dump --schema-only` plus catalog queries: `compare.rs`),
//! and re-plan X (`pgrecon plan --prune` exits 0).
//!
//! One trial per pair and direction, `group/case/forward` and `group/case/backward`:
//! `cargo test --test convergence -- pgschema/create_table` runs one group. Each trial
//! is classified (`expect::Class`) and checked against `tests/corpora/pairs/expected.toml`:
//! a trial fails only when its class changed. `PGRECON_CONVERGENCE_UPDATE=1` rewrites
//! the file and the README's figures instead. `PGRECON_CONVERGENCE_SKIP=1` (set by
//! `scripts/matrix`) marks every trial ignored: the harness runs on the default server.
//!
//! The trials share one cluster (databases per trial; roles are cluster-wide, so every
//! role the pairs use is created once, up front, from `roles.sql`).

mod common;
#[path = "convergence/compare.rs"]
mod compare;
#[path = "convergence/expect.rs"]
mod expect;
#[path = "convergence/scope.rs"]
mod scope;
#[path = "convergence/selftest.rs"]
mod selftest;

use common::TestDb;
use expect::{Class, Outcome};
use pgrecon::sql::quote_ident;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const UPDATE_ENV: &str = "PGRECON_CONVERGENCE_UPDATE";
const SKIP_ENV: &str = "PGRECON_CONVERGENCE_SKIP";
const VERBOSE_ENV: &str = "PGRECON_CONVERGENCE_VERBOSE";

fn pairs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/pairs")
}

fn expected_path() -> PathBuf {
    pairs_dir().join("expected.toml")
}

fn readme_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// One before/after pair.
struct Pair {
    /// `pgschema/create_table/add_pk`, `migra/everything`.
    name: String,
    before: PathBuf,
    after: PathBuf,
    /// Run first on both sides.
    setup: Option<PathBuf>,
}

/// Every directory under `tests/corpora/pairs` with `old.sql`/`new.sql` (pgschema) or
/// `a.sql`/`b.sql` (migra), sorted.
fn discover(dir: &Path, root: &Path, out: &mut Vec<Pair>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for (b, a) in [("old.sql", "new.sql"), ("a.sql", "b.sql")] {
        if dir.join(b).is_file() && dir.join(a).is_file() {
            let name = dir.strip_prefix(root).expect("under the root");
            out.push(Pair {
                name: name.to_string_lossy().replace('\\', "/"),
                before: dir.join(b),
                after: dir.join(a),
                setup: Some(dir.join("setup.sql")).filter(|p| p.is_file()),
            });
            return;
        }
    }
    for entry in entries.into_iter().filter(|p| p.is_dir()) {
        discover(&entry, root, out);
    }
}

/// The cluster the trials share, started by the first trial that runs.
struct Server {
    db: TestDb,
    /// Keeps the connections `TestDb` holds alive.
    _runtime: tokio::runtime::Runtime,
    /// Where `psql` and a `pg_dump` matching the server are.
    bin_dir: PathBuf,
    next_db: AtomicUsize,
}

static SERVER: Mutex<Option<Arc<Server>>> = Mutex::new(None);
static RESULTS: Mutex<BTreeMap<String, Outcome>> = Mutex::new(BTreeMap::new());

fn server() -> Arc<Server> {
    let mut slot = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = slot.as_ref() {
        return Arc::clone(server);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let db = runtime.block_on(TestDb::new());
    let bin_dir = match &db.cluster {
        Some(cluster) => cluster.bin_dir().to_path_buf(),
        None => pgrecon::embedded::find_bin_dir()
            .unwrap_or_else(|e| panic!("pg_dump for {}: {e}", common::TEST_DATABASE_URL_ENV)),
    };
    let server = Server {
        _runtime: runtime,
        bin_dir,
        next_db: AtomicUsize::new(0),
        db,
    };
    if let Err(e) = psql_file(
        &server.bin_dir,
        &server.db.url(),
        &pairs_dir().join("roles.sql"),
    ) {
        panic!("roles.sql: {e}");
    }
    let server = Arc::new(server);
    *slot = Some(Arc::clone(&server));
    server
}

/// Runs `psql` on `url` with ON_ERROR_STOP; the first error line on failure.
fn psql(bin_dir: &Path, url: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(bin_dir.join("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
        .args(args)
        .env("PGOPTIONS", "--client-min-messages=warning")
        .output()
        .map_err(|e| format!("psql does not run: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(first_error(&String::from_utf8_lossy(&out.stderr)))
    }
}

fn psql_file(bin_dir: &Path, url: &str, file: &Path) -> Result<String, String> {
    psql(bin_dir, url, &["-f", &file.to_string_lossy()])
}

/// Rows of `sql`, unaligned, tab-separated.
pub fn psql_query(bin_dir: &Path, url: &str, sql: &str) -> Result<String, String> {
    psql(bin_dir, url, &["-At", "-F", "\t", "-c", sql])
}

/// The first line that says what went wrong, without psql's file:line prefix.
fn first_error(stderr: &str) -> String {
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.contains("ERROR") || l.to_lowercase().starts_with("error"))
        .or_else(|| stderr.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("(no message)");
    let line = match line.find("ERROR:") {
        Some(i) => &line[i..],
        None => line,
    };
    compare::clip(line)
}

/// The first line of pgrecon's error output that names the problem: its `error:` line
/// or the first line of a diagnostic, without the drawing characters.
fn pgrecon_error(out: &Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let cleaned = |l: &str| {
        l.trim_start_matches(|c: char| c.is_whitespace() || "×│├╰─┬╭┆•|".contains(c))
            .trim()
            .to_owned()
    };
    let lines: Vec<String> = text
        .lines()
        .map(cleaned)
        .filter(|l| !l.is_empty())
        .collect();
    let i = lines
        .iter()
        .position(|l| l.to_lowercase().starts_with("error") || l.contains("ERROR"))
        .unwrap_or(0);
    let Some(line) = lines.get(i) else {
        return "(no message)".to_owned();
    };
    // "the server rejected 1 desired object:" says what in the next line.
    match lines.get(i + 1).filter(|_| line.ends_with(':')) {
        Some(next) => compare::clip(&format!("{line} {next}")),
        None => compare::clip(line),
    }
}

/// With `PGRECON_CONVERGENCE_VERBOSE=1`, what a failed pgrecon run printed.
fn show(name: &str, what: &str, out: &Output) {
    if flag(VERBOSE_ENV) {
        eprintln!(
            "--- {name}: {what}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The first change a non-empty plan lists.
fn first_change(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(['+', '-', '~', '!']))
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("(empty output)");
    compare::clip(line)
}

/// Two databases of one trial, dropped at the end.
struct Databases<'a> {
    server: &'a Server,
    names: [String; 2],
}

impl Databases<'_> {
    /// Two fresh databases, X and Z.
    fn create(server: &Server) -> Databases<'_> {
        let n = server.next_db.fetch_add(1, Ordering::Relaxed);
        let names = [
            format!("{}_cv{n}_x", server.db.dbname),
            format!("{}_cv{n}_z", server.db.dbname),
        ];
        for name in &names {
            let sql = format!("CREATE DATABASE {}", quote_ident(name));
            psql(&server.bin_dir, &server.db.url(), &["-c", &sql])
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        Databases { server, names }
    }

    fn url(&self, i: usize) -> String {
        common::with_dbname(&self.server.db.url(), &self.names[i])
    }
}

impl Drop for Databases<'_> {
    fn drop(&mut self) {
        for name in &self.names {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
            if let Err(e) = psql(&self.server.bin_dir, &self.server.db.url(), &["-c", &sql]) {
                eprintln!("warning: {sql}: {e}");
            }
        }
    }
}

/// Runs one pair in one direction: *from* is loaded into X, *to* into Z.
fn run_trial(pair: &Pair, backward: bool) -> Outcome {
    let server = server();
    let bin = server.bin_dir.as_path();
    let dbs = Databases::create(&server);
    let (x_url, z_url) = (dbs.url(0), dbs.url(1));
    let (from, to) = if backward {
        (&pair.after, &pair.before)
    } else {
        (&pair.before, &pair.after)
    };
    let outcome = |class, detail: String| Outcome { class, detail };
    for (url, file, side) in [(&x_url, from, "X"), (&z_url, to, "Z")] {
        let loaded = match &pair.setup {
            Some(setup) => psql_file(bin, url, setup).and_then(|_| psql_file(bin, url, file)),
            None => psql_file(bin, url, file),
        };
        if let Err(e) = loaded {
            let file = file.file_name().unwrap_or_default().to_string_lossy();
            return outcome(Class::DoesNotLoad, format!("{file} into {side}: {e}"));
        }
    }

    let mut unmanaged = Vec::new();
    for url in [&x_url, &z_url] {
        unmanaged.extend(scope::unmanaged(bin, url).unwrap_or_else(|e| panic!("{e}")));
    }
    unmanaged.sort();
    unmanaged.dedup();
    if !unmanaged.is_empty() {
        return outcome(Class::OutOfScope, unmanaged.join(", "));
    }

    let snapshot = |url: &str, i: usize| {
        compare::snapshot(bin, url, &dbs.names[i]).unwrap_or_else(|e| panic!("{e}"))
    };
    let z = snapshot(&z_url, 1);
    let no_op = snapshot(&x_url, 0) == z;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let out_dir = dir.path().to_string_lossy().into_owned();
    let env = [("NO_COLOR", "1")];
    let import = common::pgrecon_with(
        &["import", "--database-url", &z_url, "--out", &out_dir],
        &env,
    );
    if !import.status.success() {
        show(&pair.name, "import", &import);
        return outcome(Class::ImportFailed, pgrecon_error(&import));
    }
    let apply = common::pgrecon_with(
        &[
            "apply",
            "--dir",
            &out_dir,
            "--database-url",
            &x_url,
            "--prune",
            "--allow-destructive",
        ],
        &env,
    );
    if !apply.status.success() {
        show(&pair.name, "apply", &apply);
        // Refused before anything ran: the plan named a change PostgreSQL cannot make
        // in place (its error notes), which is not a failure of the apply.
        let class = if String::from_utf8_lossy(&apply.stderr).contains("cannot be made in place") {
            Class::Refused
        } else {
            Class::ApplyFailed
        };
        return outcome(class, pgrecon_error(&apply));
    }
    let x = snapshot(&x_url, 0);
    let reordered = compare::first_difference(&x, &z);
    if let Some(difference) = reordered.as_ref()
        && !compare::differs_only_in_column_order(&x, &z)
    {
        return outcome(Class::Diverged, difference.clone());
    }
    let plan = common::pgrecon_with(
        &[
            "plan",
            "--dir",
            &out_dir,
            "--database-url",
            &x_url,
            "--prune",
        ],
        &env,
    );
    if plan.status.code() != Some(0) {
        show(&pair.name, "re-plan", &plan);
    }
    match plan.status.code() {
        Some(0) => {}
        Some(2) => {
            return outcome(
                Class::PlanFailed,
                format!("re-plan: {}", first_change(&plan)),
            );
        }
        _ => return outcome(Class::PlanFailed, pgrecon_error(&plan)),
    }
    if let Some(difference) = reordered {
        outcome(Class::ColumnOrder, difference)
    } else if no_op {
        outcome(Class::NoOp, String::new())
    } else {
        outcome(Class::Converged, String::new())
    }
}

/// Checks a trial's outcome against its expectation; the failure says what to update.
fn check(name: &str, got: &Outcome, expected: Option<&Outcome>) -> Result<(), String> {
    let line = |o: &Outcome| {
        let mut entry = format!("\"{name}\" = {{ class = \"{}\"", o.class.name());
        if !o.detail.is_empty() {
            entry.push_str(&format!(
                ", detail = {}",
                toml::Value::String(o.detail.clone())
            ));
        }
        entry + " }"
    };
    let how = format!(
        "update tests/corpora/pairs/expected.toml to\n    {}\n(or rerun with {UPDATE_ENV}=1 and review the diff)",
        line(got)
    );
    let Some(expected) = expected else {
        return Err(format!(
            "{name} has no expectation: it is {}; {how}",
            got.class.name()
        ));
    };
    if expected.class == got.class {
        return Ok(());
    }
    let verdict = if expected.class.is_success() && !got.class.is_success() {
        "REGRESSION: it converged before; fix it, or if that is intended"
    } else if got.class.is_success() {
        "it converges now: record the fix:"
    } else {
        "its class changed:"
    };
    Err(format!(
        "{name}: expected {} ({}), now {} ({})\n{verdict} {how}",
        expected.class.name(),
        expected.detail,
        got.class.name(),
        got.detail
    ))
}

fn main() {
    let mut args = libtest_mimic::Arguments::from_args();
    // The trials wait on processes and on the server more than they compute.
    args.test_threads = args.test_threads.or(Some(4));
    let update = flag(UPDATE_ENV);
    let skip = flag(SKIP_ENV);
    let expected = Arc::new(expect::read(&expected_path()).unwrap_or_else(|e| panic!("{e}")));

    let mut pairs = Vec::new();
    discover(&pairs_dir(), &pairs_dir(), &mut pairs);
    let mut names = Vec::new();
    let mut trials = Vec::new();
    for pair in pairs.into_iter().map(Arc::new) {
        for (direction, backward) in [("forward", false), ("backward", true)] {
            let name = format!("{}/{direction}", pair.name);
            names.push(name.clone());
            let pair = Arc::clone(&pair);
            let expected = Arc::clone(&expected);
            let trial_name = name.clone();
            trials.push(
                libtest_mimic::Trial::test(name, move || {
                    let got = run_trial(&pair, backward);
                    RESULTS
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(trial_name.clone(), got.clone());
                    if update {
                        return Ok(());
                    }
                    check(&trial_name, &got, expected.get(&trial_name)).map_err(Into::into)
                })
                .with_ignored_flag(skip),
            );
        }
    }
    {
        let expected = Arc::clone(&expected);
        let names = names.clone();
        trials.push(
            libtest_mimic::Trial::test("expectations/current", move || {
                if update {
                    return Ok(());
                }
                expectations_current(&expected, &names).map_err(Into::into)
            })
            .with_ignored_flag(skip),
        );
    }
    trials.push(
        libtest_mimic::Trial::test("comparator/sees_differences", || {
            selftest::comparator_sees_differences().map_err(Into::into)
        })
        .with_ignored_flag(skip),
    );
    if skip {
        println!(
            "convergence: every trial is ignored ({SKIP_ENV} is set): the harness runs on the default server only (scripts/test)"
        );
    }

    let started = Instant::now();
    let conclusion = libtest_mimic::run(&args, trials);
    let results = std::mem::take(&mut *RESULTS.lock().unwrap_or_else(|e| e.into_inner()));
    // Stops the cluster.
    drop(SERVER.lock().unwrap_or_else(|e| e.into_inner()).take());
    if !results.is_empty() {
        println!(
            "convergence: {} trials in {:.0?}\n{}",
            results.len(),
            started.elapsed(),
            expect::summary_table(&results)
        );
    }
    if update && !results.is_empty() {
        let mut merged = (*expected).clone();
        merged.extend(results);
        merged.retain(|name, _| names.contains(name));
        std::fs::write(expected_path(), expect::render(&merged)).expect("write expected.toml");
        let readme = std::fs::read_to_string(readme_path()).expect("README.md");
        let readme =
            expect::readme_with_figures(&readme, &merged).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(readme_path(), readme).expect("write README.md");
        println!(
            "convergence: rewrote {} and the README figures",
            expected_path().display()
        );
    }
    conclusion.exit();
}

/// Every trial has an expectation, every expectation a trial, and the README's figures
/// are the ones the expectations give.
fn expectations_current(
    expected: &BTreeMap<String, Outcome>,
    names: &[String],
) -> Result<(), String> {
    let mut wrong = Vec::new();
    for name in names {
        if !expected.contains_key(name) {
            wrong.push(format!("{name}: no expectation (a new pair?)"));
        }
    }
    for name in expected.keys() {
        if !names.contains(name) {
            wrong.push(format!(
                "{name}: expected, but there is no such pair: remove the line"
            ));
        }
    }
    let readme = std::fs::read_to_string(readme_path()).map_err(|e| e.to_string())?;
    if expect::readme_with_figures(&readme, expected)? != readme {
        wrong.push("README.md: the \"Convergence\" figures do not match expected.toml".to_owned());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\nfix tests/corpora/pairs/expected.toml, or rerun with {UPDATE_ENV}=1 and review the diff",
            wrong.join("\n")
        ))
    }
}
