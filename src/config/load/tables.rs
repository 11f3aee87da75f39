//! `[tables."s.t"]`: the table-level keys and partitions. Columns, constraints, indexes
//! and policies have a file each; sequences, enums, domains and extensions too.
//!
//! Each entry is walked like the rest of the format (every error at its span). What
//! refers to other entries — foreign keys, partition parents, `owned_by`, the owner
//! defaults, names that share a schema-wide namespace — is recorded here (`Relational`)
//! and checked once every file is loaded (`finish_relational`, in `validate.rs`).

use super::sequences::SequenceDecl;
use super::*;
use crate::config::sql_check::{SqlKind, SqlProblem};
use crate::model::{ConstraintKind, PartitionOf, Table};
use std::collections::HashMap;

/// What the relational walk keeps beside the catalog until every file is loaded.
#[derive(Default)]
pub(super) struct Relational {
    pub(super) tables: BTreeMap<QualifiedName, TableDecl>,
    pub(super) sequences: BTreeMap<QualifiedName, SequenceDecl>,
    /// Enums and domains (one namespace): the key span.
    pub(super) types: BTreeMap<QualifiedName, Span>,
    pub(super) extensions: BTreeMap<String, Span>,
    /// Explicit `manage_tables` of each schema.
    pub(super) manage_tables: BTreeMap<String, bool>,
    /// Triggers (`.sql` statements and TOML entries), attached once every file is loaded.
    pub(super) triggers: super::triggers::Triggers,
    /// Type names and expressions repeat a lot (`bigint`, `now()`): parse each once.
    pub(super) sql_cache: HashMap<(SqlKind, String), Result<(), SqlProblem>>,
}

pub(super) struct TableDecl {
    pub(super) key: Span,
    pub(super) key_text: String,
    pub(super) owner: Option<String>,
    pub(super) acl: Acl,
    pub(super) renamed_from: Option<(String, Span)>,
    pub(super) parent: Option<(QualifiedName, Span)>,
    /// `inherits`: each parent and where it is named.
    pub(super) inherits: Vec<(QualifiedName, Span)>,
    pub(super) columns: Vec<(String, Span)>,
    /// Columns named by keys, indexes, …: (column, span, what names it).
    pub(super) column_refs: Vec<(String, Span, String)>,
    /// Every constraint name of the table (one namespace per table).
    pub(super) constraint_names: BTreeMap<String, Span>,
    /// Indexes and index-backed constraints: names in the schema's relation namespace
    /// (name, span, what, whether the name is the default one).
    pub(super) relation_names: Vec<(String, Span, &'static str, bool)>,
    /// Renamed indexes and constraints: (old name, span, what).
    pub(super) part_renames: Vec<(String, Span, String)>,
    pub(super) fks: Vec<ForeignKeyDecl>,
}

pub(super) struct ForeignKeyDecl {
    pub(super) name: String,
    pub(super) ctx: String,
    pub(super) columns: usize,
    pub(super) columns_span: Span,
    pub(super) references: QualifiedName,
    pub(super) references_text: String,
    pub(super) references_span: Span,
    pub(super) referenced: Option<(Vec<(String, Span)>, Span)>,
}

pub(super) const TABLES_IN_MANAGED_SCHEMAS: &str = "tables, sequences and types are declared in managed \
                                         schemas only";

impl Loader {
    pub(super) fn walk_table(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "table", "tables", "general.notes") else {
            return;
        };
        let ctx = format!("table `{key_text}`");
        let Some(t) = self.table(
            f,
            v,
            &ctx,
            Some(format!(
                "declare it as a table: [tables.{}]",
                toml_key(&key_text)
            )),
        ) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut table = Table::new(name.clone());
        let mut decl = TableDecl {
            key: key_span,
            key_text: key_text.clone(),
            owner: None,
            acl: Acl::default(),
            renamed_from: None,
            parent: None,
            inherits: Vec::new(),
            columns: Vec::new(),
            column_refs: Vec::new(),
            constraint_names: BTreeMap::new(),
            relation_names: Vec::new(),
            part_renames: Vec::new(),
            fks: Vec::new(),
        };
        let mut rec = Rec::default();
        // Columns first: everything else refers to them.
        if let Some((_, columns)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == "columns") {
            self.walk_columns(f, columns, &name, &ctx, &mut table, &mut decl, &mut rec);
        }
        let mut partition_by_span = None;
        let mut unlogged_span = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let kspan = self.sp(f, key.span());
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => {}
                "renamed_from" => {
                    if let Some((old, span)) = self.name_value(f, value, &what, "table") {
                        if old == name.name {
                            self.renamed_from_itself(span, &ctx);
                        } else {
                            table.renamed_from = Some(old.clone());
                            decl.renamed_from = Some((old, span));
                        }
                    }
                }
                "owner" => decl.owner = self.owner_ref(f, value, &what),
                "comment" => table.comment = non_empty(self.string(f, value, &what)),
                "unlogged" => {
                    table.unlogged = self.boolean(f, value, &what).unwrap_or(false);
                    if table.unlogged {
                        unlogged_span = Some(kspan);
                    }
                }
                "row_level_security" => {
                    table.row_level_security = self.boolean(f, value, &what).unwrap_or(false)
                }
                "force_row_level_security" => {
                    table.force_row_level_security = self.boolean(f, value, &what).unwrap_or(false)
                }
                "partition_by" => {
                    let what = format!("the partition key of {ctx}");
                    table.partition_by = self.sql_value(f, value, SqlKind::PartitionBy, &what);
                    partition_by_span = Some(kspan);
                }
                "partition_of" => {
                    table.partition_of = self.partition_of(f, value, &ctx, &mut decl);
                }
                "inherits" => {
                    let help = "write inherits = [\"general.base\"]";
                    for item in self
                        .array(f, value, &what, Some(help.into()))
                        .unwrap_or(&[])
                    {
                        let item_what = format!("a parent in {what}");
                        if let Some((parent, span, _)) = self.table_reference(f, item, &item_what) {
                            table.inherits.push(parent.clone());
                            decl.inherits.push((parent, span));
                        }
                    }
                }
                "grants" => {
                    decl.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Table,
                        GrantSite::Relation(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                "primary_key" => {
                    self.primary_key(f, kspan, value, &ctx, &mut table, &mut decl);
                }
                "unique" => {
                    for (ck, cv) in self.entries(f, value, &what, "unique", &key_text) {
                        self.unique(f, ck, cv, &ctx, &mut table, &mut decl);
                    }
                }
                "foreign_keys" => {
                    for (ck, cv) in self.entries(f, value, &what, "foreign_keys", &key_text) {
                        self.foreign_key(f, ck, cv, &ctx, &mut table, &mut decl);
                    }
                }
                "checks" => {
                    for (ck, cv) in self.entries(f, value, &what, "checks", &key_text) {
                        self.check_constraint(f, ck, cv, &ctx, &mut table, &mut decl);
                    }
                }
                "exclusions" => {
                    for (ck, cv) in self.entries(f, value, &what, "exclusions", &key_text) {
                        self.exclusion(f, ck, cv, &ctx, &mut table, &mut decl);
                    }
                }
                "indexes" => {
                    for (ik, iv) in self.entries(f, value, &what, "indexes", &key_text) {
                        self.index(f, ik, iv, &ctx, &mut table, &mut decl);
                    }
                }
                "policies" => {
                    for (pk, pv) in self.entries(f, value, &what, "policies", &key_text) {
                        self.policy(f, pk, pv, &ctx, &mut table);
                    }
                }
                "triggers" => {
                    for (tk, tv) in self.entries(f, value, &what, "triggers", &key_text) {
                        self.trigger_entry(f, tk, tv, &name, &key_text);
                    }
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawTable>(), Some(&ctx)),
            }
        }
        if let (Some(unlogged), Some(_)) = (unlogged_span, partition_by_span) {
            self.err(
                Diag::new(
                    ErrorKind::Conflict,
                    format!("partitioned {ctx} cannot be unlogged"),
                )
                .at(unlogged, "not allowed with `partition_by`")
                .help("PostgreSQL has no unlogged partitioned tables; declare unlogged on the partitions"),
            );
        }
        self.check_part_renames(&ctx, &decl);
        // Primary key columns are NOT NULL, as PostgreSQL makes them.
        let pk_columns: Vec<String> = table
            .constraints
            .values()
            .filter_map(|c| match &c.kind {
                ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        for column in &mut table.columns {
            if pk_columns.contains(&column.name) {
                column.not_null = true;
            }
        }

        if let Some(first) = self.rel.tables.get(&name).map(|d| d.key) {
            self.duplicate(
                key_span,
                first,
                &ctx,
                &format!("[tables.{}]", toml_key(&key_text)),
            );
            return;
        }
        self.commit(rec);
        self.rel.tables.insert(name.clone(), decl);
        self.catalog.tables.insert(name, table);
    }

    pub(super) fn partition_of(
        &mut self,
        f: usize,
        v: &V<'_>,
        ctx: &str,
        decl: &mut TableDecl,
    ) -> Option<PartitionOf> {
        let pctx = format!("`partition_of` of {ctx}");
        let help = "write partition_of = { parent = \"general.events\", bound = \"FOR VALUES \
                    FROM ('2022-01-01') TO ('2022-02-01')\" }";
        let t = self.table(f, v, &pctx, Some(help.into()))?;
        let mut parent = None;
        let mut bound = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            match key_name {
                "parent" => {
                    parent = self.table_reference(f, value, &format!("`parent` in {pctx}"));
                }
                "bound" => {
                    let what = format!("the partition bound of {ctx}");
                    bound = self.sql_value(f, value, SqlKind::PartitionBound, &what);
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawPartitionOf>(), Some(&pctx)),
            }
        }
        if t.get("parent").is_none() {
            self.missing_key(f, v, "parent", &pctx, "parent = \"general.events\"");
        }
        if t.get("bound").is_none() {
            self.missing_key(f, v, "bound", &pctx, "bound = \"DEFAULT\"");
        }
        let (parent, span, _) = parent?;
        decl.parent = Some((parent.clone(), span));
        Some(PartitionOf {
            parent,
            bound: bound?,
        })
    }

    pub(super) fn set_manage_tables(&mut self, schema: &str, manage: Option<bool>) {
        if let Some(manage) = manage {
            self.rel.manage_tables.insert(schema.to_string(), manage);
        }
    }
}
