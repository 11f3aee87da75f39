//! Views and materialized views: their definitions. Owner and grants live in
//! `Catalog.relations` like every relation's.
//!
//! Canonical text: `definition` is `pg_get_viewdef(oid)` read with `search_path = ''`
//! (every name outside `pg_catalog` schema-qualified), trimmed, without its trailing
//! semicolon. The live side reads it that way; the desired side holds the query as
//! written until `canon` creates the view on the server and reads it back.

use super::{FunctionId, QualifiedName};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    /// The query (desired: as written until canonicalised; live: `pg_get_viewdef`).
    pub definition: String,
    /// Desired before canon: the declared column list (may be empty or shorter than the
    /// output). Canonical and live: every output column, in order, with its type.
    pub columns: Vec<ViewColumn>,
    /// `WITH (security_barrier)`.
    pub security_barrier: bool,
    /// `WITH (security_invoker)` (PostgreSQL 15+).
    pub security_invoker: bool,
    /// `local` or `cascaded` (`WITH [LOCAL | CASCADED] CHECK OPTION`).
    pub check_option: Option<String>,
    /// Materialized views: storage parameters (`fillfactor` → `70`), as stored.
    pub storage: BTreeMap<String, String>,
    /// Materialized views: desired `WITH [NO] DATA`; live `relispopulated`. Only a
    /// declared `WITH DATA` over an unpopulated live view is acted on (a refresh): a
    /// view declared `WITH NO DATA` that someone refreshed is not drift.
    pub with_data: bool,
    pub comment: Option<String>,
    pub column_comments: BTreeMap<String, String>,
    /// Materialized views: indexes by name, each its `CREATE INDEX` statement (desired:
    /// as declared in a `.sql` file until canonicalised; canonical and live:
    /// `pg_get_indexdef`, every name qualified).
    pub indexes: BTreeMap<String, String>,
    /// Materialized views: `COMMENT ON INDEX`, by index name.
    pub index_comments: BTreeMap<String, String>,
    /// Views: triggers by name (`INSTEAD OF` row triggers, statement triggers). They go
    /// with the view: a view dropped and created again gets them back. Always enabled
    /// (PostgreSQL cannot disable a view's trigger).
    pub triggers: BTreeMap<String, super::Trigger>,
    /// Live: the user routines (not of an extension) the query calls. Import and
    /// ordering only; never compared.
    pub calls: Vec<FunctionId>,
    /// Relations and columns the query reads, from the server's dependencies (`None`
    /// column: the relation as a whole). Ordering only; never compared.
    pub reads: Vec<(QualifiedName, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewColumn {
    pub name: String,
    /// `format_type` of the column; empty on the desired side before canon.
    pub type_name: String,
}

impl View {
    pub fn new(name: QualifiedName, materialized: bool) -> Self {
        View {
            name,
            materialized,
            definition: String::new(),
            columns: Vec::new(),
            security_barrier: false,
            security_invoker: false,
            check_option: None,
            storage: BTreeMap::new(),
            with_data: true,
            comment: None,
            column_comments: BTreeMap::new(),
            indexes: BTreeMap::new(),
            index_comments: BTreeMap::new(),
            triggers: BTreeMap::new(),
            calls: Vec::new(),
            reads: Vec::new(),
        }
    }

    pub fn kind(&self) -> super::RelationKind {
        if self.materialized {
            super::RelationKind::MaterializedView
        } else {
            super::RelationKind::View
        }
    }

    pub fn object_ref(&self) -> super::ObjectRef {
        super::ObjectRef::Relation {
            kind: self.kind(),
            name: self.name.clone(),
        }
    }

    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}

/// A definition as compared: trimmed, without a trailing semicolon.
pub fn normalize_view_definition(text: &str) -> String {
    text.trim().trim_end_matches(';').trim_end().to_string()
}

/// How PostgreSQL reads a boolean reloption (`security_barrier=on`).
pub fn reloption_is_true(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1" | "t" | "y"
    )
}
