//! The throwaway cluster, the connection settings of a session, and the test harness.

mod common;

use std::time::{Duration, Instant};

use common::TestDb;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use pgrecon::conn::{self, ConnectionSettings};
use pgrecon::embedded::EmbeddedPostgres;

async fn start() -> EmbeddedPostgres {
    tokio::task::spawn_blocking(EmbeddedPostgres::start)
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn role_exists(client: &tokio_postgres::Client, role: &str) -> bool {
    client
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )
        .await
        .unwrap()
        .get(0)
}

fn process_exists(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_started_in_parallel_are_independent() {
    let (a, b) = tokio::join!(start(), start());
    assert_ne!(a.socket_dir(), b.socket_dir());

    let client_a = conn::connect(&ConnectionSettings::from_config(a.config("postgres")))
        .await
        .unwrap();
    let client_b = conn::connect(&ConnectionSettings::from_config(b.config("postgres")))
        .await
        .unwrap();
    client_a
        .batch_execute("CREATE ROLE only_in_a")
        .await
        .unwrap();
    assert!(role_exists(&client_a, "only_in_a").await);
    assert!(!role_exists(&client_b, "only_in_a").await);
}

#[tokio::test]
async fn sessions_render_values_the_same_everywhere() {
    let db = TestDb::new().await;
    let client = db.client().await;
    for (setting, expected) in [
        ("TimeZone", "UTC"),
        ("DateStyle", "ISO, YMD"),
        ("IntervalStyle", "postgres"),
        ("extra_float_digits", "3"),
        ("application_name", "pgrecon"),
        ("server_encoding", "UTF8"),
    ] {
        let row = client
            .query_one(&format!("SHOW {setting}"), &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), expected, "{setting}");
    }
    let row = client
        .query_one("SELECT current_database()::text", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), db.dbname);

    db.exec("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)")
        .await;
    let row = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 2);
}

#[tokio::test]
async fn the_url_resolves_to_the_cluster() {
    let cluster = start().await;
    assert!(
        cluster.version().starts_with(|c: char| c.is_ascii_digit()),
        "{}",
        cluster.version()
    );
    let settings = conn::resolve(Some(&cluster.url("postgres")))
        .unwrap()
        .unwrap();
    assert_eq!(settings.dbname(), Some("postgres"));
    let client = conn::connect(&settings).await.unwrap();
    let row = client
        .query_one("SELECT current_setting('server_version')", &[])
        .await
        .unwrap();
    let server_version: String = row.get(0);
    assert!(
        server_version.starts_with(cluster.version()),
        "{server_version} vs {}",
        cluster.version()
    );
}

#[tokio::test]
async fn dropping_the_cluster_stops_the_server_and_removes_it() {
    let cluster = start().await;
    let socket_dir = cluster.socket_dir().to_path_buf();
    let socket = socket_dir.join(format!(".s.PGSQL.{}", cluster.port()));
    let postmaster = i32::try_from(cluster.pid().unwrap()).unwrap();
    assert!(socket.exists());
    assert!(process_exists(postmaster));

    let client = conn::connect(&ConnectionSettings::from_config(cluster.config("postgres")))
        .await
        .unwrap();
    let backend: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(process_exists(backend));

    let started = Instant::now();
    drop(cluster);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(!socket.exists());
    assert!(!socket_dir.exists());
    assert!(!process_exists(postmaster));
    // The postmaster only exits once its backends are gone.
    assert!(!process_exists(backend));
    assert!(client.simple_query("SELECT 1").await.is_err());
}

#[tokio::test]
async fn a_shared_server_gets_a_fresh_database_and_loses_the_new_roles() {
    let server = start().await;
    let admin = conn::connect(&ConnectionSettings::from_config(server.config("postgres")))
        .await
        .unwrap();
    admin.batch_execute("CREATE ROLE existing").await.unwrap();

    let dbname;
    {
        let db = TestDb::on_server(&server.url("postgres")).await;
        dbname = db.dbname.clone();
        assert!(dbname.starts_with("pgrecon_test_"), "{dbname}");
        db.exec(
            "CREATE ROLE created_by_test; CREATE SCHEMA s AUTHORIZATION created_by_test; \
             GRANT USAGE ON SCHEMA s TO existing",
        )
        .await;
        // The URL names the test database, for child processes.
        let settings = conn::resolve(Some(&db.url())).unwrap().unwrap();
        assert_eq!(settings.dbname(), Some(dbname.as_str()));
        // Serialised: a second shared TestDb waits for the first to be dropped.
        let url = server.url("postgres");
        let other = tokio::time::timeout(Duration::from_millis(300), TestDb::on_server(&url)).await;
        assert!(other.is_err(), "a second shared test ran concurrently");
    }

    assert!(role_exists(&admin, "existing").await);
    assert!(!role_exists(&admin, "created_by_test").await);
    let remaining: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&dbname],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(remaining, 0);

    // The lock is free again.
    let next = tokio::time::timeout(
        Duration::from_secs(10),
        TestDb::on_server(&server.url("postgres")),
    )
    .await
    .expect("the shared-server lock was not released");
    drop(next);
}

#[tokio::test]
async fn connection_failures_say_what_to_do() {
    let cluster = start().await;
    let err = conn::connect(&ConnectionSettings::from_config(
        cluster.config("missing_db"),
    ))
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("database \"missing_db\" does not exist"),
        "{err}"
    );
    assert!(
        err.ends_with("check the database name (dbname, PGDATABASE)"),
        "{err}"
    );

    let mut config = tokio_postgres::Config::new();
    config
        .host_path(cluster.socket_dir().join("nowhere"))
        .user("postgres");
    let err = conn::connect(&ConnectionSettings::from_config(config))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("check that the server is running and the host and port are right"),
        "{err}"
    );
}
