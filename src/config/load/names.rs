//! Identifier rules: names as keys and values, lists of names.

use super::*;

/// PostgreSQL's identifier limit (NAMEDATALEN - 1).
pub(super) const MAX_IDENTIFIER_BYTES: usize = 63;

impl Loader {
    /// A `schema.name` key; reports a malformed one.
    pub(super) fn qualified_key(
        &mut self,
        f: usize,
        k: &K<'_>,
        what: &str,
        section: &str,
        example: &str,
    ) -> Option<QualifiedName> {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = QualifiedName::parse(&key_text) else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidKey,
                    format!("malformed {what} name `{key_text}`"),
                )
                .at(key_span, format!("expected \"schema.{what}\""))
                .help(format!(
                    "qualify the {what} with its schema, e.g. [{section}.\"{example}\"] \
                     (double-quote a part that contains a dot)"
                )),
            );
            return None;
        };
        self.check_identifier(&name.schema, key_span, "schema");
        self.check_identifier(&name.name, key_span, what);
        Some(name)
    }

    /// A `schema.table` value: the name, its span and the text as written.
    pub(super) fn table_reference(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
    ) -> Option<(QualifiedName, Span, String)> {
        let text = self.string(f, v, what)?;
        let span = self.sp(f, v.span());
        match QualifiedName::parse(&text) {
            Some(name) => Some((name, span, text)),
            None => {
                self.err(
                    Diag::new(ErrorKind::InvalidValue, format!("malformed {what}"))
                        .at(span, "expected \"schema.table\"")
                        .help(
                            "qualify the table with its schema, e.g. \"general.authors\" \
                             (double-quote a part that contains a dot)",
                        ),
                );
                None
            }
        }
    }

    /// A name (string, valid identifier) and its span.
    pub(super) fn name_value(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        kind: &str,
    ) -> Option<(String, Span)> {
        let name = self.string(f, v, what)?;
        let span = self.sp(f, v.span());
        self.check_identifier(&name, span, kind)
            .then_some((name, span))
    }

    pub(super) fn non_empty_names(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        kind: &str,
    ) -> Option<Vec<(String, Span)>> {
        let items = self.names(f, v, what, kind)?;
        if items.is_empty() {
            self.empty_list(f, v, what, &format!("list at least one {kind}"));
            return None;
        }
        Some(items)
    }

    /// A list of identifiers, each once.
    pub(super) fn names(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        kind: &str,
    ) -> Option<Vec<(String, Span)>> {
        let help = format!("write a list of {kind} names, e.g. [\"id\"]");
        let items = self.array(f, v, what, Some(help.clone()))?;
        let mut out: Vec<(String, Span)> = Vec::new();
        let mut ok = true;
        for item in items {
            let span = self.sp(f, item.span());
            let DeValue::String(s) = item.get_ref() else {
                self.wrong_type(
                    f,
                    item,
                    "a string",
                    &format!("each entry of {what}"),
                    Some(help.clone()),
                );
                ok = false;
                continue;
            };
            if !self.check_identifier(s, span, kind) {
                ok = false;
                continue;
            }
            if let Some((_, first)) = out.iter().find(|(n, _)| n.as_str() == &**s) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("{kind} `{s}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help(format!("list each {kind} once")),
                );
                ok = false;
                continue;
            }
            out.push((s.to_string(), span));
        }
        ok.then_some(out)
    }

    /// Empty, too long names and names with control characters. Returns whether the
    /// name is acceptable so far.
    pub(super) fn check_identifier(&mut self, name: &str, span: Span, what: &str) -> bool {
        if name.is_empty() {
            self.err(
                Diag::new(ErrorKind::InvalidName, format!("{what} name is empty"))
                    .at(span, "empty name")
                    .help(format!("give the {what} a name")),
            );
            false
        } else if has_unsafe(name) {
            self.err(unsafe_name(name, span, &format!("{what} name")));
            false
        } else if name.len() > MAX_IDENTIFIER_BYTES {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!(
                        "{what} name `{name}` is too long ({} bytes)",
                        name.len()
                    ),
                )
                .at(span, format!("longer than {MAX_IDENTIFIER_BYTES} bytes"))
                .help(format!(
                    "PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES} bytes; choose a shorter name"
                )),
            );
            false
        } else {
            true
        }
    }
}

/// A name with a character no output may carry raw (a line break, NUL, ESC, a bidi
/// control): PostgreSQL accepts most of them in quoted identifiers, but such a name
/// reads differently from what it is in every plan, review and terminal.
pub(super) fn unsafe_name(name: &str, span: Span, what: &str) -> Diag {
    let bad: Vec<String> = name
        .chars()
        .filter(|c| crate::escape::is_unsafe(*c))
        .map(|c| crate::escape::text_line(&c.to_string()).into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Diag::new(
        ErrorKind::InvalidName,
        format!("{what} `{name}` contains a control character"),
    )
    .at(span, format!("contains {}", bad.join(", ")))
    .help(
        "remove the line breaks, control and bidi characters from the name; to manage an \
         existing object with such a name, rename it first (ALTER … RENAME TO)",
    )
}

/// `schema.name(arg types)` → a function id with normalised arguments.
pub(crate) fn parse_function_key(text: &str) -> Option<FunctionId> {
    let mut in_quotes = false;
    let mut open = None;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '(' if !in_quotes => {
                open = Some(i);
                break;
            }
            _ => {}
        }
    }
    let open = open?;
    let rest = text[open + 1..].trim_end();
    let inner = rest.strip_suffix(')')?;
    let name = QualifiedName::parse(text[..open].trim_end())?;
    Some(FunctionId {
        schema: name.schema,
        name: name.name,
        arguments: normalize_arguments(inner)?,
    })
}

/// Splits on top-level commas, trims and collapses whitespace, joins with `, `.
fn normalize_arguments(inner: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut in_quotes = false;
    for c in inner.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            '(' if !in_quotes => {
                depth += 1;
                current.push(c);
            }
            ')' if !in_quotes => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
                current.push(c);
            }
            ',' if !in_quotes && depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if in_quotes || depth != 0 {
        return None;
    }
    parts.push(current);
    let parts: Vec<String> = parts
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if parts.len() == 1 && parts[0].is_empty() {
        return Some(String::new());
    }
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(parts.join(", "))
}
