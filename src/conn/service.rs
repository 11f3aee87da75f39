//! libpq service files (`service=`, `PGSERVICE`, `PGSERVICEFILE`, `PGSYSCONFDIR`).

use super::ConnError;
use super::env::{DEFAULT_SYSCONFDIR, home_dir};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Fills settings not given yet from the service's section: `PGSERVICEFILE` or
/// `~/.pg_service.conf` first, then `PGSYSCONFDIR/pg_service.conf`.
pub(super) fn apply_service(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
