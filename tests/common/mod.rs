//! The test harness: every test gets a fresh database on a real PostgreSQL.
//!
//! By default each `TestDb` starts its own throwaway cluster (`pgrecon::embedded`, copied
//! from a cached template, so it takes a fraction of a second), and creates the database
//! `pgrecon_test` in it. Roles are cluster-wide, so one cluster per test is what lets
//! tests create and drop roles while running in parallel.
//!
//! With `PGRECON_TEST_DATABASE_URL` set, tests use that server instead (its user must be
//! a superuser). Each `TestDb` then creates its own database `pgrecon_test_<pid>_<n>`
//! and drops it at the end. Because roles are shared by the whole server, such tests are
//! serialised: within the process by an async mutex, across processes by a session-level
//! `pg_advisory_lock` held on a dedicated connection. At the end, the roles that did not
//! exist when the `TestDb` was created are dropped (`DROP OWNED BY` in the test
//! database, then `DROP ROLE`).
//!
//! Failures panic: a test that needs a database fails without one, it never skips.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use pgrecon::conn::{self, ConnectionSettings};
use pgrecon::embedded::EmbeddedPostgres;
use pgrecon::sql::quote_ident;

pub const TEST_DATABASE_URL_ENV: &str = "PGRECON_TEST_DATABASE_URL";
const EMBEDDED_DBNAME: &str = "pgrecon_test";
/// Key of the advisory lock that serialises tests sharing one server ("pgrecon").
const SERVER_LOCK_KEY: i64 = 0x0070_6772_6563_6f6e;

pub struct TestDb {
    /// The throwaway cluster; `None` on a `PGRECON_TEST_DATABASE_URL` server.
    pub cluster: Option<EmbeddedPostgres>,
    pub dbname: String,
    settings: ConnectionSettings,
    url: String,
    client: tokio::sync::OnceCell<tokio_postgres::Client>,
    shared: Option<SharedServer>,
}

/// What a test on a shared server holds and must undo.
struct SharedServer {
    /// Settings for the database named in `PGRECON_TEST_DATABASE_URL`.
    admin: ConnectionSettings,
    roles_before: BTreeSet<String>,
    /// Keeps the session holding the advisory lock open until cleanup is done.
    _lock_session: tokio_postgres::Client,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl TestDb {
    /// A fresh database: on its own cluster, or on `PGRECON_TEST_DATABASE_URL`'s server.
    pub async fn new() -> TestDb {
        match std::env::var(TEST_DATABASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => TestDb::on_server(&url).await,
            _ => TestDb::embedded().await,
        }
    }

    /// A fresh cluster (from the cached template) with the database `pgrecon_test`.
    pub async fn embedded() -> TestDb {
        let cluster = tokio::task::spawn_blocking(EmbeddedPostgres::start)
            .await
            .expect("the cluster start task panicked")
            .unwrap_or_else(|e| panic!("could not start the embedded PostgreSQL cluster: {e}"));
        let admin = ConnectionSettings::from_config(cluster.config("postgres"));
        let client = connect_or_panic(&admin).await;
        exec_or_panic(
            &client,
            &format!("CREATE DATABASE {}", quote_ident(EMBEDDED_DBNAME)),
        )
        .await;
        TestDb {
            dbname: EMBEDDED_DBNAME.to_owned(),
            settings: ConnectionSettings::from_config(cluster.config(EMBEDDED_DBNAME)),
            url: cluster.url(EMBEDDED_DBNAME),
            cluster: Some(cluster),
            client: tokio::sync::OnceCell::new(),
            shared: None,
        }
    }

    /// A fresh database on an existing server, serialised with every other test using
    /// that server (see the module comment).
    pub async fn on_server(url: &str) -> TestDb {
        static LOCAL_LOCK: OnceLock<Arc<tokio::sync::Mutex<()>>> = OnceLock::new();
        static COUNTER: AtomicUsize = AtomicUsize::new(0);

        let guard = Arc::clone(LOCAL_LOCK.get_or_init(Default::default))
            .lock_owned()
            .await;
        let admin = conn::resolve(Some(url))
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL_ENV} is not usable: {e}"))
            .expect("a URL was given");
        let lock_session = connect_or_panic(&admin).await;
        lock_session
            .execute("SELECT pg_advisory_lock($1)", &[&SERVER_LOCK_KEY])
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "could not take the test server lock: {}",
                    conn::error_chain(&e)
                )
            });

        let dbname = format!(
            "pgrecon_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        // A crashed earlier run with the same pid may have left it behind.
        exec_or_panic(
            &lock_session,
            &format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&dbname)
            ),
        )
        .await;
        exec_or_panic(
            &lock_session,
            &format!("CREATE DATABASE {}", quote_ident(&dbname)),
        )
        .await;
        let roles_before = role_names(&lock_session).await;
        TestDb {
            settings: admin.with_dbname(&dbname),
            url: with_dbname(url, &dbname),
            dbname,
            cluster: None,
            client: tokio::sync::OnceCell::new(),
            shared: Some(SharedServer {
                admin,
                roles_before,
                _lock_session: lock_session,
                _guard: guard,
            }),
        }
    }

    /// A connection string for the test database, for running the CLI binary.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn config(&self) -> tokio_postgres::Config {
        self.settings.config().clone()
    }

    pub fn settings(&self) -> &ConnectionSettings {
        &self.settings
    }

    /// A new connection to the test database, through `pgrecon::conn::connect`.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect_or_panic(&self.settings).await
    }

    /// Runs SQL (several statements allowed) on the test database; panics on error.
    pub async fn exec(&self, sql: &str) {
        let client = self
            .client
            .get_or_init(|| connect_or_panic(&self.settings))
            .await;
        exec_or_panic(client, sql).await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return; // the cluster stops and vanishes when `cluster` drops
        };
        let dbname = self.dbname.clone();
        let admin = shared.admin.clone();
        let roles_before = shared.roles_before.clone();
        // Drop cannot await, and the test's runtime may be the one blocked here: clean
        // up on a thread with its own runtime, before the lock is released.
        let cleanup = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(clean_up_shared(admin, dbname, roles_before))
        });
        match cleanup.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: test database cleanup failed: {e}"),
            Err(_) => eprintln!("warning: test database cleanup panicked"),
        }
        drop(shared); // releases the advisory lock and the local mutex
    }
}

async fn clean_up_shared(
    admin: ConnectionSettings,
    dbname: String,
    roles_before: BTreeSet<String>,
) -> Result<(), String> {
    let admin_client = conn::connect(&admin).await.map_err(|e| e.to_string())?;
    let new_roles: Vec<String> = role_names(&admin_client)
        .await
        .difference(&roles_before)
        .cloned()
        .collect();
    let role_list = new_roles
        .iter()
        .map(|r| quote_ident(r))
        .collect::<Vec<_>>()
        .join(", ");
    if !new_roles.is_empty() {
        let test_client = conn::connect(&admin.with_dbname(&dbname))
            .await
            .map_err(|e| e.to_string())?;
        test_client
            .batch_execute(&format!("DROP OWNED BY {role_list}"))
            .await
            .map_err(|e| format!("DROP OWNED BY in {dbname}: {}", conn::error_chain(&e)))?;
    }
    admin_client
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&dbname)
        ))
        .await
        .map_err(|e| format!("DROP DATABASE {dbname}: {}", conn::error_chain(&e)))?;
    if !new_roles.is_empty() {
        // Privileges in the admin database would block DROP ROLE.
        admin_client
            .batch_execute(&format!("DROP OWNED BY {role_list}; DROP ROLE {role_list}"))
            .await
            .map_err(|e| format!("DROP ROLE {role_list}: {}", conn::error_chain(&e)))?;
    }
    Ok(())
}

async fn role_names(client: &tokio_postgres::Client) -> BTreeSet<String> {
    client
        .query("SELECT rolname::text FROM pg_roles", &[])
        .await
        .unwrap_or_else(|e| panic!("could not list roles: {}", conn::error_chain(&e)))
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn connect_or_panic(settings: &ConnectionSettings) -> tokio_postgres::Client {
    conn::connect(settings)
        .await
        .unwrap_or_else(|e| panic!("could not connect to the test database: {e}"))
}

async fn exec_or_panic(client: &tokio_postgres::Client, sql: &str) {
    if let Err(e) = client.batch_execute(sql).await {
        panic!("SQL failed: {}\n--- SQL ---\n{sql}", conn::error_chain(&e));
    }
}

/// The connection string with another database: a later `dbname` overrides an earlier
/// one both in URLs (query over path) and in key=value strings.
pub fn with_dbname(url: &str, dbname: &str) -> String {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}dbname={dbname}")
    } else {
        format!("{url} dbname='{dbname}'")
    }
}

/// Runs the pgrecon binary as CI does: no connection from the environment (no `PG*`
/// variable, no `DATABASE_URL`), plus `env`. pgrecon's own `PGRECON_*` settings stay
/// (the server binaries of the version under test).
pub fn pgrecon_with(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    pgrecon_command(args, env).output().expect("pgrecon runs")
}

/// The command [`pgrecon_with`] runs, to spawn it instead (several at once).
pub fn pgrecon_command(args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgrecon"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        let connection = k.starts_with("PG") && !k.starts_with("PGRECON_");
        if connection || k == "DATABASE_URL" || k.starts_with("BUTLER_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The desired state in `toml` (one file, `all.toml`), or a panic with its diagnostics.
pub fn load_toml(toml: &str) -> pgrecon::config::Desired {
    let files = vec![(std::path::PathBuf::from("all.toml"), toml.to_string())];
    pgrecon::config::load_files(&files)
        .unwrap_or_else(|e| panic!("{}", pgrecon::config::render(&e)))
}

/// The desired state in `dir`, or a panic with its diagnostics.
pub fn load_dir(dir: &std::path::Path) -> pgrecon::config::Desired {
    pgrecon::config::load_dir(dir).unwrap_or_else(|e| panic!("{}", pgrecon::config::render(&e)))
}

/// `schema.name` (unquoted) as a qualified name.
pub fn qn(text: &str) -> pgrecon::model::QualifiedName {
    pgrecon::model::QualifiedName::parse(text).expect("schema.name")
}
