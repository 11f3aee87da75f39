//! Typed value readers: each reports a value of the wrong type or shape at its span.

use super::*;
use crate::config::sql_check::{self, SqlKind};

impl Loader {
    pub(super) fn table<'a, 'i>(
        &mut self,
        f: usize,
        v: &'a V<'i>,
        what: &str,
        help: Option<String>,
    ) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(f, v, "a table", what, help);
                None
            }
        }
    }

    pub(super) fn array<'a, 'i>(
        &mut self,
        f: usize,
        v: &'a V<'i>,
        what: &str,
        help: Option<String>,
    ) -> Option<&'a [V<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(f, v, "a list", what, help);
                None
            }
        }
    }

    pub(super) fn string(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<String> {
        self.string_with_help(f, v, what, None)
    }

    fn string_with_help(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        help: Option<String>,
    ) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                let help = help.unwrap_or_else(|| "write the value in double quotes".to_string());
                self.wrong_type(f, v, "a string", what, Some(help));
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a boolean",
                    what,
                    Some("write true or false, without quotes".into()),
                );
                None
            }
        }
    }

    pub(super) fn string_list(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
    ) -> Option<Vec<(String, Span)>> {
        let help = "write a list of names, e.g. [\"general\", \"shared\"]".to_string();
        let items = self.array(f, v, what, Some(help.clone()))?;
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), self.sp(f, item.span()))),
                _ => self.wrong_type(
                    f,
                    item,
                    "a string",
                    &format!("each entry of {what}"),
                    Some(help.clone()),
                ),
            }
        }
        Some(out)
    }

    pub(super) fn wrong_type(
        &mut self,
        f: usize,
        v: &V<'_>,
        expected: &str,
        what: &str,
        help: Option<String>,
    ) {
        self.err(
            Diag::new(
                ErrorKind::WrongType,
                format!("{what} must be {expected}, not {}", a_type(v)),
            )
            .at(self.sp(f, v.span()), format!("expected {expected}"))
            .help_opt(help),
        );
    }

    /// Entries of a table of named items (`unique`, `indexes`, …).
    pub(super) fn entries<'a, 'i>(
        &mut self,
        f: usize,
        v: &'a V<'i>,
        what: &str,
        section: &str,
        table: &str,
    ) -> Vec<(&'a K<'i>, &'a V<'i>)> {
        let help = format!(
            "declare entries by name, e.g. [tables.{}.{section}] with one key per entry",
            toml_key(table)
        );
        match self.table(f, v, what, Some(help)) {
            Some(t) => t.iter().collect(),
            None => Vec::new(),
        }
    }

    pub(super) fn integer(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<i64> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(
                f,
                v,
                "an integer",
                what,
                Some("write a whole number without quotes".into()),
            );
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(n),
            Err(_) => {
                self.err(
                    Diag::new(ErrorKind::InvalidValue, format!("{what} is out of range"))
                        .at(self.sp(f, v.span()), "not a 64-bit integer")
                        .help("sequence values are 64-bit integers"),
                );
                None
            }
        }
    }

    /// One of a fixed set of words.
    pub(super) fn choice(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        noun: &str,
        choices: &'static [&'static str],
    ) -> Option<&'static str> {
        let list = choices
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let text = self.string_with_help(f, v, what, Some(format!("write one of {list}")))?;
        if let Some(c) = choices.iter().find(|c| **c == text) {
            return Some(c);
        }
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("unknown {noun} `{text}` in {what}"),
            )
            .at(self.sp(f, v.span()), format!("unknown {noun}"))
            .help(suggest_or_list(&text, choices)),
        );
        None
    }

    /// A type name or SQL expression: trimmed, syntax-checked with PostgreSQL's parser.
    pub(super) fn sql_value(
        &mut self,
        f: usize,
        v: &V<'_>,
        kind: SqlKind,
        what: &str,
    ) -> Option<String> {
        let raw = self.string_with_help(f, v, what, Some(sql_help(kind).to_string()))?;
        let text = raw.trim();
        if text.is_empty() {
            self.empty_value(f, v, what, sql_help(kind));
            return None;
        }
        let key = (kind, text.to_string());
        let result = match self.rel.sql_cache.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = sql_check::check(kind, text);
                self.rel.sql_cache.insert(key, r.clone());
                r
            }
        };
        match result {
            Ok(()) => Some(text.to_string()),
            Err(problem) => {
                let lead = raw.len() - raw.trim_start().len();
                let span = match &problem.range {
                    Some(r) => self.span_in_string(f, v, &raw, lead + r.start..lead + r.end),
                    None => self.sp(f, v.span()),
                };
                let message = if problem.parser {
                    format!("syntax error in {what}")
                } else {
                    format!("invalid SQL in {what}")
                };
                self.err(
                    Diag::new(ErrorKind::SqlSyntax, message)
                        .at(span, problem.message)
                        .help(sql_help(kind)),
                );
                None
            }
        }
    }

    /// The span of `range` (bytes of the decoded string `value`) in the file, when the
    /// string is written without escapes; the whole value otherwise.
    fn span_in_string(
        &self,
        f: usize,
        v: &V<'_>,
        value: &str,
        range: std::ops::Range<usize>,
    ) -> Span {
        let whole = self.sp(f, v.span());
        let source = &self.sources.files[f].contents;
        let Some(written) = source.get(v.span()) else {
            return whole;
        };
        let quote = if written.starts_with("\"\"\"") || written.starts_with("'''") {
            3
        } else if written.starts_with(['"', '\'']) {
            1
        } else {
            return whole;
        };
        if written.len() < 2 * quote {
            return whole;
        }
        let inner = &written[quote..written.len() - quote];
        let skip = if quote == 3 {
            if inner.starts_with("\r\n") {
                2
            } else if inner.starts_with('\n') {
                1
            } else {
                0
            }
        } else {
            0
        };
        if &inner[skip..] != value || range.end > value.len() {
            return whole;
        }
        let base = v.span().start + quote + skip;
        Span::new(f, base + range.start..base + range.end)
    }

    pub(super) fn empty_list(&mut self, f: usize, v: &V<'_>, what: &str, help: &str) {
        self.err(
            Diag::new(ErrorKind::InvalidValue, format!("{what} is empty"))
                .at(self.sp(f, v.span()), "empty list")
                .help(help.to_string()),
        );
    }

    pub(super) fn empty_value(&mut self, f: usize, v: &V<'_>, what: &str, help: &str) {
        self.err(
            Diag::new(ErrorKind::InvalidValue, format!("{what} is empty"))
                .at(self.sp(f, v.span()), "empty")
                .help(help.to_string()),
        );
    }
}

fn sql_help(kind: SqlKind) -> &'static str {
    match kind {
        SqlKind::Type => {
            "write the type as PostgreSQL accepts it, e.g. \"text\", \"varchar(200)\", \
             \"numeric(10,2)\", \"timestamptz\" or \"general.mood[]\""
        }
        SqlKind::Expression => {
            "write one SQL expression as PostgreSQL accepts it, e.g. \"now()\" or \
             \"length(body) > 0\""
        }
        SqlKind::PartitionBy => {
            "write the partition key, e.g. \"RANGE (created_at)\", \"LIST (region)\" or \
             \"HASH (id)\""
        }
        SqlKind::PartitionBound => {
            "write the bound, e.g. \"FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')\", \
             \"FOR VALUES IN ('eu')\" or \"DEFAULT\""
        }
        SqlKind::Query => {
            "write one read-only query, e.g. \"SELECT count(*) = 0 FROM general.notes WHERE \
             body IS NULL\""
        }
    }
}

/// `COMMENT … IS ''` removes a comment: an empty comment is no comment.
pub(super) fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

pub(super) fn a_type(v: &V<'_>) -> &'static str {
    match v.get_ref() {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}
