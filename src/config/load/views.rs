//! Views and materialized views: the definition is a `CREATE [MATERIALIZED] VIEW`
//! statement of a `.sql` file; owner, comment, grants and column comments are in
//! `[views."s.v"]`. Both are kept apart until every file is loaded (`finish_views`),
//! since either may come first: a TOML entry without a statement is an error at its key.

use super::sql_files::SqlDecl;
use super::*;
use crate::model::{View, ViewColumn, normalize_view_definition};
use pg_query::NodeEnum;
use pg_query::protobuf::{Node, RangeVar, ViewCheckOption, node};

const VIEWS_IN_MANAGED_SCHEMAS: &str = "views are declared in managed schemas only";

/// Views until every file is loaded.
#[derive(Default)]
pub(super) struct Views {
    /// By name: the span of the name in its statement, and the view.
    sql: BTreeMap<QualifiedName, (Span, View)>,
    toml: BTreeMap<QualifiedName, ViewToml>,
    /// `CREATE INDEX` statements: (relation, index name, statement, span of the name).
    indexes: Vec<(QualifiedName, String, String, Span)>,
}

struct ViewToml {
    key: Span,
    key_text: String,
    owner: Option<String>,
    acl: Acl,
    comment: Option<String>,
    column_comments: BTreeMap<String, String>,
    /// By index name: the comment and the span of the name.
    index_comments: BTreeMap<String, (String, Span)>,
    renamed_from: Option<String>,
}

impl Loader {
    pub(super) fn walk_sql_view(&mut self, decl: &SqlDecl<'_>) {
        let (rv, aliases, options, materialized, check, skip_data) = match decl.node {
            NodeEnum::ViewStmt(s) => {
                let check = match ViewCheckOption::try_from(s.with_check_option) {
                    Ok(ViewCheckOption::LocalCheckOption) => Some("local"),
                    Ok(ViewCheckOption::CascadedCheckOption) => Some("cascaded"),
                    _ => None,
                };
                (s.view.as_ref(), &s.aliases, &s.options, false, check, false)
            }
            NodeEnum::IndexStmt(s) => return self.walk_sql_index(decl, s),
            NodeEnum::CreateTableAsStmt(s) => match &s.into {
                Some(into) => (
                    into.rel.as_ref(),
                    &into.col_names,
                    &into.options,
                    true,
                    None,
                    into.skip_data,
                ),
                None => return,
            },
            _ => return,
        };
        let what = if materialized {
            "materialized view"
        } else {
            "view"
        };
        let Some(rv) = rv else { return };
        let Some(name) = self.view_name(decl, rv, what) else {
            return;
        };
        let name_span = decl.span_at(rv.location, name_len(decl.text, rv.location));
        let ctx = format!("{what} `{}`", name);
        let Some(definition) = query_text(decl.text, materialized) else {
            self.err(
                Diag::new(
                    ErrorKind::SqlStatement,
                    format!("the query of {ctx} cannot be found"),
                )
                .at(decl.span(), "no `AS SELECT …` here")
                .help(format!(
                    "write CREATE {} {name} AS SELECT …",
                    what.to_uppercase()
                )),
            );
            return;
        };
        let mut view = View::new(name.clone(), materialized);
        view.definition = normalize_view_definition(definition);
        view.with_data = !skip_data;
        view.check_option = check.map(str::to_string);
        for a in aliases {
            if let Some(node::Node::String(s)) = &a.node {
                view.columns.push(ViewColumn {
                    name: s.sval.clone(),
                    type_name: String::new(),
                });
            }
        }
        for o in options {
            self.view_option(decl, o, &ctx, &mut view);
        }
        // What it reads, offline (canon replaces it with the server's dependencies):
        // qualified names as written, unqualified ones in the view's schema.
        match crate::config::view_refs::query_relations(definition) {
            Err(message) => {
                self.err(
                    Diag::new(
                        ErrorKind::SqlSyntax,
                        format!("the query of {ctx} does not parse on its own: {message}"),
                    )
                    .at(decl.span(), "in this statement")
                    .help("write the query as one SELECT (or VALUES) statement after AS"),
                );
                return;
            }
            Ok((refs, ctes)) => {
                for r in refs {
                    if r.schema.is_none() && ctes.contains(&r.name) {
                        continue;
                    }
                    let schema = r.schema.unwrap_or_else(|| name.schema.clone());
                    let read = (QualifiedName::new(schema, r.name), None);
                    if !view.reads.contains(&read) {
                        view.reads.push(read);
                    }
                }
            }
        }
        if let Some((first, _)) = self.views.sql.get(&name) {
            let first = *first;
            self.err(
                Diag::new(ErrorKind::Duplicate, format!("{ctx} is declared twice"))
                    .at(name_span, "declared again here")
                    .also(first, "first declared here")
                    .help("remove one of the two statements"),
            );
            return;
        }
        self.schema_refs.push((
            name.schema.clone(),
            name_span,
            ctx,
            VIEWS_IN_MANAGED_SCHEMAS,
        ));
        self.views.sql.insert(name, (name_span, view));
    }

    /// `CREATE INDEX name ON s.matview …`: an index of a materialized view declared in
    /// a `.sql` file (checked against it once every file is loaded).
    fn walk_sql_index(&mut self, decl: &SqlDecl<'_>, s: &pg_query::protobuf::IndexStmt) {
        let Some(rv) = s.relation.as_ref() else {
            return;
        };
        let span = decl.span_at(rv.location, name_len(decl.text, rv.location));
        if rv.schemaname.is_empty() {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!(
                        "the relation `{}` of this index is not schema-qualified",
                        rv.relname
                    ),
                )
                .at(span, "no schema")
                .help(format!(
                    "name the schema: CREATE INDEX … ON app.{} …",
                    crate::sql::quote_ident(&rv.relname)
                )),
            );
            return;
        }
        if s.idxname.is_empty() {
            self.err(
                Diag::new(ErrorKind::InvalidName, "the index has no name")
                    .at(decl.span(), "unnamed index")
                    .help(format!(
                        "name it: CREATE INDEX {}_idx ON {} …",
                        rv.relname,
                        crate::sql::qualified(&rv.schemaname, &rv.relname)
                    )),
            );
            return;
        }
        if s.concurrent {
            self.err(
                Diag::new(
                    ErrorKind::SqlStatement,
                    "an index of a materialized view cannot be declared CONCURRENTLY",
                )
                .at(decl.span(), "CONCURRENTLY")
                .help("remove CONCURRENTLY"),
            );
            return;
        }
        let relation = QualifiedName::new(&rv.schemaname, &rv.relname);
        if !self.check_identifier(&s.idxname, span, "index") {
            return;
        }
        self.views
            .indexes
            .push((relation, s.idxname.clone(), decl.text.to_string(), span));
    }

    fn view_name(
        &mut self,
        decl: &SqlDecl<'_>,
        rv: &RangeVar,
        what: &str,
    ) -> Option<QualifiedName> {
        let span = decl.span_at(rv.location, name_len(decl.text, rv.location));
        if rv.relpersistence == "t" {
            self.err(
                Diag::new(
                    ErrorKind::SqlStatement,
                    format!("a temporary {what} cannot be declared"),
                )
                .at(decl.span(), "temporary")
                .help("remove TEMPORARY: declared views are permanent"),
            );
            return None;
        }
        if rv.schemaname.is_empty() {
            let keyword = what.to_uppercase();
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!("{what} `{}` is not schema-qualified", rv.relname),
                )
                .at(span, "no schema")
                .help(format!(
                    "name the schema: CREATE {keyword} app.{} …",
                    crate::sql::quote_ident(&rv.relname)
                )),
            );
            return None;
        }
        if !self.check_identifier(&rv.schemaname, span, "schema")
            || !self.check_identifier(&rv.relname, span, what)
        {
            return None;
        }
        Some(QualifiedName::new(&rv.schemaname, &rv.relname))
    }

    fn view_option(&mut self, decl: &SqlDecl<'_>, o: &Node, ctx: &str, view: &mut View) {
        let Some(node::Node::DefElem(d)) = &o.node else {
            return;
        };
        let span = decl.span_at(d.location, d.defname.len());
        let value = match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
            None => Some("true".to_string()),
            Some(node::Node::String(s)) => Some(s.sval.clone()),
            Some(node::Node::Integer(i)) => Some(i.ival.to_string()),
            Some(node::Node::Float(f)) => Some(f.fval.clone()),
            Some(node::Node::Boolean(b)) => Some(b.boolval.to_string()),
            Some(node::Node::TypeName(t)) => t.names.last().and_then(|n| match &n.node {
                Some(node::Node::String(s)) => Some(s.sval.clone()),
                _ => None,
            }),
            _ => None,
        };
        let Some(value) = value else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "option `{}` of {ctx} has a value pgrecon cannot read",
                        d.defname
                    ),
                )
                .at(span, "this option")
                .help("write the value as a number, a word or a quoted string"),
            );
            return;
        };
        let key = if d.defnamespace.is_empty() {
            d.defname.clone()
        } else {
            format!("{}.{}", d.defnamespace, d.defname)
        };
        if view.materialized {
            view.storage.insert(key, value);
            return;
        }
        let truth = crate::model::reloption_is_true(&value);
        match key.as_str() {
            "security_barrier" => view.security_barrier = truth,
            "security_invoker" => view.security_invoker = truth,
            "check_option"
                if matches!(value.to_ascii_lowercase().as_str(), "local" | "cascaded") =>
            {
                view.check_option = Some(value.to_ascii_lowercase());
            }
            _ => self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!("unknown option `{key}` of {ctx}"),
                )
                .at(span, "not a view option")
                .help(
                    "views take security_barrier, security_invoker and check_option \
                     (local or cascaded)",
                ),
            ),
        }
    }

    /// `[views."s.v"]`: owner, comment, grants and column comments of a view declared in
    /// a `.sql` file.
    pub(super) fn walk_view(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "view", "views", "app.v") else {
            return;
        };
        let ctx = format!("view `{key_text}`");
        let help = format!("declare it as a table: [views.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut entry = ViewToml {
            key: key_span,
            key_text: key_text.clone(),
            owner: None,
            acl: Acl::default(),
            comment: None,
            column_comments: BTreeMap::new(),
            index_comments: BTreeMap::new(),
            renamed_from: None,
        };
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "owner" => entry.owner = self.owner_ref(f, value, &what),
                "comment" => entry.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    entry.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Table,
                        GrantSite::Relation(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                "column_comments" => {
                    let help = "write column_comments = { id = \"the key\" }".to_string();
                    if let Some(columns) = self.table(f, value, &what, Some(help)) {
                        for (ck, cv) in columns.iter() {
                            let column = ck.get_ref().to_string();
                            let cwhat = format!("the comment of column `{column}` of {ctx}");
                            if let Some(c) = non_empty(self.string(f, cv, &cwhat)) {
                                entry.column_comments.insert(column, c);
                            }
                        }
                    }
                }
                "index_comments" => {
                    let help = "write index_comments = { v_id_idx = \"the key\" }".to_string();
                    if let Some(indexes) = self.table(f, value, &what, Some(help)) {
                        for (ik, iv) in indexes.iter() {
                            let index = ik.get_ref().to_string();
                            let iwhat = format!("the comment of index `{index}` of {ctx}");
                            if let Some(c) = non_empty(self.string(f, iv, &iwhat)) {
                                let span = self.sp(f, ik.span());
                                entry.index_comments.insert(index, (c, span));
                            }
                        }
                    }
                }
                "renamed_from" => {
                    entry.renamed_from = self.previous_name(f, value, &what, &name.name, &ctx);
                }
                "triggers" => {
                    let help = format!(
                        "declare entries by name, e.g. [views.{}.triggers] with one key per \
                         trigger",
                        toml_key(&key_text)
                    );
                    let triggers = self.table(f, value, &what, Some(help));
                    for (tk, tv) in triggers.iter().flat_map(|t| t.iter()) {
                        self.view_trigger_entry(f, tk, tv, &name, &key_text);
                    }
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawView>(), Some(&ctx)),
            }
        }
        if let Some(first) = self.views.toml.get(&name).map(|e| e.key) {
            self.duplicate(
                key_span,
                first,
                &ctx,
                &format!("[views.{}]", toml_key(&key_text)),
            );
            return;
        }
        self.commit(rec);
        self.views.toml.insert(name, entry);
    }

    /// Once every file is loaded: each TOML entry meets its statement, and the views join
    /// the catalog (owner defaulting to the schema's, as tables).
    pub(super) fn finish_views(&mut self) {
        let views = std::mem::take(&mut self.views);
        let mut toml = views.toml;
        let mut sql = views.sql;
        let mut index_spans: BTreeMap<QualifiedName, Span> = BTreeMap::new();
        for (relation, index, text, span) in views.indexes {
            let Some((_, view)) = sql.get_mut(&relation).filter(|(_, v)| v.materialized) else {
                self.err(
                    Diag::new(
                        ErrorKind::SqlStatement,
                        format!("index `{index}` is not on a declared materialized view"),
                    )
                    .at(span, "not a materialized view declared in a .sql file")
                    .help(
                        "a .sql file declares indexes of its materialized views only; declare \
                         a table's indexes in its [tables] entry",
                    ),
                );
                continue;
            };
            let key = QualifiedName::new(&relation.schema, &index);
            if let Some(first) = index_spans.get(&key) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!(
                            "index `{index}` is declared twice in schema `{}`",
                            relation.schema
                        ),
                    )
                    .at(span, "declared again here")
                    .also(*first, "first declared here")
                    .help("index names are unique in their schema: rename one"),
                );
                continue;
            }
            index_spans.insert(key, span);
            view.indexes.insert(index, text);
        }
        for (name, (span, mut view)) in sql {
            let entry = toml.remove(&name);
            if let Some(other) = self.catalog.relations.get(&name) {
                let diag = match self.relation_spans.get(&name) {
                    Some(grants) => Diag::new(
                        ErrorKind::Duplicate,
                        format!("view `{name}` also has grants in [table_grants]"),
                    )
                    .at(*grants, "declared again here")
                    .also(span, "declared here")
                    .help(format!(
                        "a declared view takes its grants in `grants` of [views.{}]",
                        toml_key(&name.to_string())
                    )),
                    None => Diag::new(
                        ErrorKind::Duplicate,
                        format!(
                            "`{name}` is declared as a {} and as a view",
                            other.kind.describe()
                        ),
                    )
                    .at(span, "declared again here")
                    .help("tables, sequences and views share one namespace: rename one"),
                };
                self.err(diag);
                continue;
            }
            let schema_owner = self
                .catalog
                .schemas
                .get(&name.schema)
                .and_then(|s| s.owner.clone());
            let mut owner = schema_owner;
            let mut acl = Acl::default();
            if let Some(e) = entry {
                if e.owner.is_some() {
                    owner = e.owner;
                }
                acl = e.acl;
                view.comment = e.comment;
                view.column_comments = e.column_comments;
                for (index, (comment, span)) in e.index_comments {
                    if view.indexes.contains_key(&index) {
                        view.index_comments.insert(index, comment);
                        continue;
                    }
                    self.err(
                        Diag::new(
                            ErrorKind::MissingKey,
                            format!("index `{index}` is not declared on view `{name}`"),
                        )
                        .at(span, "no CREATE INDEX statement on the view declares it")
                        .help(format!(
                            "declare it in a .sql file (CREATE INDEX {} ON {name} …), or \
                             remove its comment",
                            crate::sql::quote_ident(&index)
                        )),
                    );
                }
                if let Some(old) = e.renamed_from {
                    self.catalog.renamed_from.insert(view.object_ref(), old);
                }
            }
            self.catalog.relations.insert(
                name.clone(),
                Relation {
                    name: name.clone(),
                    kind: view.kind(),
                    owner,
                    acl,
                },
            );
            let location = self.sources.location(span);
            self.sources.relations.insert(name.clone(), location);
            self.catalog.views.insert(name, view);
        }
        for (_, e) in toml {
            self.err(
                Diag::new(
                    ErrorKind::MissingKey,
                    format!("view `{}` has no definition", e.key_text),
                )
                .at(e.key, "no CREATE VIEW statement declares it")
                .help(format!(
                    "declare it in a .sql file (CREATE VIEW {} AS SELECT …), or remove \
                     [views.{}]",
                    e.key_text,
                    toml_key(&e.key_text)
                )),
            );
        }
    }
}

/// Length of the (possibly qualified, possibly quoted) name at `location`: up to the
/// first character that cannot be part of it.
fn name_len(text: &str, location: i32) -> usize {
    let Ok(at) = usize::try_from(location) else {
        return 1;
    };
    let rest = text.get(at..).unwrap_or("");
    let mut quoted = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if !(quoted || c.is_alphanumeric() || c == '_' || c == '.' || c == '$') => {
                return i.max(1);
            }
            _ => {}
        }
    }
    rest.len().max(1)
}

/// The query of a `CREATE [MATERIALIZED] VIEW` statement: from the token after its
/// first top-level `AS` to the end, without a trailing `WITH [CASCADED | LOCAL] CHECK
/// OPTION` or (materialized) `WITH [NO] DATA`.
pub(super) fn query_text(text: &str, materialized: bool) -> Option<&str> {
    use pg_query::protobuf::Token;
    let scan = pg_query::scan(text).ok()?;
    let tokens: Vec<(i32, usize, usize)> = scan
        .tokens
        .iter()
        .filter(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
        .map(|t| (t.token, t.start as usize, t.end as usize))
        .collect();
    let mut depth = 0i32;
    let mut start = None;
    for (i, (token, _, _)) in tokens.iter().enumerate() {
        match *token {
            t if t == Token::Ascii40 as i32 => depth += 1,
            t if t == Token::Ascii41 as i32 => depth -= 1,
            t if t == Token::As as i32 && depth == 0 => {
                start = Some(i + 1);
                break;
            }
            _ => {}
        }
    }
    let start = start?;
    let mut end = tokens.len();
    let is = |i: usize, t: Token| tokens.get(i).is_some_and(|x| x.0 == t as i32);
    let with = |i: usize| is(i, Token::With) || is(i, Token::WithLa);
    if materialized {
        if end >= 2 && is(end - 1, Token::DataP) {
            if end >= 3 && is(end - 2, Token::No) && with(end - 3) {
                end -= 3;
            } else if with(end - 2) {
                end -= 2;
            }
        }
    } else if end >= 3 && is(end - 1, Token::Option) && is(end - 2, Token::Check) {
        if with(end - 3) {
            end -= 3;
        } else if end >= 4
            && (is(end - 3, Token::Cascaded) || is(end - 3, Token::Local))
            && with(end - 4)
        {
            end -= 4;
        }
    }
    if start >= end {
        return None;
    }
    Some(&text[tokens[start].1..tokens[end - 1].2])
}

#[cfg(test)]
mod tests {
    use super::query_text;

    #[test]
    fn the_query_is_found_between_as_and_the_trailing_clauses() {
        assert_eq!(
            query_text(
                "CREATE VIEW a.v (x) WITH (security_barrier) AS SELECT 1 AS x",
                false
            ),
            Some("SELECT 1 AS x")
        );
        assert_eq!(
            query_text(
                "CREATE VIEW a.v AS SELECT t.a AS \"as\" FROM a.t WITH LOCAL CHECK OPTION",
                false
            ),
            Some("SELECT t.a AS \"as\" FROM a.t")
        );
        assert_eq!(
            query_text(
                "CREATE MATERIALIZED VIEW a.m AS SELECT 1 WITH NO DATA",
                true
            ),
            Some("SELECT 1")
        );
        assert_eq!(
            query_text("CREATE MATERIALIZED VIEW a.m AS (SELECT 1) -- c\n", true),
            Some("(SELECT 1)")
        );
    }
}
