//! `*.sql` files: the `CREATE` statements of the kinds whose definition is SQL (views,
//! materialized views, functions, procedures, triggers, collations, composite and range
//! types). Each file is split into statements with PostgreSQL's scanner and each
//! statement parsed on its own, so a syntax error points at its statement and never hides
//! the others; each accepted statement goes to the walker of its kind as a [`SqlDecl`].

use super::*;
use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

/// One accepted statement of a `.sql` file.
pub(super) struct SqlDecl<'a> {
    pub file: usize,
    /// Byte offset of the statement in its file.
    pub offset: usize,
    /// The statement as written, without its terminating semicolon.
    pub text: &'a str,
    pub node: &'a NodeEnum,
}

impl SqlDecl<'_> {
    /// The whole statement.
    pub fn span(&self) -> Span {
        Span::new(self.file, self.offset..self.offset + self.text.len())
    }

    /// `len` bytes from a parser location (statement-relative; -1 when unknown, which
    /// gives the whole statement).
    pub fn span_at(&self, location: i32, len: usize) -> Span {
        match usize::try_from(location) {
            Ok(at) if at <= self.text.len() => {
                let end = (at + len.max(1)).min(self.text.len());
                Span::new(self.file, self.offset + at..self.offset + end)
            }
            _ => self.span(),
        }
    }
}

/// What a statement declares, by the kind that walks it.
enum SqlKind {
    View,
    Routine,
    Trigger,
    Type,
}

impl Loader {
    pub(super) fn load_sql_file(&mut self, f: usize) {
        let text = self.sources.files[f].contents.clone();
        let statements = match split(&text) {
            Ok(statements) => statements,
            Err(e) => {
                self.err(
                    Diag::new(
                        ErrorKind::SqlSyntax,
                        format!("invalid SQL: {}", sql_error(&e)),
                    )
                    .at(self.sp(f, 0..text.len().min(1)), "in this file")
                    .help("fix the syntax; the statements of this file are checked once it scans")
                    .in_file(f),
                );
                self.broken[f] = true;
                return;
            }
        };
        for range in statements {
            // The statement starts at its first token that is not a comment.
            let statement = &text[range.clone()];
            let Some(leading) = first_token(statement) else {
                continue;
            };
            let trimmed = statement[leading..].trim_end();
            self.walk_sql_statement(f, range.start + leading, trimmed);
        }
    }

    fn walk_sql_statement(&mut self, f: usize, offset: usize, text: &str) {
        let span = self.sp(f, offset..offset + text.len());
        let parsed = match pg_query::parse(text, pg_query::ParserOptions::DEFAULT) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.err(
                    Diag::new(
                        ErrorKind::SqlSyntax,
                        format!("invalid SQL: {}", sql_error(&e)),
                    )
                    .at(span, "in this statement")
                    .help("fix the statement; PostgreSQL's parser rejects it"),
                );
                return;
            }
        };
        let Some(node) = parsed
            .protobuf
            .stmts
            .first()
            .and_then(|s| s.stmt.as_ref())
            .and_then(|s| s.node.as_ref())
        else {
            return;
        };
        let decl = SqlDecl {
            file: f,
            offset,
            text,
            node,
        };
        match classify(node) {
            Ok(SqlKind::View) => self.walk_sql_view(&decl),
            Ok(SqlKind::Routine) => self.walk_sql_routine(&decl),
            Ok(SqlKind::Trigger) => self.walk_sql_trigger(&decl),
            Ok(SqlKind::Type) => self.walk_sql_type(&decl),
            Err(what) => self.err(
                Diag::new(
                    ErrorKind::SqlStatement,
                    format!("{what} cannot be declared in a .sql file"),
                )
                .at(span, "not a CREATE statement of a kind declared in SQL")
                .help(
                    ".sql files hold CREATE statements for views, materialized views, \
                     functions, procedures, triggers, collations and composite or range \
                     types; declare the rest (schemas, tables, roles, grants, owners, \
                     comments) in TOML",
                ),
            ),
        }
    }
}

fn classify(node: &NodeEnum) -> Result<SqlKind, String> {
    Ok(match node {
        NodeEnum::ViewStmt(_) => SqlKind::View,
        NodeEnum::CreateTableAsStmt(s) if s.objtype == ObjectType::ObjectMatview as i32 => {
            SqlKind::View
        }
        // Indexes of materialized views (tables' indexes are declared in TOML).
        NodeEnum::IndexStmt(_) => SqlKind::View,
        NodeEnum::CreateFunctionStmt(_) => SqlKind::Routine,
        NodeEnum::CreateTrigStmt(_) => SqlKind::Trigger,
        NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectCollation as i32 => SqlKind::Type,
        NodeEnum::CompositeTypeStmt(_) | NodeEnum::CreateRangeStmt(_) => SqlKind::Type,
        other => return Err(statement_name(other)),
    })
}

/// How a rejected statement is named: `CREATE TABLE`, `a GRANT`, … from the parser's
/// node name (`CreateStmt` → "a CREATE statement").
fn statement_name(node: &NodeEnum) -> String {
    match node {
        NodeEnum::CreateStmt(_) => "a table (CREATE TABLE)".into(),
        NodeEnum::CreateTableAsStmt(_) => "CREATE TABLE … AS".into(),
        NodeEnum::GrantStmt(_) => "a GRANT or REVOKE".into(),
        NodeEnum::CommentStmt(_) => "a COMMENT".into(),
        NodeEnum::CreateSchemaStmt(_) => "a schema (CREATE SCHEMA)".into(),
        NodeEnum::IndexStmt(_) => "an index (CREATE INDEX)".into(),
        NodeEnum::AlterOwnerStmt(_) | NodeEnum::AlterTableStmt(_) => "an ALTER".into(),
        NodeEnum::DefineStmt(_) => "this definition".into(),
        NodeEnum::SelectStmt(_)
        | NodeEnum::InsertStmt(_)
        | NodeEnum::UpdateStmt(_)
        | NodeEnum::DeleteStmt(_) => "a query or data change".into(),
        _ => "this statement".into(),
    }
}

/// The byte ranges of the statements of a file, without their semicolons. The parser
/// splits a file that parses (it knows where a `BEGIN ATOMIC` body ends); a file with a
/// syntax error is split at the scanner's top-level semicolons, so that each statement
/// is still checked on its own and the error points at its statement.
fn split(text: &str) -> Result<Vec<std::ops::Range<usize>>, pg_query::Error> {
    if let Ok(statements) = pg_query::split_with_parser(text) {
        let base = text.as_ptr() as usize;
        return Ok(statements
            .into_iter()
            .map(|s| {
                let start = s.as_ptr() as usize - base;
                start..start + s.len()
            })
            .collect());
    }
    use pg_query::protobuf::Token;
    let scan = pg_query::scan(text)?;
    let mut out = Vec::new();
    let (mut start, mut depth, mut previous) = (0usize, 0usize, None);
    for t in &scan.tokens {
        let token = t.token;
        // `BEGIN ATOMIC … END` holds semicolons; a CASE inside it ends with END too.
        let opens = token == Token::Atomic as i32 && previous == Some(Token::BeginP as i32)
            || depth > 0 && token == Token::Case as i32;
        if opens {
            depth += 1;
        } else if depth > 0 && token == Token::EndP as i32 {
            depth -= 1;
        } else if depth == 0 && token == Token::Ascii59 as i32 {
            let end = usize::try_from(t.start).unwrap_or(text.len());
            out.push(start..end);
            start = usize::try_from(t.end).unwrap_or(text.len());
        }
        previous = Some(token);
    }
    out.push(start..text.len());
    Ok(out)
}

/// Byte offset of the first token that is not a comment; `None` for comments only.
fn first_token(text: &str) -> Option<usize> {
    use pg_query::protobuf::Token;
    // What does not scan goes to the parser whole, which reports it.
    let Ok(scan) = pg_query::scan(text) else {
        return Some(0);
    };
    scan.tokens
        .iter()
        .find(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
        .and_then(|t| usize::try_from(t.start).ok())
}

fn sql_error(e: &pg_query::Error) -> String {
    match e {
        pg_query::Error::Parse(m) | pg_query::Error::Split(m) | pg_query::Error::Scan(m) => {
            m.clone()
        }
        other => other.to_string(),
    }
}
