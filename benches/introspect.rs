//! Introspection at scale: builds a synthetic catalog of N tables (default 10,000; env
//! `PGRECON_BENCH_TABLES`) on an embedded cluster and times `introspect::snapshot`.
//!
//! Each table has 14 columns of mixed types (identity, varchar(n), numeric(p,s), enum,
//! array, jsonb, timestamptz(3), defaults), a primary key, a check constraint, a foreign
//! key to the previous table, a unique constraint on every tenth table, and three
//! indexes (partial, expression, two-column with DESC): about 140k columns, 41k indexes
//! and 31k constraints at 10,000 tables, the size DESIGN.md §5 budgets for.
//!
//! `cargo bench --bench introspect`. Environment:
//!
//! - `PGRECON_BENCH_TABLES`: number of tables (default 10000);
//! - `PGRECON_BENCH_DATABASE_URL`: use this server instead of an embedded cluster (the
//!   catalog is built in schema `bench`, and kept: a later run with the same number of
//!   tables reuses it);
//! - `PGRECON_BENCH_DETAIL=1`: also time each query on its own (one fresh session, in
//!   pipeline order, so relation caches warm up as they do in a real read).
//!
//! Every timed read uses a fresh session, like a CLI run: the server's relation cache is
//! cold, which is what deparsing expressions with a relation context pays for.

use pgrecon::embedded::EmbeddedPostgres;
use pgrecon::introspect;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Config, NoTls};

const RUNS: usize = 5;
/// Tables per transaction while building (each table takes ~10 locks; the embedded
/// cluster's lock table holds ~2,000).
const BATCH: usize = 100;

fn main() {
    let tables: usize = std::env::var("PGRECON_BENCH_TABLES")
        .ok()
        .map(|v| v.parse().expect("PGRECON_BENCH_TABLES must be a number"))
        .unwrap_or(10_000);
    let url = std::env::var("PGRECON_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());

    // Kept alive until the end: dropping it stops the server.
    let (cluster, config) = match &url {
        Some(url) => (
            None,
            url.parse::<Config>().expect("a valid connection string"),
        ),
        None => {
            let cluster = EmbeddedPostgres::start().expect("start an embedded cluster");
            let config = cluster.config("postgres");
            (Some(cluster), config)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(config, tables, cluster.is_some()));
    drop(cluster);
}

async fn connect(config: &Config) -> Client {
    let (client, connection) = config.connect(NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

async fn run(mut config: Config, tables: usize, embedded: bool) {
    if embedded {
        let admin = connect(&config).await;
        admin
            .batch_execute("CREATE DATABASE bench")
            .await
            .expect("create the bench database");
        config.dbname("bench");
    }
    let client = connect(&config).await;
    let existing: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'bench' AND c.relkind = 'r'",
            &[],
        )
        .await
        .expect("count bench tables")
        .get(0);
    if existing != tables as i64 {
        let started = Instant::now();
        build(&client, tables).await;
        eprintln!(
            "built {tables} tables in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    drop(client);

    // Cold sessions, as the CLI reads. Only counts are kept, so that peak RSS is that
    // of one read.
    let mut cold = Vec::with_capacity(RUNS);
    let mut server_cpu = Vec::with_capacity(RUNS);
    let mut client_cpu = Vec::with_capacity(RUNS);
    let mut counts = None;
    for _ in 0..RUNS {
        let mut client = connect(&config).await;
        let server_before = backend_cpu(&client).await;
        let client_before = process_cpu();
        let started = Instant::now();
        let catalog = introspect::snapshot(&mut client).await.expect("introspect");
        cold.push(started.elapsed());
        if let (Some(before), Some(after)) = (client_before, process_cpu()) {
            client_cpu.push(after.saturating_sub(before));
        }
        if let (Some(before), Some(after)) = (server_before, backend_cpu(&client).await) {
            server_cpu.push(after.saturating_sub(before));
        }
        if counts.is_none() {
            counts = Some(Counts::of(&catalog));
        }
    }
    // One session reading again and again, as the reconcile loop does.
    let mut warm = Vec::with_capacity(RUNS);
    let mut client = connect(&config).await;
    drop(introspect::snapshot(&mut client).await.expect("introspect"));
    for _ in 0..RUNS {
        let started = Instant::now();
        drop(introspect::snapshot(&mut client).await.expect("introspect"));
        warm.push(started.elapsed());
    }
    drop(client);
    let counts = counts.expect("at least one run");

    if std::env::var("PGRECON_BENCH_DETAIL").is_ok_and(|v| v == "1") {
        detail(&config, counts.version_num).await;
    }

    let (cold_median, cold_min, cold_max) = stats(&mut cold);
    let (warm_median, _, _) = stats(&mut warm);
    // CPU time is what the read costs whatever else the machine runs; wall time is
    // what a user waits on this machine now.
    let cpu = |runs: &mut Vec<Duration>| {
        if runs.is_empty() {
            "unknown".to_string()
        } else {
            format!("{} ms", stats(runs).0.as_millis())
        }
    };
    println!(
        "introspect: {} tables ({} columns, {} indexes, {} constraints) in {} queries: \
         median {} ms (min {}, max {}) over {RUNS} fresh sessions, {} ms in a warm \
         session; median CPU: server {}, client {}; peak RSS {}",
        counts.tables,
        counts.columns,
        counts.indexes,
        counts.constraints,
        introspect::QUERY_COUNT,
        cold_median.as_millis(),
        cold_min.as_millis(),
        cold_max.as_millis(),
        warm_median.as_millis(),
        cpu(&mut server_cpu),
        cpu(&mut client_cpu),
        peak_rss(),
    );
}

/// CPU time the session's server process has used so far (superusers only: it reads
/// `/proc/self/schedstat` of the backend).
async fn backend_cpu(client: &Client) -> Option<Duration> {
    let row = client
        .query_one(
            "SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::int8",
            &[],
        )
        .await
        .ok()?;
    Some(Duration::from_nanos(row.get::<_, i64>(0).try_into().ok()?))
}

/// CPU time (user + system) this process has used so far, from `/proc/self/stat`.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// What one read found.
struct Counts {
    tables: usize,
    columns: usize,
    /// Indexes, including those backing primary key, unique and exclusion constraints.
    indexes: usize,
    constraints: usize,
    version_num: i32,
}

impl Counts {
    fn of(catalog: &pgrecon::model::Catalog) -> Counts {
        use pgrecon::model::ConstraintKind;
        let tables = || catalog.tables.values();
        let constraints = || tables().flat_map(|t| t.constraints.values());
        let backing = constraints()
            .filter(|c| {
                matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclusion { .. }
                )
            })
            .count();
        Counts {
            tables: catalog.tables.len(),
            columns: tables().map(|t| t.columns.len()).sum(),
            indexes: tables().map(|t| t.indexes.len()).sum::<usize>() + backing,
            constraints: constraints().count(),
            version_num: catalog.server.as_ref().map_or(150000, |s| s.version_num),
        }
    }
}

/// Median, min and max.
fn stats(runs: &mut [Duration]) -> (Duration, Duration, Duration) {
    runs.sort();
    (runs[runs.len() / 2], runs[0], runs[runs.len() - 1])
}

/// `VmHWM` of this process (the client side; the server's memory is its own).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Each query alone, in pipeline order, in one fresh session and one transaction.
async fn detail(config: &Config, version_num: i32) {
    let mut client = connect(config).await;
    let tx = client.transaction().await.expect("begin");
    for (name, sql) in introspect::query_texts(version_num, true) {
        let started = Instant::now();
        let rows = tx.query_typed(&sql, &[]).await.expect(name);
        eprintln!(
            "  {name:<20} {:>7.1} ms  {:>7} rows",
            started.elapsed().as_secs_f64() * 1000.0,
            rows.len()
        );
    }
    tx.rollback().await.expect("rollback");
}

/// The synthetic catalog, in batches of [`BATCH`] tables per transaction (a DO block
/// that commits as it goes).
async fn build(client: &Client, tables: usize) {
    client
        .batch_execute(
            "DROP SCHEMA IF EXISTS bench CASCADE;
             CREATE SCHEMA bench;
             CREATE TYPE bench.status AS ENUM ('new', 'active', 'done');",
        )
        .await
        .expect("create the bench schema");
    let script = format!(
        r#"
DO $$
BEGIN
  FOR i IN 1..{tables} LOOP
    EXECUTE format($f$
      CREATE TABLE bench.t%1$s (
        id bigint GENERATED BY DEFAULT AS IDENTITY,
        parent_id bigint,
        code varchar(32) NOT NULL,
        name text NOT NULL,
        amount numeric(12,2) NOT NULL DEFAULT 0,
        qty integer DEFAULT 1,
        ratio double precision,
        active boolean NOT NULL DEFAULT true,
        status bench.status NOT NULL DEFAULT 'new',
        tags text[] DEFAULT '{{}}',
        meta jsonb DEFAULT '{{}}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz(3),
        ref uuid,
        CONSTRAINT t%1$s_pkey PRIMARY KEY (id),
        CONSTRAINT t%1$s_amount_check CHECK (amount >= 0 AND qty > 0)
      )$f$, i);
    IF i > 1 THEN
      EXECUTE format('ALTER TABLE bench.t%1$s ADD CONSTRAINT t%1$s_parent_fk
                      FOREIGN KEY (parent_id) REFERENCES bench.t%2$s (id) ON DELETE CASCADE',
                     i, i - 1);
    END IF;
    IF i % 10 = 0 THEN
      EXECUTE format('ALTER TABLE bench.t%1$s ADD CONSTRAINT t%1$s_code_key UNIQUE (code)', i);
    END IF;
    EXECUTE format('CREATE INDEX t%1$s_active_idx ON bench.t%1$s (created_at) WHERE active', i);
    EXECUTE format('CREATE INDEX t%1$s_lower_name_idx ON bench.t%1$s (lower(name))', i);
    EXECUTE format('CREATE INDEX t%1$s_parent_idx ON bench.t%1$s (parent_id, created_at DESC)', i);
    EXECUTE format('COMMENT ON COLUMN bench.t%1$s.code IS %2$L', i, 'code of ' || i);
    IF i % {BATCH} = 0 THEN
      COMMIT;
    END IF;
  END LOOP;
END $$;
"#
    );
    client
        .batch_execute(&script)
        .await
        .expect("build the synthetic catalog");
    // Autovacuum keeps catalog statistics current on a real server; the embedded one
    // runs without it.
    client.batch_execute("ANALYZE").await.expect("analyze");
}
