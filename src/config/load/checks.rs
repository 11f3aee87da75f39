//! `[[check]]`: preflight/postflight assertions (see `crate::checks`).

use super::*;
use crate::checks::{Check, Expectation, When};
use crate::config::sql_check::SqlKind;

const HELP: &str = "declare each check as a [[check]] table, e.g.\n[[check]]\nname = \"no orphan \
                    notes\"\nquery = \"SELECT count(*) = 0 FROM general.notes WHERE body IS NULL\"\n\
                    expect = true";

impl Loader {
    pub(super) fn walk_checks(&mut self, f: usize, v: &V<'_>) {
        let Some(items) = self.array(f, v, "`check`", Some(HELP.to_string())) else {
            return;
        };
        for item in items {
            self.walk_check(f, item);
        }
    }

    fn walk_check(&mut self, f: usize, item: &V<'_>) {
        let Some(t) = self.table(f, item, "each [[check]]", Some(HELP.to_string())) else {
            return;
        };
        let mut values: BTreeMap<&str, &V<'_>> = BTreeMap::new();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                k @ ("name" | "query" | "expect" | "rows" | "when") => {
                    values.insert(
                        match k {
                            "name" => "name",
                            "query" => "query",
                            "expect" => "expect",
                            "rows" => "rows",
                            _ => "when",
                        },
                        value,
                    );
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawAssertion>(), Some("[[check]]")),
            }
        }

        let name = match values.get("name") {
            Some(v) => {
                let span = self.sp(f, v.span());
                match self.string(f, v, "`name` of [[check]]") {
                    Some(n) if n.trim().is_empty() => {
                        self.err(
                            Diag::new(ErrorKind::InvalidValue, "the name of a [[check]] is empty")
                                .at(span, "empty")
                                .help("name the check: it is shown in every message about it"),
                        );
                        None
                    }
                    Some(n) => Some((n, span)),
                    None => None,
                }
            }
            None => {
                self.missing_key(f, item, "name", "[[check]]", "name = \"no orphan notes\"");
                None
            }
        };
        let label = match &name {
            Some((n, _)) => format!("check `{n}`"),
            None => "[[check]]".to_string(),
        };
        let query = match values.get("query") {
            Some(v) => self.sql_value(f, v, SqlKind::Query, &format!("the query of {label}")),
            None => {
                self.missing_key(
                    f,
                    item,
                    "query",
                    &label,
                    "query = \"SELECT count(*) = 0 FROM general.notes WHERE body IS NULL\"",
                );
                None
            }
        };
        let expect = values
            .get("expect")
            .map(|v| self.boolean(f, v, &format!("`expect` of {label}")));
        let rows = values.get("rows").map(|v| {
            let n = self.integer(f, v, &format!("`rows` of {label}"))?;
            match u64::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.err(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!("`rows` of {label} is negative"),
                        )
                        .at(self.sp(f, v.span()), "a negative row count")
                        .help("write the number of rows the query must return, e.g. rows = 0"),
                    );
                    None
                }
            }
        });
        let expectation = match (expect, rows, values.get("expect"), values.get("rows")) {
            (Some(e), None, _, _) => e.map(Expectation::Expect),
            (None, Some(r), _, _) => r.map(Expectation::Rows),
            (Some(_), Some(_), Some(e), Some(r)) => {
                let (first, second) = ordered(self.sp(f, e.span()), self.sp(f, r.span()));
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!("{label} has both `expect` and `rows`"),
                    )
                    .at(second, "this one")
                    .also(first, "and this one")
                    .help(
                        "keep `expect = true` for a query returning one boolean, or \
                         `rows = N` for a query returning N rows",
                    ),
                );
                None
            }
            _ => {
                self.missing_key(
                    f,
                    item,
                    "expect",
                    &label,
                    "expect = true (the query returns one boolean) or rows = 0 (the query \
                     returns that many rows)",
                );
                None
            }
        };
        let when = match values.get("when") {
            Some(v) => {
                let what = format!("`when` of {label}");
                match self.choice(f, v, &what, "phase", &["before", "after", "both"]) {
                    Some("before") => Some(When::Before),
                    Some("after") => Some(When::After),
                    Some(_) => Some(When::Both),
                    None => None,
                }
            }
            None => Some(When::Both),
        };

        let Some((name, span)) = name else {
            return;
        };
        if let Some(first) = self.check_spans.get(&name).cloned() {
            self.duplicate(span, first, &format!("check `{name}`"), "[[check]]");
            return;
        }
        self.check_spans.insert(name.clone(), span);
        let loc = self.sources.location(span);
        self.sources.checks.insert(name.clone(), loc);
        if let (Some(query), Some(expect), Some(when)) = (query, expectation, when) {
            self.checks.push(Check {
                name,
                query,
                expect,
                when,
            });
        }
    }
}
