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

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::Host;
use tokio_postgres_rustls::MakeRustlsConnect;

const APPLICATION_NAME: &str = "pgrecon";

/// Run on every new session so that values read back from the catalog render the same
/// whatever the server or role defaults are.
const SESSION_SETUP: &str = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; \
     SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; \
     SELECT pg_catalog.current_setting('server_version_num'), \
     pg_catalog.current_setting('server_version')";

/// The PostgreSQL major versions pgrecon supports (13 is end-of-life; the catalog
/// queries and the SQL it writes are tested on each of these).
pub const SUPPORTED_MAJORS: std::ops::RangeInclusive<i32> = 14..=18;

/// Variables that, set alone, mean a connection is configured.
const SELECTING_VARS: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGSERVICE",
];

/// libpq keyword ← environment variable (fallbacks for settings not given otherwise).
const ENV_FALLBACKS: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("application_name", "PGAPPNAME"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("options", "PGOPTIONS"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("channel_binding", "PGCHANNELBINDING"),
    ("load_balance_hosts", "PGLOADBALANCEHOSTS"),
];

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

/// Where libpq builds look for the local socket (Debian's first), for the default host.
const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/run/postgresql", "/tmp"];
const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

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

/// The server's major version is outside [`SUPPORTED_MAJORS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the server runs PostgreSQL {version}, which is {}; connect to PostgreSQL {} to {}",
    if self.version_num / 10000 < *SUPPORTED_MAJORS.start() { "not supported" } else { "not supported yet" },
    SUPPORTED_MAJORS.start(),
    SUPPORTED_MAJORS.end()
)]
pub struct UnsupportedServer {
    /// `server_version`, e.g. `13.4 (Debian 13.4-1)`.
    pub version: String,
    /// `server_version_num`, e.g. `130004`.
    pub version_num: i32,
}

/// Refuses a server whose major version is not supported.
pub fn check_server_version(version_num: i32, version: &str) -> Result<(), UnsupportedServer> {
    if SUPPORTED_MAJORS.contains(&(version_num / 10000)) {
        Ok(())
    } else {
        Err(UnsupportedServer {
            version: version.to_owned(),
            version_num,
        })
    }
}

/// What to do about a failed connection attempt.
fn connect_hint(error: &tokio_postgres::Error) -> &'static str {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => {
            return "check the user and password (URL, PGPASSWORD or ~/.pgpass)";
        }
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            return "check the user name and the server's pg_hba.conf";
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => {
            return "check the database name (dbname, PGDATABASE)";
        }
        Some(_) => return "check the connection settings",
        None => {}
    }
    let text = error.to_string();
    if text.contains("TLS") {
        "check sslmode and the server's certificate (sslrootcert, PGSSLROOTCERT)"
    } else if text.contains("authentication") || text.contains("password") {
        "check the user and password (URL, PGPASSWORD or ~/.pgpass)"
    } else {
        "check that the server is running and the host and port are right"
    }
}

/// `error: cause: cause …`, skipping a cause whose text the previous one already shows.
/// The error's own message escapes the names it holds; a cause is other code's text (a
/// server message naming a live object, multi-line), so it is shown as one `text_line`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let part = crate::render::escape::text_line(&cause.to_string()).into_owned();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = cause.source();
    }
    text
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    Disable,
    /// Treated as `Prefer`: tokio-postgres cannot try plain first.
    Allow,
    #[default]
    Prefer,
    /// Encrypt without verifying the certificate (unless a root certificate is given,
    /// as in libpq).
    Require,
    /// Verify the chain, not the host name.
    VerifyCa,
    /// Verify the chain and the host name.
    VerifyFull,
}

impl SslMode {
    const EXPECTED: &'static str = "disable, allow, prefer, require, verify-ca or verify-full";

    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn driver_mode(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Driver;
        match self {
            SslMode::Disable => Driver::Disable,
            SslMode::Allow | SslMode::Prefer => Driver::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Driver::Require,
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which certificates a verifying connection trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// No root certificate configured: `verify-*` trust the public web roots.
    Unset,
    /// `sslrootcert=system`: the public web roots.
    System,
    /// A PEM file of CA certificates.
    File(PathBuf),
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

fn home_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("HOME").map(PathBuf::from).or_else(|| {
        nix::unistd::User::from_uid(nix::unistd::geteuid())
            .ok()
            .flatten()
            .map(|u| u.dir)
    })
}

/// libpq's default user: the name of the effective OS user.
fn os_user_name() -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
}

fn default_socket_dir() -> String {
    DEFAULT_SOCKET_DIRS
        .iter()
        .find(|dir| Path::new(dir).is_dir())
        .unwrap_or(&"/tmp")
        .to_string()
}

/// Parses a `postgres://` URL or libpq `key=value` pairs into libpq keywords.
fn parse_conninfo(text: &str, origin: &'static str) -> Result<BTreeMap<String, String>, ConnError> {
    let text = text.trim();
    let syntax = |reason| ConnError::Syntax { origin, reason };
    let pairs = match ["postgresql://", "postgres://"]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
    {
        Some(rest) => parse_url(rest).map_err(syntax)?,
        None => parse_key_values(text).map_err(syntax)?,
    };
    let mut options = BTreeMap::new();
    for (key, value) in pairs {
        // Later settings override earlier ones, as in libpq.
        options.insert(key, value);
    }
    Ok(options)
}

/// libpq's `key = value` syntax: values may be single-quoted; `\` escapes the next
/// character. Error reasons never quote the input, which may hold a password.
fn parse_key_values(text: &str) -> Result<Vec<(String, String)>, &'static str> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err("a keyword is not followed by \"=\"");
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err("a quoted value is not terminated"),
                    Some('\'') => break,
                    Some('\\') => {
                        if let Some(c) = chars.next() {
                            value.push(c);
                        }
                    }
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    if let Some(c) = chars.next() {
                        value.push(c);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

/// libpq's URI syntax (after the scheme):
/// `[user[:password]@][host][:port][,...][/dbname][?key=value&...]`.
fn parse_url(rest: &str) -> Result<Vec<(String, String)>, &'static str> {
    let mut pairs = Vec::new();
    let mut rest = rest;

    // As libpq: user info is whatever precedes the first '@' seen before any '/'.
    if let Some(at) = rest
        .find(['@', '/'])
        .filter(|&i| rest.as_bytes()[i] == b'@')
    {
        let (user, password) = match rest[..at].split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (&rest[..at], None),
        };
        if !user.is_empty() {
            pairs.push(("user".to_owned(), percent_decode(user)?));
        }
        if let Some(password) = password {
            pairs.push(("password".to_owned(), percent_decode(password)?));
        }
        rest = &rest[at + 1..];
    }

    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    loop {
        let host_end;
        let host = if let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').ok_or("an IPv6 address misses its \"]\"")?;
            if close == 0 {
                return Err("an IPv6 host address is empty");
            }
            host_end = close + 2;
            &inner[..close]
        } else {
            host_end = rest.find([':', '/', '?', ',']).unwrap_or(rest.len());
            &rest[..host_end]
        };
        hosts.push(percent_decode(host)?);
        rest = &rest[host_end..];
        if let Some(after) = rest.strip_prefix(':') {
            let end = after.find(['/', '?', ',']).unwrap_or(after.len());
            ports.push(percent_decode(&after[..end])?);
            rest = &after[end..];
        } else if rest.is_empty() || rest.starts_with(['/', '?', ',']) {
            ports.push(String::new());
        } else {
            return Err("unexpected character after an IPv6 host address");
        }
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None => break,
        }
    }
    if hosts.iter().any(|h| !h.is_empty()) {
        pairs.push(("host".to_owned(), hosts.join(",")));
    }
    if ports.iter().any(|p| !p.is_empty()) {
        pairs.push(("port".to_owned(), ports.join(",")));
    }

    if let Some(after) = rest.strip_prefix('/') {
        let end = after.find('?').unwrap_or(after.len());
        let dbname = percent_decode(&after[..end])?;
        if !dbname.is_empty() {
            pairs.push(("dbname".to_owned(), dbname));
        }
        rest = &after[end..];
    }
    if let Some(query) = rest.strip_prefix('?') {
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = param
                .split_once('=')
                .ok_or("a query parameter has no \"=\"")?;
            let (key, value) = (percent_decode(key)?, percent_decode(value)?);
            // libpq's JDBC compatibility: ssl=true means sslmode=require.
            if key == "ssl" {
                if value != "true" {
                    return Err("the only value ssl= accepts is true");
                }
                pairs.push(("sslmode".to_owned(), "require".to_owned()));
            } else {
                pairs.push((key, value));
            }
        }
    } else if !rest.is_empty() {
        return Err("unexpected text after the host list");
    }
    Ok(pairs)
}

fn percent_decode(text: &str) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("invalid percent-encoding")?;
            if hex == 0 {
                return Err("percent-encoded NUL is not allowed");
            }
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-encoded text is not UTF-8")
}

/// Fills settings not given yet from the service's section: `PGSERVICEFILE` or
/// `~/.pg_service.conf` first, then `PGSYSCONFDIR/pg_service.conf`.
fn apply_service(
    options: &mut BTreeMap<String, String>,
    service: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConnError> {
    let user_file = env("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| home_dir(env).map(|h| h.join(".pg_service.conf")));
    let system_file = Path::new(&env("PGSYSCONFDIR").unwrap_or_else(|| DEFAULT_SYSCONFDIR.into()))
        .join("pg_service.conf");
    let mut searched = Vec::new();
    for path in user_file.into_iter().chain([system_file]) {
        searched.push(path.display().to_string());
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(ConnError::Read { path, source }),
        };
        let found = parse_service_file(&text, service).map_err(|(line, reason)| {
            ConnError::ServiceFile {
                path: path.clone(),
                line,
                reason,
            }
        })?;
        if let Some(entries) = found {
            for (key, value) in entries {
                options.entry(key).or_insert(value);
            }
            return Ok(());
        }
    }
    Err(ConnError::ServiceNotFound {
        service: service.to_owned(),
        searched: searched.join(", "),
    })
}

/// `key=value` settings of one service.
type ServiceEntries = Vec<(String, String)>;
/// A 1-based line number and what is wrong there.
type LineError = (usize, &'static str);

/// The settings of section `[service]`, `None` if there is no such section.
fn parse_service_file(text: &str, service: &str) -> Result<Option<ServiceEntries>, LineError> {
    let mut found: Option<ServiceEntries> = None;
    let mut in_section = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name.strip_suffix(']').ok_or((index + 1, "missing \"]\""))?;
            if found.is_some() {
                break;
            }
            in_section = name.trim() == service;
            if in_section {
                found = Some(Vec::new());
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or((index + 1, "missing \"=\""))?;
        let key = key.trim();
        if key == "service" {
            return Err((index + 1, "nested service specifications are not supported"));
        }
        if let Some(entries) = found.as_mut() {
            entries.push((key.to_owned(), value.trim().to_owned()));
        }
    }
    Ok(found)
}

/// One field of a `.pgpass` line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PassField {
    Any,
    Exact(String),
}

impl PassField {
    fn matches(&self, candidates: &[&str]) -> bool {
        match self {
            PassField::Any => true,
            PassField::Exact(value) => candidates.contains(&value.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PassEntry {
    host: PassField,
    port: PassField,
    database: PassField,
    user: PassField,
    password: String,
}

/// Parses `hostname:port:database:username:password` lines; `*` alone matches anything,
/// `\` escapes the next character (`\:`, `\\`). Comments and short lines are skipped.
fn parse_pgpass(text: &str) -> Vec<PassEntry> {
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // (value, was exactly an unescaped `*`)
        let mut fields: Vec<(String, bool)> = Vec::new();
        let mut current = String::new();
        let mut escaped_any = false;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(next) => {
                        current.push(next);
                        escaped_any = true;
                    }
                    None => current.push('\\'),
                },
                ':' if fields.len() < 4 => {
                    let star = current == "*" && !escaped_any;
                    fields.push((std::mem::take(&mut current), star));
                    escaped_any = false;
                }
                // As libpq: the password ends at the next unescaped ':'.
                ':' => break,
                c => current.push(c),
            }
        }
        if fields.len() < 4 {
            continue;
        }
        let field = |(value, star): (String, bool)| {
            if star {
                PassField::Any
            } else {
                PassField::Exact(value)
            }
        };
        let mut fields = fields.into_iter().map(field);
        entries.push(PassEntry {
            host: fields.next().expect("4 fields"),
            port: fields.next().expect("4 fields"),
            database: fields.next().expect("4 fields"),
            user: fields.next().expect("4 fields"),
            password: current,
        });
    }
    entries
}

/// The password `.pgpass` holds for the first host, port, database and user, if any.
/// Like libpq, a file others can read is ignored with a warning.
fn pgpass_lookup(
    path: &Path,
    options: &BTreeMap<String, String>,
) -> Result<Option<String>, ConnError> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConnError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !meta.is_file() {
        tracing::warn!(path = %path.display(), "password file is not a plain file; ignoring it");
        return Ok(None);
    }
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            "password file has group or world access; ignoring it (chmod 0600 it)"
        );
        return Ok(None);
    }
    let text = fs::read_to_string(path).map_err(|source| ConnError::Read {
        path: path.to_path_buf(),
        source,
    })?;

    let first = |key: &str| {
        options
            .get(key)
            .and_then(|v| v.split(',').next())
            .map(str::to_owned)
            .filter(|v| !v.is_empty())
    };
    let host = first("host")
        .or_else(|| first("hostaddr"))
        .unwrap_or_default();
    let mut hosts = vec![host.as_str()];
    if host.starts_with('/') {
        hosts.push("localhost");
    }
    let port = first("port").unwrap_or_else(|| "5432".to_owned());
    let database = first("dbname").unwrap_or_default();
    let user = first("user").unwrap_or_default();
    Ok(parse_pgpass(&text)
        .into_iter()
        .find(|e| {
            e.host.matches(&hosts)
                && e.port.matches(&[&port])
                && e.database.matches(&[&database])
                && e.user.matches(&[&user])
        })
        .map(|e| e.password)
        .filter(|p| !p.is_empty()))
}

/// Connects, spawns the connection task on the current tokio runtime, sets
/// `application_name` to `pgrecon` unless set, and fixes the session settings that
/// change how values render.
pub async fn connect(settings: &ConnectionSettings) -> Result<tokio_postgres::Client, ConnError> {
    let mut config = settings.config.clone();
    if config.get_application_name().is_none() {
        config.application_name(APPLICATION_NAME);
    }
    // PostgreSQL never offers TLS on unix sockets; asking would fail `require`.
    let ssl_mode = if settings.only_unix_sockets() {
        SslMode::Disable
    } else {
        settings.ssl_mode
    };
    config.ssl_mode(ssl_mode.driver_mode());
    let tls = tls_connector(ssl_mode, &settings.root_certs)?;
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|error| ConnError::Connect {
            target: settings.to_string(),
            error,
        })?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "database connection ended with an error");
        }
    });
    let messages = client
        .simple_query(SESSION_SETUP)
        .await
        .map_err(ConnError::Session)?;
    // Refused here, before anything reads the catalog, whose layout differs by version.
    let (version_num, version) = messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some((
                row.get(0).and_then(|v| v.parse::<i32>().ok()).unwrap_or(0),
                row.get(1).unwrap_or_default().to_owned(),
            )),
            _ => None,
        })
        .unwrap_or_default();
    check_server_version(version_num, &version)?;
    Ok(client)
}

fn tls_connector(mode: SslMode, roots: &RootCerts) -> Result<MakeRustlsConnect, ConnError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::Disable, _)
        | (SslMode::Allow | SslMode::Prefer | SslMode::Require, RootCerts::Unset) => {
            Arc::new(AcceptAnyCertificate(Arc::clone(&provider)))
        }
        // libpq verifies the chain whenever a root certificate is configured.
        (SslMode::Allow | SslMode::Prefer | SslMode::Require | SslMode::VerifyCa, _) => {
            Arc::new(ChainOnly(webpki_verifier(roots, &provider)?))
        }
        (SslMode::VerifyFull, _) => webpki_verifier(roots, &provider)?,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ConnError::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn webpki_verifier(
    roots: &RootCerts,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, ConnError> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCerts::Unset | RootCerts::System => {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        RootCerts::File(path) => {
            let fail = |reason: String| ConnError::RootCert {
                path: path.clone(),
                reason,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| fail(e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fail(e.to_string()))?;
            if certs.is_empty() {
                return Err(fail("no PEM certificate in it".to_owned()));
            }
            for cert in certs {
                store.add(cert).map_err(|e| fail(e.to_string()))?;
            }
        }
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), Arc::clone(provider))
        .build()
        .map_err(|e| ConnError::Tls(rustls::Error::General(e.to_string())))
}

/// `sslmode=require` without a root certificate: encrypt, trust any certificate. The
/// handshake signatures are still checked, so the peer holds the certificate's key.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the full WebPKI check, except that a name mismatch is accepted. WebPKI
/// checks the name only after the chain, so a name error means the chain was fine.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_supported_majors_pass_the_version_gate() {
        for ok in [140000, 140023, 150018, 160014, 170010, 180004] {
            assert_eq!(super::check_server_version(ok, "x"), Ok(()), "{ok}");
        }
        let old = super::check_server_version(130004, "13.4 (Debian 13.4-1)").unwrap_err();
        assert_eq!(
            old.to_string(),
            "the server runs PostgreSQL 13.4 (Debian 13.4-1), which is not supported; connect to PostgreSQL 14 to 18"
        );
        let new = super::check_server_version(190000, "19devel").unwrap_err();
        assert_eq!(
            new.to_string(),
            "the server runs PostgreSQL 19devel, which is not supported yet; connect to PostgreSQL 14 to 18"
        );
        assert!(super::check_server_version(0, "").is_err());
    }

    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    const SECRET: &str = "s3cr3t-Pa55";

    struct Env(HashMap<&'static str, String>);

    impl Env {
        /// HOME points at an empty dir so the real ~/.pgpass never leaks in.
        fn new(home: &Path, vars: &[(&'static str, &str)]) -> Env {
            let mut map: HashMap<&'static str, String> =
                vars.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            map.entry("HOME")
                .or_insert_with(|| home.display().to_string());
            map.entry("PGSYSCONFDIR")
                .or_insert_with(|| home.join("sysconf").display().to_string());
            Env(map)
        }

        fn resolve(&self, url: Option<&str>) -> Result<Option<ConnectionSettings>, ConnError> {
            resolve_with(url, &|name| self.0.get(name).cloned())
        }
    }

    fn home() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn write_private(path: &Path, text: &str) {
        fs::write(path, text).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn hosts(settings: &ConnectionSettings) -> Vec<String> {
        settings
            .config()
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(s) => s.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect()
    }

    fn password(settings: &ConnectionSettings) -> Option<String> {
        settings
            .config()
            .get_password()
            .map(|p| String::from_utf8(p.to_vec()).unwrap())
    }

    #[test]
    fn nothing_configured_is_none() {
        let home = home();
        let env = Env::new(home.path(), &[("DATABASE_URL", ""), ("PGAPPNAME", "x")]);
        assert!(env.resolve(None).unwrap().is_none());
    }

    #[test]
    fn explicit_url_wins_over_database_url() {
        let home = home();
        let env = Env::new(
            home.path(),
            &[("DATABASE_URL", "postgres://envuser@envhost/envdb")],
        );
        let s = env
            .resolve(Some("postgresql://cli@clihost:6543/clidb"))
            .unwrap()
            .unwrap();
        assert_eq!(hosts(&s), ["clihost"]);
        assert_eq!(s.config().get_ports(), [6543]);
        assert_eq!(s.dbname(), Some("clidb"));
        assert_eq!(s.user(), Some("cli"));
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(hosts(&s), ["envhost"]);
        assert_eq!(s.dbname(), Some("envdb"));
    }

    #[test]
    fn libpq_variables_alone_configure_a_connection() {
        let home = home();
        let env = Env::new(
            home.path(),
            &[
                ("PGHOST", "db.example.com"),
                ("PGPORT", "5433"),
                ("PGUSER", "alice"),
                ("PGDATABASE", "app"),
                ("PGPASSWORD", SECRET),
                ("PGSSLMODE", "verify-full"),
                ("PGAPPNAME", "myapp"),
                ("PGCONNECT_TIMEOUT", "7"),
            ],
        );
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(hosts(&s), ["db.example.com"]);
        assert_eq!(s.config().get_ports(), [5433]);
        assert_eq!(s.user(), Some("alice"));
        assert_eq!(s.dbname(), Some("app"));
        assert_eq!(password(&s).as_deref(), Some(SECRET));
        assert_eq!(s.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            s.config().get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
        assert_eq!(s.config().get_application_name(), Some("myapp"));
        assert_eq!(
            s.config().get_connect_timeout(),
            Some(&std::time::Duration::from_secs(7))
        );
    }

    #[test]
    fn url_settings_win_and_variables_fill_the_gaps() {
        let home = home();
        let env = Env::new(
            home.path(),
            &[
                ("PGHOST", "ignored"),
                ("PGPORT", "5499"),
                ("PGPASSWORD", SECRET),
                ("PGUSER", "fromenv"),
            ],
        );
        let s = env.resolve(Some("postgres://h1/db")).unwrap().unwrap();
        assert_eq!(hosts(&s), ["h1"]);
        // As libpq: a URL without a port takes PGPORT.
        assert_eq!(s.config().get_ports(), [5499]);
        assert_eq!(s.user(), Some("fromenv"));
        assert_eq!(password(&s).as_deref(), Some(SECRET));
        let s = env
            .resolve(Some("postgres://u:url%40pw@h1:5000/db"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("url@pw"));
        assert_eq!(s.config().get_ports(), [5000]);
    }

    #[test]
    fn dbname_defaults_to_the_user() {
        let home = home();
        let env = Env::new(home.path(), &[("PGUSER", "bob")]);
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(s.dbname(), Some("bob"));
        assert!(matches!(s.config().get_hosts(), [Host::Unix(_)]));
        assert_eq!(s.ssl_mode(), SslMode::Prefer);
    }

    #[test]
    fn key_value_strings_parse_with_quotes_and_escapes() {
        let home = home();
        let env = Env::new(home.path(), &[]);
        let s = env
            .resolve(Some(
                r"host = /var/run/postgresql  port=5433 dbname='my db' user=o\'neil password='it\'s \\ x' sslmode=disable",
            ))
            .unwrap()
            .unwrap();
        assert_eq!(hosts(&s), ["/var/run/postgresql"]);
        assert_eq!(s.dbname(), Some("my db"));
        assert_eq!(s.user(), Some("o'neil"));
        assert_eq!(password(&s).as_deref(), Some(r"it's \ x"));
        assert_eq!(s.ssl_mode(), SslMode::Disable);
    }

    #[test]
    fn urls_parse_like_libpq() {
        let pairs =
            parse_url("u:p%3Aw@%2Ftmp%2Fsock:5555/db%20x?sslmode=require&application_name=a")
                .unwrap();
        let map: BTreeMap<_, _> = pairs.into_iter().collect();
        assert_eq!(map["user"], "u");
        assert_eq!(map["password"], "p:w");
        assert_eq!(map["host"], "/tmp/sock");
        assert_eq!(map["port"], "5555");
        assert_eq!(map["dbname"], "db x");
        assert_eq!(map["sslmode"], "require");
        assert_eq!(map["application_name"], "a");

        let map: BTreeMap<_, _> = parse_url("[::1]:5432,h2,h3:7/d?ssl=true")
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(map["host"], "::1,h2,h3");
        assert_eq!(map["port"], "5432,,7");
        assert_eq!(map["sslmode"], "require");

        let map: BTreeMap<_, _> = parse_url("").unwrap().into_iter().collect();
        assert!(map.is_empty());
        assert!(parse_url("h/db?nokey").is_err());
        assert!(parse_url("h%zz").is_err());
    }

    #[test]
    fn embedded_style_urls_resolve_to_a_socket() {
        let home = home();
        let env = Env::new(home.path(), &[]);
        let s = env
            .resolve(Some(
                "postgresql://postgres@%2Ftmp%2Fpgrecon-pg-abc:54321/pgrecon_test",
            ))
            .unwrap()
            .unwrap();
        assert_eq!(
            s.config().get_hosts(),
            [Host::Unix(PathBuf::from("/tmp/pgrecon-pg-abc"))]
        );
        assert_eq!(s.config().get_ports(), [54321]);
        assert_eq!(
            s.to_string(),
            "host=/tmp/pgrecon-pg-abc port=54321 dbname=pgrecon_test user=postgres"
        );
    }

    #[test]
    fn bad_settings_are_reported_without_the_password() {
        let home = home();
        let env = Env::new(home.path(), &[]);
        for url in [
            format!("postgres://u:{SECRET}@h:notaport/db"),
            format!("postgres://u:{SECRET}@h/db?sslmode=bogus"),
            format!("postgres://u:{SECRET}@h/db?sslcert=/x"),
            format!("user=u password={SECRET} host"),
            format!("user=u password='{SECRET}"),
            SECRET.to_owned(),
        ] {
            let err = env.resolve(Some(&url)).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(SECRET), "{text}");
        }
        assert!(matches!(env.resolve(Some(" ")), Err(ConnError::EmptyUrl)));
        let err = env.resolve(Some("postgres://h/db?sslcert=/x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "connection option `sslcert` is not supported; remove it from the connection settings"
        );
    }

    #[test]
    fn display_and_debug_never_show_the_password() {
        let home = home();
        let env = Env::new(home.path(), &[("PGPASSWORD", SECRET)]);
        let s = env
            .resolve(Some(
                "postgres://alice@db.example.com:5432/app?sslmode=require",
            ))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some(SECRET));
        let shown = s.to_string();
        assert_eq!(
            shown,
            "host=db.example.com port=5432 dbname=app user=alice sslmode=require"
        );
        assert!(!format!("{s:?}").contains(SECRET));
    }

    #[test]
    fn service_files_fill_settings_between_url_and_environment() {
        let home = home();
        let file = home.path().join("services.conf");
        fs::write(
            &file,
            "# comment\n[other]\nhost=wrong\n\n[prod]\nhost = svc-host\nport=6000\ndbname=svcdb\nuser=svcuser\n[later]\nhost=wrong2\n",
        )
        .unwrap();
        let file_str = file.display().to_string();
        let env = Env::new(
            home.path(),
            &[
                ("PGSERVICE", "prod"),
                ("PGSERVICEFILE", &file_str),
                ("PGUSER", "envuser"),
                ("PGDATABASE", "envdb"),
            ],
        );
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(hosts(&s), ["svc-host"]);
        assert_eq!(s.config().get_ports(), [6000]);
        // libpq: the service wins over the environment …
        assert_eq!(s.user(), Some("svcuser"));
        // … and the connection string wins over the service.
        let s = env.resolve(Some("dbname=cli")).unwrap().unwrap();
        assert_eq!(s.dbname(), Some("cli"));
        assert_eq!(hosts(&s), ["svc-host"]);
        let s = env.resolve(Some("service=other")).unwrap().unwrap();
        assert_eq!(hosts(&s), ["wrong"]);

        let err = env.resolve(Some("service=missing")).unwrap_err();
        assert!(matches!(err, ConnError::ServiceNotFound { .. }), "{err}");

        // The system-wide file is the fallback.
        let sysconf = home.path().join("sysconf");
        fs::create_dir(&sysconf).unwrap();
        fs::write(sysconf.join("pg_service.conf"), "[sys]\nhost=sys-host\n").unwrap();
        let s = env.resolve(Some("service=sys")).unwrap().unwrap();
        assert_eq!(hosts(&s), ["sys-host"]);
    }

    #[test]
    fn service_file_syntax() {
        assert_eq!(
            parse_service_file("[a]\nhost=x\n[b]\nport=1\n", "b").unwrap(),
            Some(vec![("port".to_owned(), "1".to_owned())])
        );
        assert_eq!(parse_service_file("[a]\nhost=x\n", "z").unwrap(), None);
        assert_eq!(
            parse_service_file("[a]\nhost\n", "a").unwrap_err(),
            (2, "missing \"=\"")
        );
        assert!(parse_service_file("[a]\nservice=b\n", "a").is_err());
        assert!(parse_service_file("[a\n", "a").is_err());
    }

    #[test]
    fn pgpass_lines_parse_with_escapes_and_wildcards() {
        let entries = parse_pgpass(
            "# comment\n\
             *:*:*:*:any\r\n\
             host\\:x:5432:db:us\\\\er:pa\\:ss\\\\w:ignored\n\
             \\*:1:2:3:literal-star\n\
             short:line\n\
             h:p:d:u:\n",
        );
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].host, PassField::Any);
        assert_eq!(entries[0].password, "any");
        assert_eq!(entries[1].host, PassField::Exact("host:x".into()));
        assert_eq!(entries[1].user, PassField::Exact("us\\er".into()));
        assert_eq!(entries[1].password, "pa:ss\\w");
        assert_eq!(entries[2].host, PassField::Exact("*".into()));
        assert_eq!(entries[3].password, "");
    }

    #[test]
    fn pgpass_supplies_a_missing_password() {
        let home = home();
        let passfile = home.path().join("pgpass");
        write_private(
            &passfile,
            "other:5432:*:alice:wrong\n\
             db.example.com:5433:app:alice:right\n\
             localhost:5432:*:alice:socket-pw\n\
             *:*:*:*:fallback\n",
        );
        let passfile_str = passfile.display().to_string();
        let env = Env::new(
            home.path(),
            &[("PGPASSFILE", &passfile_str), ("PGUSER", "alice")],
        );
        let s = env
            .resolve(Some("postgres://db.example.com:5433/app"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("right"));
        let s = env
            .resolve(Some("postgres://db.example.com/app"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("fallback"));
        // A unix socket matches `localhost`.
        let s = env
            .resolve(Some("host=/var/run/postgresql dbname=x"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("socket-pw"));
        // An explicit password wins.
        let s = env
            .resolve(Some("postgres://alice:given@db.example.com:5433/app"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("given"));

        // ~/.pgpass is the default location.
        let env = Env::new(home.path(), &[("PGUSER", "alice")]);
        fs::copy(&passfile, home.path().join(".pgpass")).unwrap();
        let s = env
            .resolve(Some("postgres://db.example.com:5433/app"))
            .unwrap()
            .unwrap();
        assert_eq!(password(&s).as_deref(), Some("right"));
    }

    #[test]
    fn pgpass_readable_by_others_is_ignored() {
        let home = home();
        let passfile = home.path().join("pgpass");
        fs::write(&passfile, "*:*:*:*:leaked\n").unwrap();
        fs::set_permissions(&passfile, fs::Permissions::from_mode(0o644)).unwrap();
        let passfile_str = passfile.display().to_string();
        let env = Env::new(
            home.path(),
            &[("PGPASSFILE", &passfile_str), ("PGHOST", "h")],
        );
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(password(&s), None);
    }

    #[test]
    fn root_certificates_follow_libpq() {
        let home = home();
        let env = Env::new(home.path(), &[("PGHOST", "h")]);
        assert_eq!(
            env.resolve(None).unwrap().unwrap().root_certs(),
            &RootCerts::Unset
        );
        let s = env
            .resolve(Some("host=h sslrootcert=system"))
            .unwrap()
            .unwrap();
        assert_eq!(s.root_certs(), &RootCerts::System);
        fs::create_dir(home.path().join(".postgresql")).unwrap();
        fs::write(home.path().join(".postgresql/root.crt"), "x").unwrap();
        let s = env.resolve(None).unwrap().unwrap();
        assert_eq!(
            s.root_certs(),
            &RootCerts::File(home.path().join(".postgresql/root.crt"))
        );
        // A file without certificates is an error when a verifier is built.
        let err = tls_connector(SslMode::VerifyCa, s.root_certs())
            .err()
            .unwrap();
        assert!(matches!(err, ConnError::RootCert { .. }), "{err}");
    }

    #[test]
    fn every_ssl_mode_builds_a_connector() {
        for mode in [
            SslMode::Disable,
            SslMode::Allow,
            SslMode::Prefer,
            SslMode::Require,
            SslMode::VerifyCa,
            SslMode::VerifyFull,
        ] {
            assert_eq!(SslMode::parse(mode.as_str()), Some(mode));
            tls_connector(mode, &RootCerts::Unset).unwrap();
            tls_connector(mode, &RootCerts::System).unwrap();
        }
    }

    #[test]
    fn ignored_libpq_options_are_checked() {
        let home = home();
        let env = Env::new(home.path(), &[]);
        assert!(
            env.resolve(Some("host=h gssencmode=disable client_encoding=UTF8"))
                .is_ok()
        );
        assert!(env.resolve(Some("host=h gssencmode=require")).is_err());
        assert!(env.resolve(Some("host=h client_encoding=LATIN1")).is_err());
    }
}
