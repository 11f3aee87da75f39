//! `.pgpass`: the password for a connection that names none.

use super::ConnError;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
pub(super) fn pgpass_lookup(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
