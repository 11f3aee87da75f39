//! Where to connect and how: `--database-url`, else `DATABASE_URL`, else the libpq
//! environment (`PGHOST` …, service files, `.pgpass`), resolved the way libpq resolves
//! them; and the TLS connector for the chosen `sslmode`.
//!
//! Precedence per setting, as in libpq: the connection string, then the service it
//! names (`service=` or `PGSERVICE`), then the `PG*` variables, then the defaults (local
//! socket, the OS user name, `.pgpass` for a missing password).
//!
//! Differences from libpq: `allow` behaves as `prefer` (TLS first, plain on refusal);
//! `verify-ca`/`verify-full` without any root certificate trust the public web roots
//! instead of failing; a unix-socket host matches `localhost` or its own path in
//! `.pgpass`; client certificates are not supported.
//!
//! Files by concern: [`conninfo`] parses connection strings, [`env`] reads the `PG*`
//! variables and OS defaults, [`service`] and [`pgpass`] the libpq files, [`tls`] the
//! `sslmode` connector, [`session`] connects and pins the session settings.

mod conninfo;
mod env;
mod pgpass;
mod service;
mod session;
mod tls;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use tokio_postgres::config::Host;

use conninfo::parse_conninfo;
use env::{ENV_FALLBACKS, SELECTING_VARS, default_socket_dir, home_dir, os_user_name};
use pgpass::pgpass_lookup;
use service::apply_service;
use session::connect_hint;

pub use session::{SUPPORTED_MAJORS, UnsupportedServer, check_server_version, connect};
pub use tls::{RootCerts, SslMode};

/// Keywords handed to tokio-postgres as they are.
const DRIVER_KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "connect_timeout",
    "options",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
    "sslnegotiation",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
];

/// Keywords pgrecon interprets itself.
const OWN_KEYWORDS: &[&str] = &["sslmode", "sslrootcert", "service", "passfile"];

/// libpq keywords that make no difference to pgrecon (checked in `check_ignored`).
const IGNORED_KEYWORDS: &[&str] = &["fallback_application_name", "client_encoding", "gssencmode"];

#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("--database-url is empty; pass a postgres:// URL or key=value pairs, or leave it out")]
    EmptyUrl,
    /// A command that changes the database found no connection and was not asked to
    /// use an embedded server: a deploy job whose connection secret is missing must
    /// fail, not apply to a throwaway server and report success.
    #[error(
        "no database to {command}: --database-url, DATABASE_URL and {} are all unset\n  help: set DATABASE_URL (or pass --database-url) to the target database, or pass --embedded to {command} a throwaway server started from the installed binaries",
        SELECTING_VARS.join(", ")
    )]
    NoTarget { command: &'static str },
    #[error(
        "invalid connection string in {origin}: {reason}; use a postgres://user@host:port/dbname URL or key=value pairs"
    )]
    Syntax {
        origin: &'static str,
        reason: &'static str,
    },
    #[error("invalid {key} {value:?}; use {expected}")]
    InvalidValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("connection option `{key}` is not supported; remove it from the connection settings")]
    UnsupportedOption { key: String },
    #[error(
        "invalid connection settings: {}; check --database-url, DATABASE_URL and the PG* variables",
        error_chain(.0)
    )]
    Config(tokio_postgres::Error),
    #[error("could not read {}: {source}; check that it is readable", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "definition of service {service:?} not found (looked in {searched}); add it to one of those files or unset PGSERVICE"
    )]
    ServiceNotFound { service: String, searched: String },
    #[error("syntax error in service file {} at line {line}: {reason}; fix that line", .path.display())]
    ServiceFile {
        path: PathBuf,
        line: usize,
        reason: &'static str,
    },
    #[error(
        "could not load root certificates from {}: {reason}; fix the file or point sslrootcert / PGSSLROOTCERT elsewhere",
        .path.display()
    )]
    RootCert { path: PathBuf, reason: String },
    #[error("could not set up TLS: {0}")]
    Tls(#[source] rustls::Error),
    // tokio-postgres errors show their cause only through `source()` ("db error"), so
    // the messages render the whole chain and the errors are kept as plain fields.
    #[error("could not connect to {target}: {}; {}", error_chain(.error), connect_hint(.error))]
    Connect {
        target: String,
        error: tokio_postgres::Error,
    },
    #[error("connected, but could not set up the session: {}", error_chain(.0))]
    Session(tokio_postgres::Error),
    #[error(transparent)]
    UnsupportedServer(#[from] UnsupportedServer),
}

/// `error: cause: cause …`, skipping a cause whose text the previous one already shows.
/// The error's own message escapes the names it holds; a cause is other code's text (a
/// server message naming a live object, multi-line), so it is shown as one `text_line`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let part = crate::escape::text_line(&cause.to_string()).into_owned();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = cause.source();
    }
    text
}

/// A resolved connection: driver settings plus what tokio-postgres does not know about.
/// `Debug` and `Display` never show the password.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    config: tokio_postgres::Config,
    ssl_mode: SslMode,
    root_certs: RootCerts,
}

impl ConnectionSettings {
    /// Wraps a ready-made config (embedded cluster, tests); its TLS mode carries over.
    pub fn from_config(config: tokio_postgres::Config) -> Self {
        use tokio_postgres::config::SslMode as Driver;
        let ssl_mode = match config.get_ssl_mode() {
            Driver::Disable => SslMode::Disable,
            Driver::Require => SslMode::Require,
            _ => SslMode::Prefer,
        };
        ConnectionSettings {
            config,
            ssl_mode,
            root_certs: RootCerts::Unset,
        }
    }

    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    pub fn dbname(&self) -> Option<&str> {
        self.config.get_dbname()
    }

    pub fn user(&self) -> Option<&str> {
        self.config.get_user()
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    pub fn root_certs(&self) -> &RootCerts {
        &self.root_certs
    }

    /// The same server and credentials, another database.
    pub fn with_dbname(&self, dbname: &str) -> Self {
        let mut settings = self.clone();
        settings.config.dbname(dbname);
        settings
    }

    fn only_unix_sockets(&self) -> bool {
        let hosts = self.config.get_hosts();
        !hosts.is_empty()
            && self.config.get_hostaddrs().is_empty()
            && hosts.iter().all(|h| !matches!(h, Host::Tcp(_)))
    }
}

impl fmt::Display for ConnectionSettings {
    /// `host=… port=… dbname=… user=… sslmode=…`, never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts: Vec<String> = if self.config.get_hosts().is_empty() {
            self.config
                .get_hostaddrs()
                .iter()
                .map(ToString::to_string)
                .collect()
        } else {
            self.config
                .get_hosts()
                .iter()
                .map(|h| match h {
                    Host::Tcp(name) => name.clone(),
                    Host::Unix(path) => path.display().to_string(),
                })
                .collect()
        };
        let ports: Vec<String> = self
            .config
            .get_ports()
            .iter()
            .map(ToString::to_string)
            .collect();
        write!(f, "host={}", hosts.join(","))?;
        write!(
            f,
            " port={}",
            if ports.is_empty() {
                "5432".to_owned()
            } else {
                ports.join(",")
            }
        )?;
        if let Some(dbname) = self.config.get_dbname() {
            write!(f, " dbname={dbname}")?;
        }
        if let Some(user) = self.config.get_user() {
            write!(f, " user={user}")?;
        }
        if self.only_unix_sockets() {
            Ok(())
        } else {
            write!(f, " sslmode={}", self.ssl_mode)
        }
    }
}

/// Resolves the connection from `--database-url`, `DATABASE_URL` or the libpq variables.
/// `Ok(None)` means nothing is configured at all.
pub fn resolve(database_url: Option<&str>) -> Result<Option<ConnectionSettings>, ConnError> {
    resolve_with(database_url, &|name| std::env::var(name).ok())
}

/// `resolve` for a command that changes the database: with nothing configured it is
/// refused unless `embedded` (the `--embedded` flag) asks for a throwaway server, in
/// which case `Ok(None)` is returned.
pub fn resolve_for_change(
    database_url: Option<&str>,
    embedded: bool,
    command: &'static str,
) -> Result<Option<ConnectionSettings>, ConnError> {
    require_target(resolve(database_url)?, embedded, command)
}

/// The refusal of `resolve_for_change`, apart from the environment (tests).
pub fn require_target(
    resolved: Option<ConnectionSettings>,
    embedded: bool,
    command: &'static str,
) -> Result<Option<ConnectionSettings>, ConnError> {
    match resolved {
        None if !embedded => Err(ConnError::NoTarget { command }),
        other => Ok(other),
    }
}

/// `resolve` with the environment passed in (tests do not touch the process env).
pub fn resolve_with(
    database_url: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ConnectionSettings>, ConnError> {
    // An empty variable counts as unset (`DATABASE_URL=` in a CI file means "none").
    let env = |name: &str| env(name).filter(|v| !v.is_empty());

    let conninfo = match database_url {
        Some(url) if url.trim().is_empty() => return Err(ConnError::EmptyUrl),
        Some(url) => Some(("--database-url", url.to_owned())),
        None => env("DATABASE_URL").map(|url| ("DATABASE_URL", url)),
    };
    if conninfo.is_none() && !SELECTING_VARS.iter().any(|name| env(name).is_some()) {
        return Ok(None);
    }

    let mut options = match &conninfo {
        Some((origin, text)) => parse_conninfo(text, origin)?,
        None => BTreeMap::new(),
    };
    if let Some(service) = options.get("service").cloned().or_else(|| env("PGSERVICE")) {
        apply_service(&mut options, &service, &env)?;
    }
    for (key, var) in ENV_FALLBACKS {
        if !options.contains_key(*key)
            && let Some(value) = env(var)
        {
            options.insert((*key).to_owned(), value);
        }
    }
    let settings = build(options, &env)?;
    tracing::debug!(connection = %settings, "resolved the connection settings");
    Ok(Some(settings))
}

fn build(
    mut options: BTreeMap<String, String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ConnectionSettings, ConnError> {
    for key in options.keys() {
        let known = DRIVER_KEYWORDS.contains(&key.as_str())
            || OWN_KEYWORDS.contains(&key.as_str())
            || IGNORED_KEYWORDS.contains(&key.as_str());
        if !known {
            return Err(ConnError::UnsupportedOption { key: key.clone() });
        }
    }
    check_ignored(&options)?;

    let ssl_mode = match options.get("sslmode") {
        None => SslMode::default(),
        Some(value) => SslMode::parse(value).ok_or_else(|| ConnError::InvalidValue {
            key: "sslmode",
            value: value.clone(),
            expected: SslMode::EXPECTED,
        })?,
    };
    let home = home_dir(env);
    let root_certs = match options.get("sslrootcert").map(String::as_str) {
        Some("system") => RootCerts::System,
        Some(path) => RootCerts::File(PathBuf::from(path)),
        // libpq's default location; its mere presence turns on verification.
        None => match home.as_ref().map(|h| h.join(".postgresql/root.crt")) {
            Some(path) if path.is_file() => RootCerts::File(path),
            _ => RootCerts::Unset,
        },
    };

    if !options.contains_key("user")
        && let Some(user) = os_user_name()
    {
        options.insert("user".to_owned(), user);
    }
    if !options.contains_key("dbname")
        && let Some(user) = options.get("user").cloned()
    {
        options.insert("dbname".to_owned(), user);
    }
    if !options.contains_key("host") && !options.contains_key("hostaddr") {
        options.insert("host".to_owned(), default_socket_dir());
    }
    if !options.contains_key("password") {
        let passfile = options
            .get("passfile")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".pgpass")));
        if let Some(passfile) = passfile
            && let Some(password) = pgpass_lookup(&passfile, &options)?
        {
            options.insert("password".to_owned(), password);
        }
    }

    // Re-serialised as key='value' pairs so that tokio-postgres parses every value the
    // way it documents (lists of hosts and ports, timeouts …).
    let mut text = String::new();
    for (key, value) in &options {
        if DRIVER_KEYWORDS.contains(&key.as_str()) {
            text.push_str(key);
            text.push_str("='");
            for c in value.chars() {
                if c == '\\' || c == '\'' {
                    text.push('\\');
                }
                text.push(c);
            }
            text.push_str("' ");
        }
    }
    let mut config: tokio_postgres::Config = text.parse().map_err(ConnError::Config)?;
    config.ssl_mode(ssl_mode.driver_mode());
    Ok(ConnectionSettings {
        config,
        ssl_mode,
        root_certs,
    })
}

/// Accepts the libpq options pgrecon ignores only with values that ignoring honours.
fn check_ignored(options: &BTreeMap<String, String>) -> Result<(), ConnError> {
    if let Some(value) = options.get("client_encoding")
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "utf8" | "utf-8" | "auto"
        )
    {
        return Err(ConnError::InvalidValue {
            key: "client_encoding",
            value: value.clone(),
            expected: "UTF8 (pgrecon always talks UTF-8) or remove it",
        });
    }
    if let Some(value) = options.get("gssencmode")
        && !matches!(value.as_str(), "disable" | "allow" | "prefer")
    {
        return Err(ConnError::InvalidValue {
            key: "gssencmode",
            value: value.clone(),
            expected: "disable or prefer (GSSAPI encryption is not supported)",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
