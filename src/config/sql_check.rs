//! Offline syntax checks of the SQL fragments of the desired state (type names,
//! expressions, partition keys and bounds) with PostgreSQL's own parser (`pg_query`).
//!
//! Each fragment is wrapped in the smallest statement that accepts it (`SELECT NULL::<type>`,
//! `SELECT <expression>`, …), parsed, and the parse tree is checked to hold exactly that
//! fragment, so that `int) FROM t` or `1; DROP TABLE t` cannot pass as a type or an
//! expression. Nothing is canonicalised here: that is the `canon` stage's job.

use pg_query::NodeEnum;
use pg_query::protobuf::{CreateStmt, SelectStmt};
use std::ops::Range;

/// What a fragment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SqlKind {
    /// A type name: `varchar(200)`, `general.mood[]`.
    Type,
    /// A scalar expression: a default, a check, an index predicate.
    Expression,
    /// A partition key: `RANGE (created_at)`.
    PartitionBy,
    /// A partition bound: `FOR VALUES FROM (…) TO (…)`, `DEFAULT`.
    PartitionBound,
    /// A whole read-only query (a `[[check]]`): one `SELECT`, `VALUES` or `WITH … SELECT`,
    /// without `INTO` or data-modifying `WITH` parts.
    Query,
}

impl SqlKind {
    fn wrap(self) -> (&'static str, &'static str) {
        match self {
            SqlKind::Type => ("SELECT NULL::", ""),
            SqlKind::Expression => ("SELECT ", ""),
            SqlKind::PartitionBy => ("CREATE TABLE x (a int) PARTITION BY ", ""),
            SqlKind::PartitionBound => ("CREATE TABLE x PARTITION OF y ", ""),
            SqlKind::Query => ("", ""),
        }
    }

    /// What the fragment must be, for the label of a fragment that parses as something
    /// else.
    fn expected(self) -> &'static str {
        match self {
            SqlKind::Type => "not a single type name",
            SqlKind::Expression => "not a single expression",
            SqlKind::PartitionBy => "not a single partition key (RANGE|LIST|HASH (…))",
            SqlKind::PartitionBound => "not a single partition bound (FOR VALUES … or DEFAULT)",
            SqlKind::Query => "not a single read-only SELECT query",
        }
    }
}

/// Why a fragment is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqlProblem {
    /// PostgreSQL's message (`syntax error at or near "FROM"`), or what is wrong.
    pub message: String,
    /// Byte range in the fragment the problem is at, when known.
    pub range: Option<Range<usize>>,
    /// Whether PostgreSQL's parser rejected it (a syntax error), rather than it parsing
    /// as something else than expected.
    pub parser: bool,
}

/// Checks one fragment (already trimmed).
pub(crate) fn check(kind: SqlKind, text: &str) -> Result<(), SqlProblem> {
    let whole = || Some(0..text.len());
    if text.is_empty() {
        return Err(SqlProblem {
            message: "empty".to_string(),
            range: None,
            parser: false,
        });
    }
    if text.contains('\0') {
        return Err(SqlProblem {
            message: "contains a NUL character".to_string(),
            range: whole(),
            parser: false,
        });
    }
    let (prefix, suffix) = kind.wrap();
    let sql = format!("{prefix}{text}{suffix}");
    let parsed = match parse(&sql) {
        Ok(parsed) => parsed,
        Err(message) => {
            let range = error_cursor(&sql)
                .and_then(|byte| token_at(&sql, byte))
                .and_then(|r| {
                    let start = r.start.checked_sub(prefix.len())?;
                    let end = r.end.checked_sub(prefix.len())?.min(text.len());
                    (start < text.len()).then_some(start..end.max(start + 1))
                })
                .map(|r| clamp_to_chars(text, r));
            return Err(SqlProblem {
                message,
                range,
                parser: true,
            });
        }
    };
    // Nothing binds parameters: a check query runs as written, a fragment is pasted into
    // DDL, where PostgreSQL rejects `$1` ("there is no parameter $1").
    if let Some(range) = parameter(&sql, prefix.len()) {
        let what = &text[range.clone()];
        return Err(SqlProblem {
            message: format!("a parameter `{what}`, but nothing binds parameters: write the value"),
            range: Some(range),
            parser: false,
        });
    }
    // A query runs as written; every other fragment is embedded in a larger statement,
    // where a `--` comment would swallow what follows it.
    if let Some(range) = line_comment(text).filter(|_| kind != SqlKind::Query) {
        return Err(SqlProblem {
            message: "a `--` comment; write /* … */ instead".to_string(),
            range: Some(range),
            parser: false,
        });
    }
    let stmts = &parsed.protobuf.stmts;
    let node = match stmts.as_slice() {
        [one] => one.stmt.as_ref().and_then(|n| n.node.as_ref()),
        _ => None,
    };
    let fits = match (kind, node) {
        (SqlKind::Type, Some(NodeEnum::SelectStmt(s))) => {
            single_target(s).is_some_and(|target| match target {
                NodeEnum::TypeCast(cast) => matches!(
                    cast.arg.as_ref().and_then(|a| a.node.as_ref()),
                    Some(NodeEnum::AConst(c)) if c.isnull
                ),
                _ => false,
            })
        }
        (SqlKind::Expression, Some(NodeEnum::SelectStmt(s))) => single_target(s).is_some(),
        (SqlKind::Query, Some(NodeEnum::SelectStmt(s))) => read_only_select(s),
        (SqlKind::PartitionBy, Some(NodeEnum::CreateStmt(c))) => {
            c.partspec.is_some() && c.partbound.is_none() && plain_create(c)
        }
        (SqlKind::PartitionBound, Some(NodeEnum::CreateStmt(c))) => {
            c.partbound.is_some()
                && c.partspec.is_none()
                && c.table_elts.is_empty()
                && plain_create(c)
        }
        _ => false,
    };
    if fits && kind == SqlKind::Query {
        return lasting_effect(&parsed, text);
    }
    if fits {
        Ok(())
    } else {
        Err(SqlProblem {
            message: kind.expected().to_string(),
            range: None,
            parser: false,
        })
    }
}

/// The first parameter (`$1`) of `sql`, as a range of the fragment that starts at
/// `prefix` (comments and string literals do not count: the scanner tells them apart).
fn parameter(sql: &str, prefix: usize) -> Option<Range<usize>> {
    let tokens = pg_query::scan(sql).ok()?.tokens;
    tokens
        .iter()
        .find(|t| t.token == pg_query::protobuf::Token::Param as i32)
        .and_then(|t| {
            let start = usize::try_from(t.start).ok()?.checked_sub(prefix)?;
            let end = usize::try_from(t.end).ok()?.checked_sub(prefix)?;
            (start < end).then_some(start..end)
        })
}

/// Checks a fragment the way it is pasted into a statement (an expression inside
/// parentheses), for SQL built from a catalog that may not have come through `check`
/// (canon's scratch DDL): whatever it holds, the statement stays one statement, so a
/// fragment can never close it and run something else. The error is PostgreSQL's
/// message or what is wrong, as written. A possibly qualified, possibly quoted name (a
/// collation, an operator class) is checked as a `Type`: the same grammar.
pub(crate) fn check_pasted(kind: SqlKind, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("is empty".into());
    }
    let sql = match kind {
        SqlKind::Expression => format!("SELECT ({text})"),
        SqlKind::Type => format!("SELECT NULL::{text}"),
        SqlKind::PartitionBound => format!("CREATE TABLE pgrecon_x PARTITION OF pgrecon_y {text}"),
        SqlKind::PartitionBy => format!("CREATE TABLE pgrecon_x (x int) PARTITION BY {text}"),
        SqlKind::Query => text.to_string(),
    };
    match parse(&sql) {
        Ok(result) if result.protobuf.stmts.len() == 1 => Ok(()),
        Ok(_) => Err("holds more than one statement".into()),
        Err(message) => Err(message),
    }
}

/// Parses with PostgreSQL's parser; the error is its message.
fn parse(sql: &str) -> Result<pg_query::ParseResult, String> {
    pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).map_err(|e| match e {
        pg_query::Error::Parse(m) => m,
        other => other.to_string(),
    })
}

/// Built-in functions whose effect outlives the rollback of the savepoint a check runs
/// in: sequence changes, session-level advisory locks, signals to other sessions, server
/// actions, statistics resets.
const LASTING_EFFECT: &[&str] = &[
    "nextval",
    "setval",
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_shared",
    "pg_advisory_unlock_all",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_logical_emit_message",
    "pg_stat_reset",
    "pg_stat_reset_shared",
    "pg_stat_reset_single_table_counters",
    "pg_stat_reset_single_function_counters",
    "pg_stat_reset_slru",
    "pg_stat_reset_replication_slot",
    "pg_stat_reset_subscription_stats",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_send_query",
];

/// A check query may not call a function from [`LASTING_EFFECT`]: checks run in a
/// savepoint that is rolled back, and those effects would stay.
fn lasting_effect(parsed: &pg_query::ParseResult, text: &str) -> Result<(), SqlProblem> {
    let mut called: Vec<String> = parsed.call_functions();
    called.sort();
    for name in called {
        let bare = name
            .rsplit('.')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        if LASTING_EFFECT.contains(&bare.as_str()) {
            let lower = text.to_ascii_lowercase();
            let range = lower.find(&bare).map(|start| start..start + bare.len());
            return Err(SqlProblem {
                message: format!(
                    "calls {bare}(), whose effect a rollback does not undo; a check may only read"
                ),
                range,
                parser: false,
            });
        }
    }
    Ok(())
}

/// The only target of a `SELECT <target>` without any other clause or alias.
fn single_target(s: &SelectStmt) -> Option<&NodeEnum> {
    let plain = s.distinct_clause.is_empty()
        && s.into_clause.is_none()
        && s.from_clause.is_empty()
        && s.where_clause.is_none()
        && s.group_clause.is_empty()
        && s.having_clause.is_none()
        && s.window_clause.is_empty()
        && s.values_lists.is_empty()
        && s.sort_clause.is_empty()
        && s.limit_offset.is_none()
        && s.limit_count.is_none()
        && s.locking_clause.is_empty()
        && s.with_clause.is_none()
        && s.larg.is_none()
        && s.rarg.is_none();
    if !plain {
        return None;
    }
    match s.target_list.as_slice() {
        [target] => match target.node.as_ref()? {
            NodeEnum::ResTarget(r) if r.name.is_empty() && r.indirection.is_empty() => {
                match r.val.as_ref()?.node.as_ref()? {
                    // `SELECT *` is not an expression.
                    NodeEnum::ColumnRef(c)
                        if c.fields
                            .iter()
                            .any(|f| matches!(f.node, Some(NodeEnum::AStar(_)))) =>
                    {
                        None
                    }
                    node => Some(node),
                }
            }
            _ => None,
        },
        _ => None,
    }
}

/// A `SELECT` that writes nothing: no `INTO`, no data-modifying `WITH` part, in any branch
/// of a set operation.
fn read_only_select(s: &SelectStmt) -> bool {
    let branch_ok = |b: &Option<Box<SelectStmt>>| b.as_deref().is_none_or(read_only_select);
    let ctes_ok = s.with_clause.as_ref().is_none_or(|w| {
        w.ctes.iter().all(|cte| match cte.node.as_ref() {
            Some(NodeEnum::CommonTableExpr(c)) => {
                match c.ctequery.as_ref().and_then(|q| q.node.as_ref()) {
                    Some(NodeEnum::SelectStmt(inner)) => read_only_select(inner),
                    _ => false,
                }
            }
            _ => false,
        })
    });
    s.into_clause.is_none() && ctes_ok && branch_ok(&s.larg) && branch_ok(&s.rarg)
}

/// No clause after the fragment (`WITH (…)`, `TABLESPACE`, `USING`, `ON COMMIT`, …).
fn plain_create(c: &CreateStmt) -> bool {
    c.options.is_empty()
        && c.tablespacename.is_empty()
        && c.access_method.is_empty()
        && c.constraints.is_empty()
        && c.inh_relations.len() <= 1
        && c.of_typename.is_none()
        && c.oncommit <= 1
}

/// The byte range of a `--` comment in the fragment (outside strings and identifiers).
fn line_comment(text: &str) -> Option<Range<usize>> {
    if !text.contains("--") {
        return None;
    }
    let tokens = pg_query::scan(text).ok()?;
    tokens
        .tokens
        .iter()
        .find(|t| t.token == pg_query::protobuf::Token::SqlComment as i32)
        .map(|t| t.start as usize..(t.end as usize).min(text.len()))
}

/// The token that starts at `byte` in `sql` (or the rest of the text when none does).
fn token_at(sql: &str, byte: usize) -> Option<Range<usize>> {
    if byte >= sql.len() {
        return Some(sql.len().saturating_sub(1)..sql.len());
    }
    let tokens = pg_query::scan(sql).ok();
    let found = tokens.as_ref().and_then(|t| {
        t.tokens
            .iter()
            .find(|t| t.start as usize == byte)
            .map(|t| t.start as usize..t.end as usize)
    });
    Some(found.unwrap_or(byte..byte + 1))
}

/// Widens a byte range to character boundaries.
fn clamp_to_chars(text: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.min(text.len()).max(start);
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Byte offset in `sql` of the position PostgreSQL's parser reported for its error.
///
/// `pg_query` returns the message only; the position (`cursorpos`, 1-based, in
/// characters) is read through the same C function the crate calls, on the error path
/// only.
fn error_cursor(sql: &str) -> Option<usize> {
    let input = std::ffi::CString::new(sql).ok()?;
    // SAFETY: the declarations match `pg_query.h` of the libpg_query that the `pg_query`
    // crate builds and links (PgQueryProtobufParseResult, PgQueryError); the input is a
    // valid NUL-terminated string that outlives the call; the result is freed exactly
    // once with the matching function, after the error is read.
    let cursor = unsafe {
        let result = ffi::pg_query_parse_protobuf_opts(input.as_ptr(), 0);
        let cursor = if result.error.is_null() {
            0
        } else {
            (*result.error).cursorpos
        };
        ffi::pg_query_free_protobuf_parse_result(result);
        cursor
    };
    let chars = usize::try_from(cursor).ok()?.checked_sub(1)?;
    Some(
        sql.char_indices()
            .nth(chars)
            .map(|(byte, _)| byte)
            .unwrap_or(sql.len()),
    )
}

mod ffi {
    use std::os::raw::{c_char, c_int};

    #[repr(C)]
    pub struct PgQueryError {
        pub message: *mut c_char,
        pub funcname: *mut c_char,
        pub filename: *mut c_char,
        pub lineno: c_int,
        pub cursorpos: c_int,
        pub context: *mut c_char,
    }

    #[repr(C)]
    pub struct PgQueryProtobuf {
        pub len: usize,
        pub data: *mut c_char,
    }

    #[repr(C)]
    pub struct PgQueryProtobufParseResult {
        pub parse_tree: PgQueryProtobuf,
        pub stderr_buffer: *mut c_char,
        pub error: *mut PgQueryError,
    }

    unsafe extern "C" {
        pub fn pg_query_parse_protobuf_opts(
            input: *const c_char,
            parser_options: c_int,
        ) -> PgQueryProtobufParseResult;
        pub fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: SqlKind, text: &str) -> (String, Option<String>) {
        let p = check(kind, text).unwrap_err();
        (p.message, p.range.map(|r| text[r].to_string()))
    }

    #[test]
    fn pasted_fragments_cannot_smuggle_statements() {
        use SqlKind::*;
        assert!(check_pasted(Expression, "now()").is_ok());
        assert!(check_pasted(Expression, "a IN (1, 2)").is_ok());
        assert!(check_pasted(Expression, "1); COMMIT; SELECT (1").is_err());
        assert!(check_pasted(Expression, "").is_err());
        assert!(check_pasted(Type, "character varying(20)[]").is_ok());
        assert!(check_pasted(Type, "timestamp(3) with time zone").is_ok());
        assert!(check_pasted(Type, "int; DROP TABLE x").is_err());
        assert!(check_pasted(PartitionBound, "FOR VALUES IN (1, 2)").is_ok());
        assert!(check_pasted(PartitionBound, "DEFAULT").is_ok());
        assert!(check_pasted(PartitionBy, "RANGE (created_at)").is_ok());
        assert!(check_pasted(Type, "pg_catalog.\"C\"").is_ok());
    }

    #[test]
    fn good_fragments_pass() {
        for ty in [
            "bigint",
            "varchar(200)",
            "numeric(10,2)",
            "timestamp(3) with time zone",
            "text[]",
            "general.mood",
            "\"My Type\"[]",
            "double precision",
            "interval day to second",
        ] {
            assert_eq!(check(SqlKind::Type, ty), Ok(()), "{ty}");
        }
        for expr in [
            "now()",
            "'{}'::jsonb",
            "length(body) > 0 AND body <> ''",
            "x IN (1, 2)",
            "VALUE ~ '@'",
            "owner = current_user",
            "nextval('general.seq'::regclass)",
            "'--not a comment'",
        ] {
            assert_eq!(check(SqlKind::Expression, expr), Ok(()), "{expr}");
        }
        assert_eq!(check(SqlKind::PartitionBy, "RANGE (created_at)"), Ok(()));
        assert_eq!(check(SqlKind::PartitionBy, "hash (id, lower(x))"), Ok(()));
        for bound in [
            "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')",
            "FOR VALUES IN (1, 2)",
            "FOR VALUES WITH (MODULUS 4, REMAINDER 0)",
            "DEFAULT",
        ] {
            assert_eq!(check(SqlKind::PartitionBound, bound), Ok(()), "{bound}");
        }
    }

    #[test]
    fn check_queries_must_be_one_read_only_select() {
        for good in [
            "SELECT count(*) = 0 FROM general.notes WHERE body IS NULL",
            "SELECT 1 FROM pg_roles WHERE rolname = 'app' -- the runtime role",
            "VALUES (true)",
            "WITH x AS (SELECT 1) SELECT true FROM x",
            "SELECT 1 UNION ALL SELECT 2",
        ] {
            assert_eq!(check(SqlKind::Query, good), Ok(()), "{good}");
        }
        for bad in [
            "SELECT 1; SELECT 2",
            "DELETE FROM general.notes",
            "SELECT * INTO t FROM general.notes",
            "WITH d AS (DELETE FROM general.notes RETURNING 1) SELECT count(*) FROM d",
            "UPDATE general.notes SET body = ''",
        ] {
            assert!(check(SqlKind::Query, bad).is_err(), "{bad}");
        }
        assert!(check(SqlKind::Query, "SELEC 1").unwrap_err().parser);
    }

    #[test]
    fn parameters_are_rejected_where_they_are() {
        let p = check(SqlKind::Query, "SELECT count(*) = $1 FROM t").unwrap_err();
        assert!(!p.parser);
        assert!(p.message.contains("`$1`"), "{}", p.message);
        assert_eq!(p.range, Some(18..20));
        let p = check(SqlKind::Expression, "$12 + 1").unwrap_err();
        assert_eq!(p.range, Some(0..3));
        // Not a parameter: in a string, a comment, a dollar-quoted string.
        for good in [
            "SELECT '$1' = 'x'",
            "SELECT 1 /* $1 */ = 1",
            "SELECT $$ $1 $$ = ''",
        ] {
            assert_eq!(check(SqlKind::Query, good), Ok(()), "{good}");
        }
    }

    #[test]
    fn check_queries_cannot_call_what_a_rollback_does_not_undo() {
        for (bad, name) in [
            ("SELECT nextval('general.s') > 0", "nextval"),
            ("SELECT pg_catalog.setval('general.s', 5) = 5", "setval"),
            (
                "SELECT true FROM (SELECT pg_advisory_lock(1)) x",
                "pg_advisory_lock",
            ),
            (
                "WITH x AS (SELECT NEXTVAL('s')) SELECT true FROM x",
                "nextval",
            ),
        ] {
            let p = check(SqlKind::Query, bad).unwrap_err();
            assert!(
                p.message.contains(&format!("calls {name}()")),
                "{bad}: {p:?}"
            );
            let r = p.range.expect("points at the call");
            assert_eq!(bad[r].to_ascii_lowercase(), name);
        }
        // Volatile but harmless, and a rolled-back transactional effect, are fine.
        for good in [
            "SELECT random() < 2",
            "SELECT currval('general.s') > 0",
            "SELECT set_config('a.b', 'c', true) = 'c'",
        ] {
            assert_eq!(check(SqlKind::Query, good), Ok(()), "{good}");
        }
    }

    #[test]
    fn bad_fragments_point_at_the_token() {
        assert_eq!(
            problem(SqlKind::Expression, "length(body) >> > 0"),
            (
                "syntax error at or near \">\"".to_string(),
                Some(">".to_string())
            )
        );
        assert_eq!(
            problem(SqlKind::Type, "varchar(200"),
            ("syntax error at end of input".to_string(), Some("0".into()))
        );
        assert_eq!(
            problem(SqlKind::Expression, "é + FROM"),
            (
                "syntax error at or near \"FROM\"".to_string(),
                Some("FROM".to_string())
            )
        );
    }

    #[test]
    fn smuggled_sql_is_rejected() {
        for ty in ["int FROM t", "int, text", "int + 1", "int; DROP TABLE t"] {
            assert!(check(SqlKind::Type, ty).is_err(), "{ty}");
        }
        for expr in [
            "1 FROM t",
            "1, 2",
            "1 AS x",
            "*",
            "1; DROP TABLE t",
            "1 -- comment",
            "",
        ] {
            assert!(check(SqlKind::Expression, expr).is_err(), "{expr}");
        }
        assert!(check(SqlKind::PartitionBy, "RANGE (a) TABLESPACE t").is_err());
        assert!(check(SqlKind::PartitionBy, "RANGE (a) WITH (fillfactor = 1)").is_err());
        assert!(
            check(
                SqlKind::PartitionBound,
                "FOR VALUES IN (1) PARTITION BY LIST (a)"
            )
            .is_err()
        );
        assert!(check(SqlKind::PartitionBound, "(a NOT NULL) DEFAULT").is_err());
        assert!(check(SqlKind::PartitionBound, "FOR VALUES IN (1); DROP TABLE t").is_err());
    }
}
