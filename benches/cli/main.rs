//! The CLI at scale, as users run it: for each size, a throwaway cluster holding a
//! synthetic catalog (`catalog.rs`), `pgrecon import` of it, then rounds of every
//! command below, each a whole process timed from spawn to reap with its peak RSS
//! (`measure.rs`), and `pg_dump --schema-only` of the same database in the same round as
//! the reference. Prints Markdown tables with issue 14's targets (`report.rs`).
//!
//! `cargo bench --bench cli` (sizes 1,000 and 10,000 tables). Sizes as arguments
//! (`cargo bench --bench cli -- 1k 10k 50k`) or in `PGRECON_BENCH_SIZES` (`1k,10k`);
//! rounds in `PGRECON_BENCH_RUNS` (default 5; the median is quoted);
//! `PGRECON_BENCH_KEEP=1` keeps the work directory (the imported desired state, the
//! last round's output).
//!
//! The commands: `plan` with no changes; `plan` of the desired state plus one new table;
//! `apply` of the whole desired state to an empty database of a third cluster, and
//! `psql -f` of the same plan's SQL (each run on a fresh database, the roles dropped);
//! `plan` against an empty database on a second
//! cluster (no roles either: everything to create); `drift`; `verify`; `import` (into a
//! fresh directory each round); `validate`; `pg_dump --schema-only`. Each must exit as
//! expected (0; 2 for the plan with changes), or the bench stops: a timed no-op plan
//! that is not a no-op would measure something else.

mod catalog;
mod measure;
mod report;

use pgrecon::embedded::EmbeddedPostgres;
use report::{Row, Target};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DEFAULT_SIZES: &[usize] = &[1_000, 10_000];
const DEFAULT_RUNS: usize = 5;

fn main() {
    let sizes = sizes();
    let runs: usize = std::env::var("PGRECON_BENCH_RUNS")
        .ok()
        .map(|v| v.parse().expect("PGRECON_BENCH_RUNS must be a number"))
        .unwrap_or(DEFAULT_RUNS)
        .max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut results = Vec::new();
    for &tables in &sizes {
        let rows = bench_size(&runtime, tables, runs);
        println!("{}", report::size_table(tables, &rows));
        results.push((tables, rows));
    }
    if let Some(table) = report::scaling_table(&results) {
        println!("Growth of the median wall time with the catalog:\n\n{table}");
    }
}

/// Sizes from the arguments (`cargo bench` adds `--bench`, skipped), else
/// `PGRECON_BENCH_SIZES`, else [`DEFAULT_SIZES`].
fn sizes() -> Vec<usize> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let listed = if args.is_empty() {
        std::env::var("PGRECON_BENCH_SIZES")
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    } else {
        args
    };
    let sizes: Vec<usize> = listed
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (digits, scale) = match s.strip_suffix(['k', 'K']) {
                Some(d) => (d, 1_000),
                None => (s, 1),
            };
            let n: usize = digits
                .parse()
                .unwrap_or_else(|_| panic!("a size is a number of tables (1000 or 1k): {s}"));
            n * scale
        })
        .collect();
    if sizes.is_empty() {
        DEFAULT_SIZES.to_vec()
    } else {
        sizes
    }
}

/// One command to time: its argument vector and the exit code it must return.
struct Job {
    name: &'static str,
    argv: Vec<OsString>,
    expect: i32,
    target: Target,
    /// Removed before each run (import writes into a new directory).
    fresh_dir: Option<PathBuf>,
    /// A cluster (its `postgres` database) on which [`APPLY_DATABASE`] is created afresh,
    /// and every role but the bootstrap one dropped, before each run.
    reset: Option<tokio_postgres::Config>,
    /// The log of the server it talks to, shown when it fails.
    server_log: Option<PathBuf>,
}

fn bench_size(runtime: &tokio::runtime::Runtime, tables: usize, runs: usize) -> Vec<Row> {
    // Both kept alive until the end: dropping one stops its server.
    let mut full = EmbeddedPostgres::start().expect("start an embedded cluster");
    let mut empty = EmbeddedPostgres::start().expect("start a second embedded cluster");
    let mut apply = EmbeddedPostgres::start().expect("start a third embedded cluster");
    runtime.block_on(lock_table(&empty, STOCK_LOCKS));
    empty.restart().expect("restart the cluster");
    // `pg_dump` locks every table it dumps, in one transaction: past about 10,000 tables
    // it runs out of a stock lock table ("out of shared memory"). pgrecon's reads take
    // no such locks; the reference needs the room.
    runtime.block_on(lock_table(&full, APPLY_LOCKS));
    full.restart().expect("restart the cluster");
    // Applying the whole catalog in one transaction holds about ten locks per table
    // until it commits: apply refuses up front on a stock lock table, so the cluster it
    // applies to has one sized for it (as its help says to do).
    runtime.block_on(lock_table(&apply, APPLY_LOCKS));
    apply.restart().expect("restart the cluster");
    let started = Instant::now();
    let counts = runtime.block_on(async {
        create_database(&empty).await;
        let client = create_database(&full).await;
        catalog::build(&client, tables)
            .await
            .expect("build the synthetic catalog");
        catalog::count(&client).await.expect("count the catalog")
    });
    eprintln!(
        "{tables} tables: built in {:.1} s on PostgreSQL {}: {counts}",
        started.elapsed().as_secs_f64(),
        full.version()
    );
    println!(
        "### {tables} tables ({counts}; PostgreSQL {}), median of {runs} rounds\n",
        full.version()
    );

    let work = tempfile::tempdir().expect("a work directory");
    let desired = work.path().join("desired");
    let url = full.url(catalog::DATABASE);
    let empty_url = empty.url(catalog::DATABASE);
    let started = Instant::now();
    run_checked(
        &Job {
            name: "import (setup)",
            argv: pgrecon(&["import", "--out"], &desired, &url),
            expect: 0,
            target: Target::NONE,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        work.path(),
    );
    eprintln!("  imported in {:.1} s", started.elapsed().as_secs_f64());

    let pg_dump = full.bin_dir().join("pg_dump");
    let pg_dump = if pg_dump.exists() {
        pg_dump
    } else {
        PathBuf::from("pg_dump")
    };
    // The plan from empty as SQL, for `psql -f`: what applying it costs without pgrecon.
    let plan_sql = work.path().join("plan.sql");
    let out = Command::new(env!("CARGO_BIN_EXE_pgrecon"))
        .args(["plan", "--format", "sql", "--dir"])
        .arg(&desired)
        .args(["--database-url", &empty_url])
        .output()
        .expect("run pgrecon plan --format sql");
    assert_eq!(out.status.code(), Some(2), "plan --format sql from empty");
    std::fs::write(&plan_sql, &out.stdout).expect("write the plan's SQL");
    let apply_url = apply.url(APPLY_DATABASE);
    let psql = apply.bin_dir().join("psql");
    let psql = if psql.exists() {
        psql
    } else {
        PathBuf::from("psql")
    };
    let imported = work.path().join("imported");
    // The desired state plus one new table: what a pull request usually is.
    let one_more = work.path().join("one-more");
    copy_dir(&desired, &one_more);
    std::fs::write(
        one_more.join("bench_extra.toml"),
        "[tables.\"tenant_0001.bench_extra\"]\nprimary_key = [\"id\"]\n\n\
         [tables.\"tenant_0001.bench_extra\".columns]\n\
         id = { type = \"int8\", not_null = true, identity = \"by_default\" }\n\
         note = { type = \"varchar(20)\", default = \"'x'\" }\n",
    )
    .expect("write the extra table");
    let jobs = [
        Job {
            name: "`plan`, no changes",
            argv: pgrecon(&["plan", "--dir"], &desired, &url),
            expect: 0,
            target: Target::READ,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`plan`, one table added",
            argv: pgrecon(&["plan", "--dir"], &one_more, &url),
            expect: 2,
            target: Target::NONE,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`plan` against an empty database",
            argv: pgrecon(&["plan", "--dir"], &desired, &empty_url),
            expect: 2,
            target: Target::FROM_EMPTY,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&empty)),
        },
        Job {
            name: "`apply` to an empty database",
            argv: pgrecon(&["apply", "--dir"], &desired, &apply_url),
            expect: 0,
            target: Target::NONE,
            fresh_dir: None,
            reset: Some(apply.config("postgres")),
            server_log: Some(server_log(&apply)),
        },
        Job {
            name: "`psql -f` of the same plan's SQL",
            argv: [
                psql.into_os_string(),
                "-X".into(),
                "-q".into(),
                "-o".into(),
                "/dev/null".into(),
                "-f".into(),
                plan_sql.clone().into_os_string(),
                "-d".into(),
                apply_url.clone().into(),
            ]
            .into(),
            expect: 0,
            target: Target::NONE,
            fresh_dir: None,
            reset: Some(apply.config("postgres")),
            server_log: Some(server_log(&apply)),
        },
        Job {
            name: "`drift`",
            argv: pgrecon(&["drift", "--dir"], &desired, &url),
            expect: 0,
            target: Target::READ,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`verify`",
            argv: pgrecon(&["verify", "--dir"], &desired, &url),
            expect: 0,
            target: Target::READ,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`import`",
            argv: pgrecon(&["import", "--out"], &imported, &url),
            expect: 0,
            target: Target::NONE,
            fresh_dir: Some(imported.clone()),
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`validate`",
            argv: [
                env!("CARGO_BIN_EXE_pgrecon").into(),
                "validate".into(),
                "--dir".into(),
                desired.clone().into_os_string(),
            ]
            .into(),
            expect: 0,
            target: Target::NONE,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
        Job {
            name: "`pg_dump --schema-only`",
            argv: [
                pg_dump.into_os_string(),
                "--schema-only".into(),
                "--file".into(),
                work.path().join("dump.sql").into_os_string(),
                "--dbname".into(),
                url.clone().into(),
            ]
            .into(),
            expect: 0,
            target: Target::NONE,
            fresh_dir: None,
            reset: None,
            server_log: Some(server_log(&full)),
        },
    ];
    let reference = jobs.len() - 1;

    let mut rows: Vec<Row> = jobs
        .iter()
        .map(|job| Row {
            name: job.name.to_string(),
            target: job.target,
            samples: Vec::with_capacity(runs),
            ratios: Vec::with_capacity(runs),
        })
        .collect();
    // Round by round, every command once, so that a change in the machine's load
    // reaches all of them alike, and the ratio pairs runs of the same round.
    for round in 1..=runs {
        let samples: Vec<measure::Sample> = jobs
            .iter()
            .map(|job| {
                if let Some(admin) = &job.reset {
                    runtime.block_on(reset_apply_database(admin.clone()));
                }
                let sample = run_checked(job, work.path());
                eprintln!(
                    "  {tables} tables, round {round}/{runs}: {} {:.2} s, {} MB",
                    job.name,
                    sample.wall.as_secs_f64(),
                    sample.peak_rss_kib.div_ceil(1024)
                );
                sample
            })
            .collect();
        let dump = samples[reference].wall.as_secs_f64();
        for (i, (row, sample)) in rows.iter_mut().zip(&samples).enumerate() {
            row.samples.push(*sample);
            if i != reference {
                row.ratios.push(sample.wall.as_secs_f64() / dump);
            }
        }
    }
    if std::env::var("PGRECON_BENCH_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("  kept {}", work.keep().display());
    }
    drop(apply);
    drop(empty);
    drop(full);
    rows
}

/// Copies the files of directory `from` into a new directory `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the desired state") {
        let entry = entry.expect("a directory entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
    }
}

/// `pgrecon <args> <path> --database-url <url>`.
fn pgrecon(args: &[&str], path: &Path, url: &str) -> Vec<OsString> {
    let mut argv: Vec<OsString> = vec![env!("CARGO_BIN_EXE_pgrecon").into()];
    argv.extend(args.iter().map(OsString::from));
    argv.push(path.as_os_str().to_owned());
    argv.push("--database-url".into());
    argv.push(url.into());
    argv
}

/// Runs `job` once (output to files in `work`), and stops the bench if it did not exit
/// as expected.
fn run_checked(job: &Job, work: &Path) -> measure::Sample {
    if let Some(dir) = &job.fresh_dir
        && dir.exists()
    {
        std::fs::remove_dir_all(dir).expect("remove the previous import");
    }
    let mut cmd = Command::new(&job.argv[0]);
    cmd.args(&job.argv[1..]);
    // Only the arguments say where to connect.
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("PG") || key_text == "DATABASE_URL" {
            cmd.env_remove(&key);
        }
    }
    let (out, err) = (work.join("stdout"), work.join("stderr"));
    let sample = measure::run(&mut cmd, &out, &err)
        .unwrap_or_else(|e| panic!("could not run {}: {e}", job.name));
    if sample.code != Some(job.expect) {
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        let stdout = std::fs::read_to_string(&out).unwrap_or_default();
        let log = job
            .server_log
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        // Its first messages (the cause; what follows is often "transaction is aborted"),
        // not the statements it echoes after them.
        let log: Vec<&str> = log
            .lines()
            .filter(|l| {
                ["ERROR:", "FATAL:", "DETAIL:", "HINT:"]
                    .iter()
                    .any(|k| l.contains(k))
            })
            .collect();
        let log = log[..log.len().min(10)].join("\n");
        panic!(
            "{} exited with {:?}, not {}\nstdout (end): {}\nstderr (end): {}\nserver log (first messages):\n{}",
            job.name,
            sample.code,
            job.expect,
            tail(&stdout),
            tail(&stderr),
            tail(&log),
        );
    }
    sample
}

/// The last 3,000 characters of `text`.
fn tail(text: &str) -> &str {
    let mut start = text.len().saturating_sub(3000);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Where `pgrecon::embedded` has the cluster's server write its log.
fn server_log(cluster: &EmbeddedPostgres) -> PathBuf {
    cluster.socket_dir().join("data").join("server.log")
}

/// The embedded cluster runs with 30 connections, so a lock table of 30 × 64 slots; a
/// stock server has 100 × 64. Users plan against the latter (and with the former, the
/// plan of 10,000 tables to create runs out of lock slots in canon's read-back: issue
/// 14's notes). Takes effect at the restart.
const STOCK_LOCKS: u32 = 214;
/// `max_locks_per_transaction` of the cluster the apply jobs apply to (room for 50,000
/// tables created in one transaction) and of the one `pg_dump` reads.
const APPLY_LOCKS: u32 = 12_000;

async fn lock_table(cluster: &EmbeddedPostgres, locks: u32) {
    connect(cluster.config("postgres"))
        .await
        .batch_execute(&format!(
            "ALTER SYSTEM SET max_locks_per_transaction = {locks}"
        ))
        .await
        .expect("set max_locks_per_transaction");
}

/// The database the apply jobs apply to, on the third cluster.
const APPLY_DATABASE: &str = "bench_apply";

/// Drops [`APPLY_DATABASE`] and the roles an apply created, and creates the database
/// again: every apply run starts from the same empty cluster.
async fn reset_apply_database(admin: tokio_postgres::Config) {
    let client = connect(admin).await;
    let db = pgrecon::sql::quote_ident(APPLY_DATABASE);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .await
        .expect("drop the apply database");
    let roles = client
        .query(
            r"SELECT rolname::text FROM pg_catalog.pg_roles
               WHERE rolname NOT LIKE 'pg\_%' AND rolname <> current_user",
            &[],
        )
        .await
        .expect("list the roles");
    for row in roles {
        let role: String = row.get(0);
        client
            .batch_execute(&format!("DROP ROLE {}", pgrecon::sql::quote_ident(&role)))
            .await
            .expect("drop a role");
    }
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .expect("create the apply database");
}

/// Creates [`catalog::DATABASE`] on `cluster` and connects to it.
async fn create_database(cluster: &EmbeddedPostgres) -> tokio_postgres::Client {
    let admin = connect(cluster.config("postgres")).await;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {}",
            pgrecon::sql::quote_ident(catalog::DATABASE)
        ))
        .await
        .expect("create the bench database");
    connect(cluster.config(catalog::DATABASE)).await
}

async fn connect(config: tokio_postgres::Config) -> tokio_postgres::Client {
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}
