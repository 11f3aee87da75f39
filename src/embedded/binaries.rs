//! Finding the server binaries and their version.

use super::{BIN_DIR_ENV, EmbeddedError};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Finds the PostgreSQL server binaries: `PGRECON_PG_BIN_DIR`, else `pg_config --bindir`
/// on `PATH`, else the highest installed `/usr/lib/postgresql/*/bin` (or
/// `/usr/pgsql-*/bin`) containing `initdb` and `postgres`.
pub fn find_bin_dir() -> Result<PathBuf, EmbeddedError> {
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_server_binaries(&dir) {
            Ok(dir)
        } else {
            Err(EmbeddedError::BadBinDir(dir))
        };
    }
    static SEARCHED: OnceLock<Option<PathBuf>> = OnceLock::new();
    SEARCHED
        .get_or_init(|| pg_config_bin_dir().or_else(highest_installed_bin_dir))
        .clone()
        .ok_or(EmbeddedError::BinariesNotFound)
}

/// The server binaries of one major version, for a scratch server that must print
/// exactly what the target prints: `PGRECON_PG_BIN_DIR` when it is that version, else
/// `pg_config --bindir`, else `/usr/lib/postgresql/<major>/bin` or `/usr/pgsql-<major>/bin`.
pub fn find_bin_dir_for_major(major: u32) -> Result<PathBuf, EmbeddedError> {
    let is_major = |dir: &Path| {
        has_server_binaries(dir)
            && server_version(dir)
                .ok()
                .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
                == Some(major)
    };
    let candidates = std::env::var_os(BIN_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .chain(pg_config_bin_dir())
        .chain([
            PathBuf::from(format!("/usr/lib/postgresql/{major}/bin")),
            PathBuf::from(format!("/usr/pgsql-{major}/bin")),
        ]);
    for dir in candidates {
        if is_major(&dir) {
            return Ok(dir);
        }
    }
    Err(EmbeddedError::NoBinariesForMajor(major))
}

pub(super) fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

fn pg_config_bin_dir() -> Option<PathBuf> {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = PathBuf::from(OsStr::from_bytes(output.stdout.trim_ascii()));
    // pg_config may come from a client-only package pointing at a missing server.
    has_server_binaries(&dir).then_some(dir)
}

fn highest_installed_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<(Vec<u64>, PathBuf)> = Vec::new();
    let mut collect = |parent: &str, prefix: &str| {
        let Ok(entries) = fs::read_dir(parent) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
                continue;
            };
            let Ok(key) = version
                .split('.')
                .map(str::parse::<u64>)
                .collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            let bin = entry.path().join("bin");
            if has_server_binaries(&bin) {
                candidates.push((key, bin));
            }
        }
    };
    collect("/usr/lib/postgresql", "");
    collect("/usr", "pgsql-");
    candidates.sort();
    candidates.pop().map(|(_, dir)| dir)
}

pub(super) fn server_version(bin_dir: &Path) -> Result<String, EmbeddedError> {
    let path = bin_dir.join("postgres");
    let fail = |reason: String| EmbeddedError::Version {
        path: path.clone(),
        reason,
    };
    let output = Command::new(&path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !output.status.success() {
        return Err(fail(format!("it exited with {}", output.status)));
    }
    // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_once("(PostgreSQL)")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned)
        .ok_or_else(|| fail(format!("unexpected output {:?}", text.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_installed_binaries() {
        let dir = find_bin_dir().expect("PostgreSQL server binaries must be installed");
        assert!(dir.join("initdb").is_file(), "{}", dir.display());
        assert!(dir.join("postgres").is_file(), "{}", dir.display());
        let version = server_version(&dir).unwrap();
        assert!(
            version.split('.').next().unwrap().parse::<u32>().unwrap() >= 10,
            "{version}"
        );
    }
}
