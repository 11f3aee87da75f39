//! Resolution end to end: URL, variables, service files, `.pgpass`, certificates.

use super::tls::tls_connector;
use super::*;
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
