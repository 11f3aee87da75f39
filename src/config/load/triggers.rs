//! Triggers declared in `.sql` files (`CREATE [CONSTRAINT] TRIGGER … ON s.t`), and what
//! TOML says about them under `[tables."s.t".triggers.<name>]` (enabled state, comment)
//! or, for a trigger on a view, `[views."s.v".triggers.<name>]` (comment). Both are kept
//! until every file is loaded: the table or view may be declared in a later file.

use super::sql_files::SqlDecl;
use super::*;
use crate::model::{ConstraintTrigger, Trigger, TriggerEnabled, TriggerEvent, TriggerTiming};
use pg_query::NodeEnum;
use pg_query::protobuf::{CreateTrigStmt, RangeVar};

/// Triggers until every file is loaded (`Relational.triggers`).
#[derive(Default)]
pub(super) struct Triggers {
    sql: Vec<SqlTrigger>,
    toml: Vec<TomlTrigger>,
    /// Names of the statements that are in error (already reported): their TOML
    /// entries are not reported as lacking a statement.
    in_error: BTreeSet<String>,
}

struct SqlTrigger {
    table: QualifiedName,
    /// The table as written in the statement, and where.
    table_text: String,
    table_span: Span,
    statement: Span,
    /// Each `UPDATE OF` column and where it is written.
    update_of: Vec<(String, Span)>,
    trigger: Trigger,
}

struct TomlTrigger {
    /// An entry of `[views."s.v".triggers]`.
    on_view: bool,
    table: QualifiedName,
    table_text: String,
    key: Span,
    name: String,
    enabled: Option<TriggerEnabled>,
    comment: Option<String>,
    renamed_from: Option<String>,
}

// `tgtype` bits as the parser sets them in `timing` and `events`.
const BEFORE: i32 = 1 << 1;
const INSERT: i32 = 1 << 2;
const DELETE: i32 = 1 << 3;
const UPDATE: i32 = 1 << 4;
const TRUNCATE: i32 = 1 << 5;
const INSTEAD: i32 = 1 << 6;

impl Loader {
    pub(super) fn walk_sql_trigger(&mut self, decl: &SqlDecl<'_>) {
        let NodeEnum::CreateTrigStmt(stmt) = decl.node else {
            return;
        };
        let Some(trigger) = self.sql_trigger(decl, stmt) else {
            self.rel.triggers.in_error.insert(stmt.trigname.clone());
            return;
        };
        self.rel.triggers.sql.push(trigger);
    }

    fn sql_trigger(&mut self, decl: &SqlDecl<'_>, s: &CreateTrigStmt) -> Option<SqlTrigger> {
        let name = s.trigname.clone();
        self.check_identifier(&name, decl.span(), "trigger");
        let relation = s.relation.as_ref()?;
        let (table, table_text, table_span) = self.trigger_table(decl, relation, &name)?;
        let function = self.trigger_function(decl, s, &name, &table_text)?;
        let arguments = s
            .args
            .iter()
            .filter_map(|a| match &a.node {
                Some(NodeEnum::String(v)) => Some(v.sval.clone()),
                _ => None,
            })
            .collect();
        let update_columns: Vec<String> = s
            .columns
            .iter()
            .filter_map(|c| match &c.node {
                Some(NodeEnum::String(v)) => Some(v.sval.clone()),
                _ => None,
            })
            .collect();
        let events: Vec<TriggerEvent> = [
            (INSERT, TriggerEvent::Insert),
            (DELETE, TriggerEvent::Delete),
            (UPDATE, TriggerEvent::Update),
            (TRUNCATE, TriggerEvent::Truncate),
        ]
        .into_iter()
        .filter(|(bit, _)| s.events & bit != 0)
        .map(|(_, e)| e)
        .collect();
        let timing = if s.timing & BEFORE != 0 {
            TriggerTiming::Before
        } else if s.timing & INSTEAD != 0 {
            TriggerTiming::InsteadOf
        } else {
            TriggerTiming::After
        };
        let when = match s.when_clause.as_deref() {
            Some(w) => Some(crate::ddl::trigger::deparse_expression(w).or_else(|| {
                self.err(
                    Diag::new(
                        ErrorKind::SqlSyntax,
                        format!("the WHEN condition of trigger `{name}` cannot be read"),
                    )
                    .at(decl.span(), "in this statement")
                    .help("write the condition as a plain boolean expression"),
                );
                None
            })?),
            None => None,
        };
        let mut old_table = None;
        let mut new_table = None;
        for t in &s.transition_rels {
            if let Some(NodeEnum::TriggerTransition(t)) = &t.node {
                if t.is_new {
                    new_table = Some(t.name.clone());
                } else {
                    old_table = Some(t.name.clone());
                }
            }
        }
        let constraint = if s.isconstraint {
            let referenced_table = match &s.constrrel {
                Some(r) => Some(self.trigger_table(decl, r, &name)?.0),
                None => None,
            };
            Some(ConstraintTrigger {
                deferrable: s.deferrable,
                initially_deferred: s.initdeferred,
                referenced_table,
            })
        } else {
            None
        };
        let update_of = column_spans(decl, &update_columns);
        Some(SqlTrigger {
            table,
            table_text,
            table_span,
            statement: decl.span(),
            update_of,
            trigger: Trigger {
                name,
                timing,
                events,
                update_columns,
                for_each_row: s.row,
                when,
                function,
                arguments,
                constraint,
                old_table,
                new_table,
                enabled: TriggerEnabled::Origin,
                comment: None,
            },
        })
    }

    /// The table a trigger is on (or a constraint trigger's `FROM`): schema-qualified.
    fn trigger_table(
        &mut self,
        decl: &SqlDecl<'_>,
        r: &RangeVar,
        trigger: &str,
    ) -> Option<(QualifiedName, String, Span)> {
        let written = written_at(decl.text, r.location);
        let span = decl.span_at(r.location, written.len());
        if r.schemaname.is_empty() || !r.catalogname.is_empty() {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!(
                        "table `{}` of trigger `{trigger}` is not schema-qualified",
                        r.relname
                    ),
                )
                .at(span, "name the schema")
                .help(format!(
                    "name the schema: CREATE TRIGGER {} … ON app.{} …",
                    crate::sql::quote_ident(trigger),
                    crate::sql::quote_ident(&r.relname)
                )),
            );
            return None;
        }
        Some((
            QualifiedName::new(&r.schemaname, &r.relname),
            format!("{}.{}", r.schemaname, r.relname),
            span,
        ))
    }

    fn trigger_function(
        &mut self,
        decl: &SqlDecl<'_>,
        s: &CreateTrigStmt,
        trigger: &str,
        table: &str,
    ) -> Option<QualifiedName> {
        let parts: Vec<String> = s
            .funcname
            .iter()
            .filter_map(|p| match &p.node {
                Some(NodeEnum::String(v)) => Some(v.sval.clone()),
                _ => None,
            })
            .collect();
        match parts.as_slice() {
            [schema, name] => Some(QualifiedName::new(schema, name)),
            _ => {
                let function = parts.last().cloned().unwrap_or_default();
                let at = decl
                    .text
                    .to_ascii_uppercase()
                    .rfind("EXECUTE")
                    .and_then(|i| i32::try_from(i).ok())
                    .unwrap_or(-1);
                let rest = usize::try_from(at).map_or(decl.text.len(), |a| decl.text.len() - a);
                self.err(
                    Diag::new(
                        ErrorKind::InvalidName,
                        format!(
                            "function `{function}` of trigger `{trigger}` is not schema-qualified"
                        ),
                    )
                    .at(decl.span_at(at, rest), "name the function's schema")
                    .help(format!(
                        "name the schema: … EXECUTE FUNCTION app.{}() (the trigger is on {table})",
                        crate::sql::quote_ident(&function)
                    )),
                );
                None
            }
        }
    }

    /// `triggers.<name>` of `[tables."s.t"]`.
    pub(super) fn trigger_entry(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        table: &QualifiedName,
        table_text: &str,
    ) {
        self.trigger_entry_of(f, k, v, table, table_text, false);
    }

    /// `triggers.<name>` of `[views."s.v"]`: its comment (a view's triggers always fire).
    pub(super) fn view_trigger_entry(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        view: &QualifiedName,
        view_text: &str,
    ) {
        self.trigger_entry_of(f, k, v, view, view_text, true);
    }

    fn trigger_entry_of(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        relation: &QualifiedName,
        relation_text: &str,
        on_view: bool,
    ) {
        let name = k.get_ref().to_string();
        let key = self.sp(f, k.span());
        let what_relation = if on_view { "view" } else { "table" };
        let ctx = format!("trigger `{name}` of {what_relation} `{relation_text}`");
        self.check_identifier(&name, key, "trigger");
        let help = if on_view {
            format!("write {} = {{ comment = \"…\" }}", toml_key(&name))
        } else {
            format!("write {} = {{ enabled = \"disabled\" }}", toml_key(&name))
        };
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut entry = TomlTrigger {
            on_view,
            table: relation.clone(),
            table_text: relation_text.to_string(),
            key,
            name,
            enabled: None,
            comment: None,
            renamed_from: None,
        };
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "comment" => entry.comment = non_empty(self.string(f, value, &what)),
                "enabled" if on_view => {
                    let at = self.sp(f, key.span());
                    self.err(
                        Diag::new(ErrorKind::Conflict, format!("{ctx} cannot be disabled"))
                            .at(at, "not for a view's trigger")
                            .help(
                                "remove `enabled`: PostgreSQL always fires the triggers of a view",
                            ),
                    );
                }
                "enabled" => {
                    let choices = fields_of::<raw::RawTriggerEnabled>();
                    entry.enabled = self
                        .choice(f, value, &what, "enabled state", choices)
                        .and_then(TriggerEnabled::parse);
                }
                "renamed_from" if !on_view => {
                    let own = entry.name.clone();
                    entry.renamed_from = self.previous_name(f, value, &what, &own, &ctx);
                }
                _ if on_view => {
                    self.unknown_key(f, key, fields_of::<raw::RawViewTrigger>(), Some(&ctx))
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawTrigger>(), Some(&ctx)),
            }
        }
        self.rel.triggers.toml.push(entry);
    }

    /// Once every file is loaded: each trigger onto its declared table, with what TOML
    /// says about it.
    pub(super) fn finish_triggers(&mut self, triggers: Triggers) {
        let mut seen: BTreeMap<(QualifiedName, String), Span> = BTreeMap::new();
        let mut declared: BTreeSet<(QualifiedName, String)> = BTreeSet::new();
        for t in triggers.sql {
            if !self.catalog.tables.contains_key(&t.table) && self.view_trigger(&t, &mut seen) {
                continue;
            }
            if !self.catalog.tables.contains_key(&t.table) {
                let declared_tables: Vec<String> = self
                    .catalog
                    .tables
                    .keys()
                    .map(|n| format!("{}.{}", n.schema, n.name))
                    .collect();
                let candidates: Vec<&str> = declared_tables.iter().map(String::as_str).collect();
                let declare = format!(
                    "declare the table under [tables.{}]; triggers are declared on declared tables",
                    toml_key(&t.table_text)
                );
                let help = match did_you_mean(&t.table_text, &candidates) {
                    Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                    None => declare,
                };
                self.err(
                    Diag::new(
                        ErrorKind::UndeclaredTable,
                        format!(
                            "trigger `{}` is on `{}`, which is not declared",
                            t.trigger.name, t.table_text
                        ),
                    )
                    .at(t.table_span, "not a declared table")
                    .help(help),
                );
                continue;
            }
            let Some(key) = self.first_declaration(&t, &mut seen) else {
                continue;
            };
            let columns = self.columns_of(&t.table);
            let mut ok = true;
            for (c, span) in &t.update_of {
                if !columns.contains(c) {
                    ok = false;
                    let what = format!("UPDATE OF of trigger `{}`", t.trigger.name);
                    self.err(validate::unknown_column(
                        c,
                        *span,
                        &what,
                        &t.table_text,
                        &columns,
                    ));
                }
            }
            if ok {
                let location = self.sources.location(t.statement);
                self.sources.triggers.insert(key.clone(), location);
                declared.insert(key);
                self.catalog
                    .tables
                    .get_mut(&t.table)
                    .expect("checked above")
                    .triggers
                    .insert(t.trigger.name.clone(), t.trigger);
            }
        }
        for e in triggers.toml {
            let trigger = if e.on_view {
                self.catalog
                    .views
                    .get_mut(&e.table)
                    .and_then(|v| v.triggers.get_mut(&e.name))
            } else {
                self.catalog
                    .tables
                    .get_mut(&e.table)
                    .and_then(|t| t.triggers.get_mut(&e.name))
            };
            let Some(trigger) = trigger else {
                if !seen.contains_key(&(e.table.clone(), e.name.clone()))
                    && !triggers.in_error.contains(&e.name)
                {
                    self.err(
                        Diag::new(
                            ErrorKind::MissingKey,
                            format!(
                                "trigger `{}` of {} `{}` has no CREATE TRIGGER statement",
                                e.name,
                                if e.on_view { "view" } else { "table" },
                                e.table_text
                            ),
                        )
                        .at(
                            e.key,
                            if e.on_view {
                                "no trigger of this name is declared on the view"
                            } else {
                                "no trigger of this name is declared on the table"
                            },
                        )
                        .help(format!(
                            "declare it in a .sql file: CREATE TRIGGER {} … ON {} …; or remove \
                             this entry",
                            crate::sql::quote_ident(&e.name),
                            e.table_text
                        )),
                    );
                }
                continue;
            };
            if let Some(enabled) = e.enabled {
                trigger.enabled = enabled;
            }
            if e.comment.is_some() {
                trigger.comment = e.comment;
            }
            if let Some(old) = e.renamed_from {
                let object = crate::model::ObjectRef::table_part(
                    crate::model::TablePart::Trigger,
                    &e.table,
                    &e.name,
                );
                self.catalog.renamed_from.insert(object, old);
            }
        }
    }

    /// The trigger's key when it is its first declaration (recorded in `seen`); a second
    /// one is an error pointing at both.
    fn first_declaration(
        &mut self,
        t: &SqlTrigger,
        seen: &mut BTreeMap<(QualifiedName, String), Span>,
    ) -> Option<(QualifiedName, String)> {
        let key = (t.table.clone(), t.trigger.name.clone());
        if let Some(first) = seen.get(&key) {
            self.err(
                Diag::new(
                    ErrorKind::Duplicate,
                    format!(
                        "trigger `{}` on `{}` is declared twice",
                        t.trigger.name, t.table_text
                    ),
                )
                .at(t.statement, "declared again here")
                .also(*first, "first declared here")
                .help("remove one of the two CREATE TRIGGER statements"),
            );
            return None;
        }
        seen.insert(key.clone(), t.statement);
        Some(key)
    }
}

impl Loader {
    /// A trigger whose target is a declared view (not a table): put on the view, or
    /// reported (a materialized view cannot have triggers; a duplicate). `false` when the
    /// target is not a declared view.
    fn view_trigger(
        &mut self,
        t: &SqlTrigger,
        seen: &mut BTreeMap<(QualifiedName, String), Span>,
    ) -> bool {
        let Some(view) = self.catalog.views.get(&t.table) else {
            return false;
        };
        if view.materialized {
            self.err(
                Diag::new(
                    ErrorKind::Conflict,
                    format!(
                        "trigger `{}` is on materialized view `{}`",
                        t.trigger.name, t.table_text
                    ),
                )
                .at(t.table_span, "a materialized view")
                .help("PostgreSQL has no triggers on materialized views: remove the statement"),
            );
            return true;
        }
        let Some(key) = self.first_declaration(t, seen) else {
            return true;
        };
        let location = self.sources.location(t.statement);
        self.sources.triggers.insert(key, location);
        // `UPDATE OF` columns are checked by the server: a view's columns are known once
        // canon has read it back.
        self.catalog
            .views
            .get_mut(&t.table)
            .expect("checked above")
            .triggers
            .insert(t.trigger.name.clone(), t.trigger.clone());
        true
    }
}

/// The name written at `location` of a statement: up to the next space or parenthesis.
fn written_at(text: &str, location: i32) -> &str {
    let Ok(at) = usize::try_from(location) else {
        return text;
    };
    let rest = text.get(at..).unwrap_or("");
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Where each `UPDATE OF` column is written (the parser keeps no location for them):
/// its first occurrence after `OF`, else the whole statement.
fn column_spans(decl: &SqlDecl<'_>, columns: &[String]) -> Vec<(String, Span)> {
    let lower = decl.text.to_lowercase();
    let after = lower.find(" of ").map_or(0, |i| i + 4);
    columns
        .iter()
        .map(|c| {
            let at = lower[after..]
                .find(&c.to_lowercase())
                .and_then(|i| i32::try_from(after + i).ok())
                .unwrap_or(-1);
            (c.clone(), decl.span_at(at, c.len()))
        })
        .collect()
}
