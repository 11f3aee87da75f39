//! The session: connect, pin the settings that change how values render, and refuse a
//! server version pgrecon does not support.

use super::tls::{SslMode, tls_connector};
use super::{ConnError, ConnectionSettings};

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
pub(super) fn connect_hint(error: &tokio_postgres::Error) -> &'static str {
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
}
