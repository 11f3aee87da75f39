//! Connection strings: `postgres://` URLs and libpq `key=value` pairs.

use super::ConnError;
use std::collections::BTreeMap;

/// Parses a `postgres://` URL or libpq `key=value` pairs into libpq keywords.
pub(super) fn parse_conninfo(
    text: &str,
    origin: &'static str,
) -> Result<BTreeMap<String, String>, ConnError> {
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
pub(super) fn parse_url(rest: &str) -> Result<Vec<(String, String)>, &'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
