//! Views: the declared query → `pg_get_viewdef` text, output columns and what the view
//! reads, by creating the view on the server and reading it back.
//!
//! The design, and why it is the simplest one that is correct:
//!
//! - A view whose declared text already equals the live `pg_get_viewdef` text (and
//!   whose declared column list agrees) is settled: canonical text is a fixed point, so
//!   it takes the live columns and dependencies and nothing is created. This is the
//!   no-op plan and the import round trip.
//! - Every other view is created in the scratch schema of its schema, after the table
//!   chunks, in a savepoint of its own (rolled back like the chunks): the relations its
//!   query names must resolve to what the desired state will hold, which is
//!   - the live relation, when the desired state keeps it as it is (a settled table, a
//!     settled view, anything undeclared): the name is left alone;
//!   - the scratch copy, when the desired table is new or changes (it is created again
//!     in this savepoint, with its partition ancestors), or when the referenced view is
//!     itself being canonicalised: the name in the query is rewritten to the scratch
//!     schema. The rewrite is textual, at the parser's location of each relation name
//!     (`FROM`, `JOIN`, subqueries, `WITH` queries; a `WITH` query's own name is never
//!     rewritten), so everything else stays as declared.
//!
//!   Views are created in dependency order (a view that names another pending view comes
//!   after it), with `search_path` set to the view's schema and `public`, so an
//!   unqualified name resolves as it will when the plan runs.
//! - The read-back (`introspect::read_catalog`, the same reader as the live side) gives
//!   `pg_get_viewdef` under the empty `search_path`, the columns with their types and the
//!   `pg_depend` edges of the view's rule; scratch schema names are mapped back to the
//!   real ones. Materialized views are always created `WITH NO DATA` here: canon never
//!   runs a query.
//!
//! Limits: a relation named only inside an expression the parse-tree walk does not visit
//! (a subquery as a named function argument, in a window or grouping-set clause) is not
//! rewritten; it then resolves to the live relation, or fails naming it when it does
//! not exist yet. Views reading each other in a cycle cannot exist and are reported by
//! the server.

use super::ddl::{Group, Stmt};
use super::run::run;
use super::work::Work;
use super::{CanonError, Checker, Declared, SCRATCH_PREFIX, exec, set_empty_search_path};
use crate::config::view_refs::{RelationRef, query_relations};
use crate::ddl::view::{ViewSql, create_view};
use crate::introspect;
use crate::model::*;
use crate::sql::{qualified, quote_ident};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::GenericClient;

const VIEW_SAVEPOINT: &str = "pgrecon_canon_views";
const KEY_SAVEPOINT: &str = "pgrecon_canon_key";

/// A declared `CREATE INDEX … ON s.m …` with the relation's schema replaced by
/// `scratch` (already quoted): the schema is the token at the relation's location.
fn index_on(statement: &str, scratch: &str) -> String {
    let location = pg_query::parse(statement, pg_query::ParserOptions::DEFAULT)
        .ok()
        .and_then(|p| {
            p.protobuf
                .nodes()
                .into_iter()
                .find_map(|(n, _, _, _)| match n {
                    pg_query::NodeRef::IndexStmt(s) => s.relation.as_ref().map(|r| r.location),
                    _ => None,
                })
        })
        .and_then(|l| usize::try_from(l).ok());
    let end = location.and_then(|at| {
        pg_query::scan(statement)
            .ok()?
            .tokens
            .iter()
            .find_map(|t| (t.start as usize == at).then_some(t.end as usize))
    });
    match (location, end) {
        (Some(start), Some(end)) => {
            let mut out = statement.to_string();
            out.replace_range(start..end, scratch);
            out
        }
        _ => statement.to_string(),
    }
}

/// The column types of the declared views that call a routine whose result or
/// arguments change (and of the views that read those), left unknown: canon resolved
/// the calls to the live routine, so the types it read are the old ones.
pub(super) fn forget_types_of_rebuilt_calls(desired: &mut Catalog, live: &Catalog) {
    let changes = |id: &FunctionId| {
        let result = |c: &Catalog| {
            c.functions
                .get(id)
                .and_then(|f| f.definition.as_ref())
                .map(|d| (d.result.clone(), d.arguments.clone()))
        };
        matches!((result(desired), result(live)), (Some(w), Some(h)) if w != h)
    };
    let mut unknown: BTreeSet<QualifiedName> = desired
        .views
        .values()
        .filter(|v| v.calls.iter().any(changes))
        .map(|v| v.name.clone())
        .collect();
    loop {
        let more: Vec<QualifiedName> = desired
            .views
            .values()
            .filter(|v| !unknown.contains(&v.name))
            .filter(|v| v.reads.iter().any(|(r, _)| unknown.contains(r)))
            .map(|v| v.name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        unknown.extend(more);
    }
    for name in unknown {
        if let Some(v) = desired.views.get_mut(&name) {
            v.columns.iter_mut().for_each(|c| c.type_name.clear());
        }
    }
}

/// Settles the declared views whose text equals the live one (they take the live
/// columns and dependencies) and returns the others, which need the server.
pub(super) fn settle(desired: &mut Catalog, live: &Catalog) -> Vec<QualifiedName> {
    let mut pending = Vec::new();
    for (name, v) in desired.views.iter_mut() {
        match settled_as(name, v, live) {
            Some(l) => {
                v.columns = l.columns.clone();
                v.reads = l.reads.clone();
                v.calls = l.calls.clone();
            }
            None => pending.push(name.clone()),
        }
    }
    pending
}

/// The views [`settle`] would leave pending, without settling the others: what
/// `needs_scratch` asks, which must not copy the whole desired catalog to learn it.
pub(super) fn pending(desired: &Catalog, live: &Catalog) -> Vec<QualifiedName> {
    desired
        .views
        .iter()
        .filter(|(name, v)| settled_as(name, v, live).is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

/// The live view a declared view is settled as: same kind, triggers, definition and
/// indexes, and its declared columns a prefix of the live ones by name.
fn settled_as<'a>(name: &QualifiedName, v: &View, live: &'a Catalog) -> Option<&'a View> {
    live.views.get(name).filter(|l| {
        l.materialized == v.materialized
            && triggers_settled(v, l)
            && l.definition == v.definition
            && l.indexes == v.indexes
            && v.columns.len() <= l.columns.len()
            && v.columns
                .iter()
                .zip(&l.columns)
                .all(|(d, l)| d.name == l.name)
    })
}

/// Whether every declared trigger of a view is the live one (a trigger's only text, its
/// `WHEN` condition, is then canonical): else the view is created in scratch with them.
fn triggers_settled(want: &View, have: &View) -> bool {
    want.triggers.iter().all(|(name, t)| {
        have.triggers
            .get(name)
            .is_some_and(|h| !t.definition_differs(h))
    })
}

/// The relations a view's query names, each resolved to the name it will have: a
/// qualified name as written; an unqualified one in the view's schema when something
/// of that name exists there (desired or live), else in `public`. `WITH` query names
/// and names with a database part are left out.
fn resolve(v: &View, desired: &Catalog, live: &Catalog) -> Vec<(RelationRef, QualifiedName)> {
    let Ok((refs, ctes)) = query_relations(&v.definition) else {
        return Vec::new();
    };
    let exists = |n: &QualifiedName| {
        desired.tables.contains_key(n)
            || desired.views.contains_key(n)
            || desired.sequences.contains_key(n)
            || live.relations.contains_key(n)
    };
    refs.into_iter()
        .filter(|r| !r.with_catalog)
        .filter_map(|r| {
            let name = match &r.schema {
                Some(s) => QualifiedName::new(s, &r.name),
                None if ctes.contains(&r.name) => return None,
                None => {
                    let here = QualifiedName::new(&v.name.schema, &r.name);
                    if exists(&here) {
                        here
                    } else {
                        QualifiedName::new("public", &r.name)
                    }
                }
            };
            Some((r, name))
        })
        .collect()
}

impl Work {
    /// Orders the pending views (dependencies first) and finds the changed tables they
    /// read, which get scratch copies in the views' savepoint. Returns the schemas that
    /// need a scratch twin.
    pub(super) fn plan_views(
        &mut self,
        pending: &[QualifiedName],
        desired: &Catalog,
        live: &Catalog,
    ) -> BTreeSet<String> {
        let set: BTreeSet<&QualifiedName> = pending.iter().collect();
        let mut deps: BTreeMap<&QualifiedName, BTreeSet<QualifiedName>> = BTreeMap::new();
        let mut tables = BTreeSet::new();
        for name in pending {
            let v = &desired.views[name];
            let mut d = BTreeSet::new();
            for (_, target) in resolve(v, desired, live) {
                // A declared table the live catalog does not hold under that name (new,
                // or renamed) is copied to scratch even when its text is settled.
                let absent =
                    desired.tables.contains_key(&target) && !live.tables.contains_key(&target);
                if set.contains(&target) && &target != name {
                    d.insert(target);
                } else if self.tables.contains(&target) || absent {
                    self.tables.insert(target.clone());
                    tables.insert(target);
                }
            }
            deps.insert(name, d);
        }
        // Dependencies first; what is left in a cycle keeps the name order.
        let mut done: BTreeSet<QualifiedName> = BTreeSet::new();
        while done.len() < pending.len() {
            let ready: Vec<QualifiedName> = deps
                .iter()
                .filter(|(n, d)| !done.contains(**n) && d.iter().all(|x| done.contains(x)))
                .map(|(n, _)| (*n).clone())
                .collect();
            let next = if ready.is_empty() {
                deps.keys()
                    .filter(|n| !done.contains(**n))
                    .map(|n| (*n).clone())
                    .take(1)
                    .collect()
            } else {
                ready
            };
            for n in next {
                done.insert(n.clone());
                self.views.push(n);
            }
        }
        // Partitions need their ancestors in scratch.
        let mut pending_tables: Vec<QualifiedName> = tables.iter().cloned().collect();
        while let Some(n) = pending_tables.pop() {
            let parent = desired
                .tables
                .get(&n)
                .or_else(|| live.tables.get(&n))
                .and_then(|t| t.partition_of.as_ref())
                .map(|p| p.parent.clone());
            if let Some(p) = parent
                && (self.tables.contains(&p) || self.live_parents.contains(&p))
                && tables.insert(p.clone())
            {
                pending_tables.push(p);
            }
        }
        self.view_tables = tables;
        self.views.iter().map(|n| n.schema.clone()).collect()
    }

    /// The declared query with every name of a relation that has a scratch twin here
    /// (a changed table, a pending view) pointed at the twin.
    fn scratch_query(&self, v: &View, desired: &Catalog, live: &Catalog) -> String {
        let twins: BTreeSet<&QualifiedName> = self.views.iter().chain(&self.view_tables).collect();
        let tokens: BTreeMap<usize, usize> = pg_query::scan(&v.definition)
            .map(|s| {
                s.tokens
                    .iter()
                    .map(|t| (t.start as usize, t.end as usize))
                    .collect()
            })
            .unwrap_or_default();
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for (r, target) in resolve(v, desired, live) {
            if !twins.contains(&target) {
                continue;
            }
            let scratch = quote_ident(&self.scratch[&target.schema]);
            match r.schema {
                // The schema is the first token at the location.
                Some(_) => match tokens.get(&r.location) {
                    Some(end) => edits.push((r.location, *end, scratch)),
                    None => continue,
                },
                None => edits.push((r.location, r.location, format!("{scratch}."))),
            }
        }
        let mut out = v.definition.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, text) in edits {
            out.replace_range(start..end, &text);
        }
        out
    }

    /// Creates the pending views in scratch (in a savepoint, rolled back), reads them
    /// back and copies their canonical form into `out`.
    pub(super) async fn canonicalize_views(
        &self,
        client: &impl GenericClient,
        desired: &Catalog,
        live: &Catalog,
        out: &mut Catalog,
        quoted: &BTreeMap<String, String>,
    ) -> Result<(), CanonError> {
        if self.views.is_empty() {
            return Ok(());
        }
        exec(client, &format!("SAVEPOINT {VIEW_SAVEPOINT}")).await?;
        let result = self
            .views_in_savepoint(client, desired, live, out, quoted)
            .await;
        exec(
            client,
            &format!("ROLLBACK TO SAVEPOINT {VIEW_SAVEPOINT}; RELEASE SAVEPOINT {VIEW_SAVEPOINT}"),
        )
        .await?;
        result
    }

    /// The declared primary keys of the scratch table copies the views read: a view
    /// may group by one and read the table's other columns (they depend on it). One that
    /// cannot be added is left out, and a view relying on it says why it fails.
    async fn primary_keys(
        &self,
        client: &impl GenericClient,
        desired: &Catalog,
    ) -> Result<(), CanonError> {
        for name in &self.view_tables {
            let Some(t) = desired.tables.get(name) else {
                continue;
            };
            for con in t.constraints.values() {
                let ConstraintKind::PrimaryKey { columns, .. } = &con.kind else {
                    continue;
                };
                let target = self.scratch_name(name);
                let columns: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
                let sql = format!(
                    "SAVEPOINT {KEY_SAVEPOINT}; ALTER TABLE {} ADD PRIMARY KEY ({}); \
                     RELEASE SAVEPOINT {KEY_SAVEPOINT}",
                    qualified(&target.schema, &target.name),
                    columns.join(", ")
                );
                if client.batch_execute(&sql).await.is_err() {
                    exec(
                        client,
                        &format!(
                            "ROLLBACK TO SAVEPOINT {KEY_SAVEPOINT}; \
                             RELEASE SAVEPOINT {KEY_SAVEPOINT}"
                        ),
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// The declared triggers of the pending views, on their scratch twins (executing a
    /// no-op function there): the server says whether the view can have them, and its
    /// `WHEN` condition is read back.
    async fn view_triggers(
        &self,
        client: &impl GenericClient,
        desired: &Catalog,
    ) -> Result<(), CanonError> {
        use super::groups::{SCRATCH_TRIGGER_FUNCTION, scratch_trigger_function};
        use crate::ddl::trigger::{Create, create_trigger};
        let with_triggers: Vec<&QualifiedName> = self
            .views
            .iter()
            .filter(|n| !desired.views[*n].triggers.is_empty())
            .collect();
        let schemas: BTreeSet<&String> = with_triggers
            .iter()
            .map(|n| &self.scratch[&n.schema])
            .collect();
        let mut groups: Vec<Group> = schemas
            .into_iter()
            .map(|s| Group {
                object: super::SCRATCH_OBJECT.into(),
                declared: None,
                creates: true,
                search_path: None,
                stmts: vec![Stmt::raw(scratch_trigger_function(s))],
            })
            .collect();
        for name in with_triggers {
            let target = self.scratch_name(name);
            let function = QualifiedName::new(&target.schema, SCRATCH_TRIGGER_FUNCTION);
            for t in desired.views[name].triggers.values() {
                let copy = Trigger {
                    arguments: Vec::new(),
                    ..t.clone()
                };
                groups.push(Group {
                    object: format!("trigger {} on {name}", quote_ident(&t.name)),
                    declared: Some(Declared::Trigger(name.clone(), t.name.clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![Stmt::raw(create_trigger(
                        &target,
                        &copy,
                        &function,
                        Create::Plain,
                    ))],
                });
            }
        }
        if groups.is_empty() {
            return Ok(());
        }
        run(client, &groups, &self.scratch).await
    }

    async fn views_in_savepoint(
        &self,
        client: &impl GenericClient,
        desired: &Catalog,
        live: &Catalog,
        out: &mut Catalog,
        quoted: &BTreeMap<String, String>,
    ) -> Result<(), CanonError> {
        if !self.view_tables.is_empty() {
            let names: Vec<QualifiedName> = self.view_tables.iter().cloned().collect();
            // Their declared fragments were checked with the chunks already.
            let groups = self.table_statements(&names, desired, live, &mut Checker::default());
            run(client, &groups, &self.scratch).await?;
            self.primary_keys(client, desired).await?;
        }
        let groups: Vec<Group> = self
            .views
            .iter()
            .map(|name| {
                let v = &desired.views[name];
                let query = self.scratch_query(v, desired, live);
                let sql = create_view(&ViewSql {
                    name: &self.scratch_name(name),
                    view: v,
                    definition: &query,
                    or_replace: false,
                    column_list: true,
                    no_data: true,
                });
                Group {
                    object: format!("{} {name}", v.kind().describe()),
                    declared: Some(Declared::Relation(name.clone())),
                    creates: true,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![Stmt::raw(sql)],
                }
            })
            .collect();
        run(client, &groups, &self.scratch).await?;
        // Materialized views' indexes, on the scratch views.
        let mut index_groups = Vec::new();
        for name in &self.views {
            let v = &desired.views[name];
            let scratch = quote_ident(&self.scratch[&name.schema]);
            for (index, text) in &v.indexes {
                index_groups.push(Group {
                    object: format!(
                        "index {} on {} {name}",
                        quote_ident(index),
                        v.kind().describe()
                    ),
                    declared: Some(Declared::Relation(name.clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![Stmt::raw(index_on(text, &scratch))],
                });
            }
        }
        if !index_groups.is_empty() {
            run(client, &index_groups, &self.scratch).await?;
        }
        self.view_triggers(client, desired).await?;
        set_empty_search_path(client).await?;
        let read_back = introspect::read_catalog(client).await?;
        let real_schema: BTreeMap<&str, &str> = self
            .scratch
            .iter()
            .map(|(real, scratch)| (scratch.as_str(), real.as_str()))
            .collect();
        let mut replacements: Vec<(String, String)> = self
            .scratch
            .iter()
            .map(|(real, scratch)| {
                let q = quoted
                    .get(real)
                    .cloned()
                    .unwrap_or_else(|| quote_ident(real));
                (format!("{scratch}."), format!("{q}."))
            })
            .collect();
        replacements.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        let fix = |text: &str| -> String {
            let mut s = text.to_string();
            if s.contains(SCRATCH_PREFIX) {
                for (from, to) in &replacements {
                    s = s.replace(from.as_str(), to.as_str());
                }
            }
            s
        };
        for name in &self.views {
            let rb = read_back
                .views
                .get(&self.scratch_name(name))
                .ok_or_else(|| {
                    CanonError::Database(format!(
                        "the scratch copy of view {name} was not found when reading it back; \
                     this is a bug"
                    ))
                })?;
            let v = out.views.get_mut(name).expect("desired view");
            v.definition = normalize_view_definition(&fix(&rb.definition));
            v.columns = rb
                .columns
                .iter()
                .map(|c| ViewColumn {
                    name: c.name.clone(),
                    type_name: fix(&c.type_name),
                })
                .collect();
            v.reads = rb
                .reads
                .iter()
                .map(|(r, c)| {
                    let schema = real_schema
                        .get(r.schema.as_str())
                        .map_or(r.schema.clone(), |s| (*s).to_string());
                    (QualifiedName::new(schema, &r.name), c.clone())
                })
                .collect();
            let mut calls: Vec<FunctionId> = rb
                .calls
                .iter()
                .map(|f| FunctionId {
                    schema: real_schema
                        .get(f.schema.as_str())
                        .map_or(f.schema.clone(), |s| (*s).to_string()),
                    name: f.name.clone(),
                    arguments: fix(&f.arguments),
                })
                .collect();
            calls.sort();
            v.calls = calls;
            v.security_barrier = rb.security_barrier;
            v.security_invoker = rb.security_invoker;
            v.check_option = rb.check_option.clone();
            v.storage = rb.storage.clone();
            v.indexes = rb
                .indexes
                .iter()
                .map(|(n, d)| (n.clone(), fix(d)))
                .collect();
            for (n, t) in v.triggers.iter_mut() {
                if let Some(r) = rb.triggers.get(n) {
                    t.when = r.when.as_deref().map(fix);
                }
            }
        }
        Ok(())
    }
}
