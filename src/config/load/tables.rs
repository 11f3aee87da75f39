//! The relational layer of the desired state: `[tables."s.t"]` (columns, constraints,
//! indexes, policies), `[sequences."s.n"]`, `[enums."s.t"]`, `[domains."s.d"]` and
//! `[extensions.NAME]`.
//!
//! Each entry is walked like the rest of the format (every error at its span). What
//! refers to other entries — foreign keys, partition parents, `owned_by`, the owner
//! defaults, names that share a schema-wide namespace — is recorded and checked once every
//! file is loaded (`finish_relational`).

use super::*;
use crate::config::sql_check::{self, SqlKind, SqlProblem};
use crate::model::{
    Column, Constraint, ConstraintKind, Domain, EnumType, ExclusionElement, Extension,
    ForeignKeyAction, Identity, IdentityKind, Index, IndexKey, PartitionOf, Policy, Sequence,
    SequenceOptions, Table,
};
use std::collections::HashMap;

/// What the relational walk keeps beside the catalog until every file is loaded.
#[derive(Default)]
pub(super) struct Relational {
    tables: BTreeMap<QualifiedName, TableDecl>,
    sequences: BTreeMap<QualifiedName, SequenceDecl>,
    /// Enums and domains (one namespace): the key span.
    types: BTreeMap<QualifiedName, Span>,
    extensions: BTreeMap<String, Span>,
    /// Explicit `manage_tables` of each schema.
    manage_tables: BTreeMap<String, bool>,
    /// Type names and expressions repeat a lot (`bigint`, `now()`): parse each once.
    sql_cache: HashMap<(SqlKind, String), Result<(), SqlProblem>>,
}

struct TableDecl {
    key: Span,
    key_text: String,
    owner: Option<String>,
    acl: Acl,
    renamed_from: Option<(String, Span)>,
    parent: Option<(QualifiedName, Span)>,
    columns: Vec<(String, Span)>,
    /// Columns named by keys, indexes, …: (column, span, what names it).
    column_refs: Vec<(String, Span, String)>,
    /// Every constraint name of the table (one namespace per table).
    constraint_names: BTreeMap<String, Span>,
    /// Indexes and index-backed constraints: names in the schema's relation namespace
    /// (name, span, what, whether the name is the default one).
    relation_names: Vec<(String, Span, &'static str, bool)>,
    /// Renamed indexes and constraints: (old name, span, what).
    part_renames: Vec<(String, Span, String)>,
    fks: Vec<ForeignKeyDecl>,
}

struct ForeignKeyDecl {
    name: String,
    ctx: String,
    columns: usize,
    columns_span: Span,
    references: QualifiedName,
    references_text: String,
    references_span: Span,
    referenced: Option<(Vec<(String, Span)>, Span)>,
}

struct SequenceDecl {
    key: Span,
    acl: Acl,
    owned_by: Option<(QualifiedName, String, Span)>,
}

/// Keys shared by the constraints.
#[derive(Default)]
struct Common {
    deferrable: bool,
    initially_deferred: Option<Span>,
    renamed_from: Option<(String, Span)>,
    comment: Option<String>,
}

const TABLES_IN_MANAGED_SCHEMAS: &str = "tables, sequences and types are declared in managed \
                                         schemas only";

impl Loader {
    // -----------------------------------------------------------------------------------
    // [tables."s.t"]

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
                "owner" => {
                    if let Some(owner) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs.push((owner.clone(), span, RefKind::Owner));
                        decl.owner = Some(owner);
                    }
                }
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
                "grants" => {
                    decl.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Table,
                        GrantTarget::Relation(name.clone()),
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

    #[allow(clippy::too_many_arguments)]
    fn walk_columns(
        &mut self,
        f: usize,
        v: &V<'_>,
        tname: &QualifiedName,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
        rec: &mut Rec,
    ) {
        let what = format!("the columns of {tctx}");
        let help = format!(
            "write one key per column under [tables.{}.columns], e.g. id = {{ type = \"bigint\" }}",
            toml_key(&decl.key_text)
        );
        let Some(t) = self.table(f, v, &what, Some(help)) else {
            return;
        };
        // The parsed table is sorted by name: the order written is the order of the keys
        // in the file.
        let mut entries: Vec<_> = t.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut renames: Vec<(String, Span, String)> = Vec::new();
        for (k, value) in entries {
            let col = k.get_ref().to_string();
            let col_span = self.sp(f, k.span());
            self.check_identifier(&col, col_span, "column");
            let ctx = format!("column `{col}` of {tctx}");
            let mut column = Column::new(col.clone(), "");
            decl.columns.push((col.clone(), col_span));
            let help = format!("write {} = {{ type = \"text\" }}", toml_key(&col));
            let Some(ct) = self.table(f, value, &ctx, Some(help)) else {
                table.columns.push(column);
                continue;
            };
            let mut default_key = None;
            let mut identity_key = None;
            let mut generated_key = None;
            let mut virtual_key = false;
            for (key, cv) in ct.iter() {
                let key_name = key.get_ref().as_ref();
                let kspan = self.sp(f, key.span());
                let what = format!("`{key_name}` of {ctx}");
                match key_name {
                    "type" => {
                        let what = format!("the type of {ctx}");
                        column.type_name = self
                            .sql_value(f, cv, SqlKind::Type, &what)
                            .unwrap_or_default();
                        self.check_not_serial(f, cv, &column.type_name, &ctx);
                    }
                    "not_null" => column.not_null = self.boolean(f, cv, &what).unwrap_or(false),
                    "default" => {
                        let what = format!("the default of {ctx}");
                        column.default = self.sql_value(f, cv, SqlKind::Expression, &what);
                        default_key = Some(kspan);
                    }
                    "identity" => {
                        column.identity = self.identity(f, cv, &ctx);
                        identity_key = Some(kspan);
                    }
                    "generated" => {
                        let what = format!("the generation expression of {ctx}");
                        column.generated = self.sql_value(f, cv, SqlKind::Expression, &what);
                        generated_key = Some(kspan);
                    }
                    "not_null_name" => {
                        column.not_null_name = non_empty(self.string(f, cv, &what));
                    }
                    "virtual" => {
                        column.generated_virtual = self.boolean(f, cv, &what).unwrap_or(false);
                        virtual_key = true;
                    }
                    "collation" => column.collation = non_empty(self.string(f, cv, &what)),
                    "comment" => column.comment = non_empty(self.string(f, cv, &what)),
                    "renamed_from" => {
                        if let Some((old, span)) = self.name_value(f, cv, &what, "column") {
                            if old == col {
                                self.renamed_from_itself(span, &ctx);
                            } else {
                                column.renamed_from = Some(old.clone());
                                renames.push((old, span, col.clone()));
                            }
                        }
                    }
                    "using" => {
                        let what = format!("the USING expression of {ctx}");
                        column.using = self.sql_value(f, cv, SqlKind::Expression, &what);
                    }
                    "grants" => {
                        column.acl = self.grants(
                            f,
                            cv,
                            GrantOn::Column,
                            GrantTarget::Column(tname.clone(), col.clone()),
                            &format!("the grants of {ctx}"),
                            rec,
                        )
                    }
                    _ => self.unknown_key(f, key, fields_of::<raw::RawColumn>(), Some(&ctx)),
                }
            }
            if ct.get("type").is_none() {
                self.missing_key(f, value, "type", &ctx, "type = \"text\"");
            }
            // `virtual` says how a generated column is computed; alone it means nothing.
            if virtual_key && generated_key.is_none() {
                self.missing_key(f, value, "generated", &ctx, "generated = \"<expression>\"");
            }
            let pairs = [
                (
                    identity_key,
                    "identity",
                    default_key,
                    "default",
                    "an identity column takes its values from its own sequence: remove `default`",
                ),
                (
                    generated_key,
                    "generated",
                    default_key,
                    "default",
                    "a generated column is computed from its expression: remove `default`",
                ),
                (
                    generated_key,
                    "generated",
                    identity_key,
                    "identity",
                    "a column is either generated or an identity column: remove one of the two",
                ),
            ];
            for (a, a_name, b, b_name, help) in pairs {
                if let (Some(a), Some(b)) = (a, b) {
                    self.conflict((a, a_name), (b, b_name), &ctx, help);
                }
            }
            if column.not_null_name.is_some() {
                column.not_null = true;
            }
            if column.identity.is_some() {
                // PostgreSQL makes identity columns NOT NULL.
                column.not_null = true;
            }
            table.columns.push(column);
        }
        // `renamed_from` must name a column that no longer exists, once.
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for (old, span, col) in &renames {
            if let Some((_, other)) = decl.columns.iter().find(|(c, _)| c == old) {
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!(
                            "column `{col}` of {tctx} is renamed from `{old}`, which is still declared"
                        ),
                    )
                    .at(*span, "the old name")
                    .also(*other, "still declared here")
                    .help(format!(
                        "a rename takes the old column away: remove `{old}`, or remove renamed_from"
                    )),
                );
            } else if let Some(first) = seen.get(old.as_str()) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("two columns of {tctx} are renamed from `{old}`"),
                    )
                    .at(*span, "renamed from it again here")
                    .also(*first, "first renamed from it here")
                    .help("a column can be renamed into one column only: keep one renamed_from"),
                );
            } else {
                seen.insert(old, *span);
            }
        }
    }

    /// `serial` and friends are a shorthand of `CREATE TABLE`, not types: PostgreSQL
    /// stores an integer column with a sequence, so the declaration would never match.
    fn check_not_serial(&mut self, f: usize, v: &V<'_>, type_name: &str, ctx: &str) {
        let integer = match type_name.to_ascii_lowercase().as_str() {
            "serial" | "serial4" => "integer",
            "bigserial" | "serial8" => "bigint",
            "smallserial" | "serial2" => "smallint",
            _ => return,
        };
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("the type of {ctx} is `{type_name}`, which PostgreSQL does not store"),
            )
            .at(self.sp(f, v.span()), "a CREATE TABLE shorthand")
            .help(format!(
                "write type = \"{integer}\" with identity = \"by_default\" (or a sequence owned \
                 by the column and default = \"nextval('…')\")"
            )),
        );
    }

    fn identity(&mut self, f: usize, v: &V<'_>, ctx: &str) -> Option<Identity> {
        let what = format!("`identity` of {ctx}");
        let kinds = fields_of::<raw::RawIdentityKind>();
        let kind_of = |k: &str| {
            if k == "always" {
                IdentityKind::Always
            } else {
                IdentityKind::ByDefault
            }
        };
        match v.get_ref() {
            DeValue::String(_) => {
                let kind = self.choice(f, v, &what, "identity kind", kinds)?;
                Some(Identity {
                    kind: kind_of(kind),
                    options: SequenceOptions::default(),
                })
            }
            DeValue::Table(t) => {
                let ictx = format!("the identity of {ctx}");
                let mut kind = None;
                let mut options = SequenceOptions::default();
                let mut spans = BTreeMap::new();
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let what = format!("`{key_name}` of {ictx}");
                    if key_name == "kind" {
                        kind = self.choice(f, value, &what, "identity kind", kinds);
                    } else if !self.sequence_option(
                        f,
                        key_name,
                        value,
                        &what,
                        &mut options,
                        &mut spans,
                    ) {
                        let known = fields_of::<raw::RawIdentityOptions>();
                        self.unknown_key(f, key, known, Some(&ictx));
                    }
                }
                if t.get("kind").is_none() {
                    self.missing_key(f, v, "kind", &ictx, "kind = \"always\"");
                }
                self.check_sequence_options(&options, &spans, None, &ictx);
                Some(Identity {
                    kind: kind_of(kind?),
                    options,
                })
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string or a table",
                    &what,
                    Some(
                        "write identity = \"always\", \"by_default\" or { kind = \"always\", \
                         start = 1 }"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    /// Handles one `start`/`increment`/`min_value`/`max_value`/`cache`/`cycle` key;
    /// false when `key` is none of them.
    fn sequence_option(
        &mut self,
        f: usize,
        key: &str,
        v: &V<'_>,
        what: &str,
        o: &mut SequenceOptions,
        spans: &mut BTreeMap<&'static str, Span>,
    ) -> bool {
        let (name, slot) = match key {
            "start" => ("start", &mut o.start),
            "increment" => ("increment", &mut o.increment),
            "min_value" => ("min_value", &mut o.min_value),
            "max_value" => ("max_value", &mut o.max_value),
            "cache" => ("cache", &mut o.cache),
            "cycle" => {
                o.cycle = self.boolean(f, v, what).unwrap_or(false);
                return true;
            }
            _ => return false,
        };
        *slot = self.integer(f, v, what);
        if slot.is_some() {
            spans.insert(name, self.sp(f, v.span()));
        }
        true
    }

    /// What PostgreSQL would reject in `CREATE SEQUENCE`.
    fn check_sequence_options(
        &mut self,
        o: &SequenceOptions,
        spans: &BTreeMap<&'static str, Span>,
        data_type: Option<&str>,
        ctx: &str,
    ) {
        let mut problem = |key: &'static str, label: String, help: &str| {
            if let Some(span) = spans.get(key) {
                self.diags.push(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("`{key}` of {ctx} is out of range"),
                    )
                    .at(*span, label)
                    .help(help.to_string()),
                );
            }
        };
        if o.increment == Some(0) {
            problem(
                "increment",
                "must not be zero".into(),
                "use a positive increment, or a negative one for a descending sequence",
            );
        }
        if o.cache.is_some_and(|c| c < 1) {
            problem(
                "cache",
                "must be at least 1".into(),
                "write 1 (the default: no caching) or more",
            );
        }
        if let Some(ty) = data_type {
            let (lo, hi) = match ty {
                "smallint" => (i16::MIN as i64, i16::MAX as i64),
                "integer" => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            for (key, value) in [("min_value", o.min_value), ("max_value", o.max_value)] {
                if value.is_some_and(|x| x < lo || x > hi) {
                    problem(
                        key,
                        format!("outside the range of {ty} ({lo} to {hi})"),
                        "choose a value that fits the sequence's type, or a wider `type`",
                    );
                }
            }
        }
        if let (Some(min), Some(max)) = (o.min_value, o.max_value)
            && min >= max
        {
            problem(
                "max_value",
                format!("not greater than min_value ({min})"),
                "max_value must be greater than min_value",
            );
            return;
        }
        if let Some(start) = o.start {
            if o.min_value.is_some_and(|min| start < min) {
                problem(
                    "start",
                    "below min_value".into(),
                    "start must be between min_value and max_value",
                );
            } else if o.max_value.is_some_and(|max| start > max) {
                problem(
                    "start",
                    "above max_value".into(),
                    "start must be between min_value and max_value",
                );
            }
        }
    }

    fn partition_of(
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

    // -----------------------------------------------------------------------------------
    // Constraints

    fn primary_key(
        &mut self,
        f: usize,
        key_span: Span,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let ctx = format!("the primary key of {tctx}");
        let mut common = Common::default();
        let mut name = None;
        let mut include = Vec::new();
        let columns = match v.get_ref() {
            DeValue::Array(_) => self.column_list(f, v, &ctx, &ctx, decl, false),
            DeValue::Table(t) => {
                let mut columns = None;
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let what = format!("`{key_name}` of {ctx}");
                    match key_name {
                        "columns" => columns = self.column_list(f, value, &what, &ctx, decl, false),
                        "include" => {
                            let refwhat = format!("the INCLUDE columns of {ctx}");
                            include = self
                                .column_list(f, value, &what, &refwhat, decl, true)
                                .unwrap_or_default();
                        }
                        "name" => name = self.name_value(f, value, &what, "constraint"),
                        _ => {
                            let known = fields_of::<raw::RawPrimaryKeyOptions>();
                            if !self.common(f, key_name, value, &what, known, &mut common) {
                                self.unknown_key(f, key, known, Some(&ctx));
                            }
                        }
                    }
                }
                if t.get("columns").is_none() {
                    self.missing_key(f, v, "columns", &ctx, "columns = [\"id\"]");
                }
                columns
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a list of columns or a table",
                    &format!("`primary_key` of {tctx}"),
                    Some(
                        "write primary_key = [\"id\"] or primary_key = { columns = [\"id\"], \
                         name = \"notes_pkey\" }"
                            .into(),
                    ),
                );
                None
            }
        };
        let Some(columns) = columns else { return };
        let implicit = name.is_none();
        let (name, name_span) =
            name.unwrap_or_else(|| (default_pkey_name(&table.name.name), key_span));
        let kind = ConstraintKind::PrimaryKey { columns, include };
        self.check_deferral(&common, &ctx);
        decl.relation_names
            .push((name.clone(), name_span, "primary key", implicit));
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn unique(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("unique constraint `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let help = format!("write {} = {{ columns = [\"slug\"] }}", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut columns = None;
        let mut include = Vec::new();
        let mut nulls_not_distinct = false;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => columns = self.column_list(f, value, &what, &ctx, decl, false),
                "include" => {
                    let refwhat = format!("the INCLUDE columns of {ctx}");
                    include = self
                        .column_list(f, value, &what, &refwhat, decl, true)
                        .unwrap_or_default();
                }
                "nulls_not_distinct" => {
                    nulls_not_distinct = self.boolean(f, value, &what).unwrap_or(false)
                }
                _ => {
                    let known = fields_of::<raw::RawUnique>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("columns").is_none() {
            self.missing_key(f, v, "columns", &ctx, "columns = [\"slug\"]");
        }
        let Some(columns) = columns else { return };
        self.check_deferral(&common, &ctx);
        decl.relation_names
            .push((name.clone(), name_span, "unique constraint", false));
        let kind = ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn foreign_key(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("foreign key `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let help = format!(
            "write {} = {{ columns = [\"author_id\"], references = \"general.authors\" }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut columns = None;
        let mut columns_span = name_span;
        let mut references = None;
        let mut referenced = None;
        let mut on_delete = Some(ForeignKeyAction::NoAction);
        let mut on_update = Some(ForeignKeyAction::NoAction);
        let mut match_full = Some(false);
        let actions = fields_of::<raw::RawForeignKeyAction>();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => {
                    columns_span = self.sp(f, value.span());
                    columns = self.column_list(f, value, &what, &ctx, decl, false);
                }
                "references" => references = self.table_reference(f, value, &what),
                "referenced_columns" => {
                    let span = self.sp(f, value.span());
                    referenced = self
                        .non_empty_names(f, value, &what, "column")
                        .map(|cols| (cols, span));
                }
                "on_delete" | "on_update" => {
                    let action = self
                        .choice(f, value, &what, "action", actions)
                        .map(fk_action);
                    if key_name == "on_delete" {
                        on_delete = action;
                    } else {
                        on_update = action;
                    }
                }
                "match"
                    if value
                        .get_ref()
                        .as_str()
                        .is_some_and(|m| m.eq_ignore_ascii_case("partial")) =>
                {
                    self.err(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!("unknown match type `partial` in {what}"),
                        )
                        .at(self.sp(f, value.span()), "not implemented by PostgreSQL")
                        .help("PostgreSQL has no MATCH PARTIAL: write \"simple\" (the default) or \"full\""),
                    );
                }
                "match" => {
                    let choices = fields_of::<raw::RawForeignKeyMatch>();
                    match_full = self
                        .choice(f, value, &what, "match type", choices)
                        .map(|m| m == "full");
                }
                _ => {
                    let known = fields_of::<raw::RawForeignKey>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        for (key, example) in [
            ("columns", "columns = [\"author_id\"]"),
            ("references", "references = \"general.authors\""),
        ] {
            if t.get(key).is_none() {
                self.missing_key(f, v, key, &ctx, example);
            }
        }
        self.check_deferral(&common, &ctx);
        let (Some(columns), Some((references, references_span, references_text))) =
            (columns, references)
        else {
            return;
        };
        // A bad action has been reported; the reference is still checked.
        let on_delete = on_delete.unwrap_or_default();
        let on_update = on_update.unwrap_or_default();
        let match_full = match_full.unwrap_or_default();
        decl.fks.push(ForeignKeyDecl {
            name: name.clone(),
            ctx: ctx.clone(),
            columns: columns.len(),
            columns_span,
            references: references.clone(),
            references_text,
            references_span,
            referenced: referenced.clone(),
        });
        let kind = ConstraintKind::ForeignKey {
            columns,
            references,
            // Filled in once every table is known (default: the primary key).
            referenced_columns: referenced
                .map(|(cols, _)| cols.into_iter().map(|(c, _)| c).collect())
                .unwrap_or_default(),
            on_update,
            on_delete,
            match_full,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn check_constraint(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("check `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let what = format!("the expression of {ctx}");
        let mut common = Common::default();
        let mut no_inherit = false;
        let expression = match v.get_ref() {
            DeValue::String(_) => self.sql_value(f, v, SqlKind::Expression, &what),
            DeValue::Table(t) => {
                let mut expression = None;
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let kwhat = format!("`{key_name}` of {ctx}");
                    match key_name {
                        "expression" => {
                            expression = self.sql_value(f, value, SqlKind::Expression, &what)
                        }
                        "no_inherit" => {
                            no_inherit = self.boolean(f, value, &kwhat).unwrap_or(false)
                        }
                        _ => {
                            let known = fields_of::<raw::RawCheckOptions>();
                            if !self.common(f, key_name, value, &kwhat, known, &mut common) {
                                self.unknown_key(f, key, known, Some(&ctx));
                            }
                        }
                    }
                }
                if t.get("expression").is_none() {
                    self.missing_key(
                        f,
                        v,
                        "expression",
                        &ctx,
                        "expression = \"length(body) > 0\"",
                    );
                }
                expression
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string or a table",
                    &ctx,
                    Some(format!(
                        "write {} = \"length(body) > 0\" or {{ expression = \"…\", no_inherit = true }}",
                        toml_key(&name)
                    )),
                );
                None
            }
        };
        let Some(expression) = expression else { return };
        let kind = ConstraintKind::Check {
            expression,
            no_inherit,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn exclusion(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("exclusion constraint `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let example = "{ method = \"gist\", elements = [{ column = \"room\", operator = \"=\" }, \
                       { expression = \"tsrange(start_at, end_at)\", operator = \"&&\" }] }";
        let help = format!("write {} = {example}", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut method = Some("btree".to_string());
        let mut elements = None;
        let mut predicate = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "method" => method = self.method(f, value, &what),
                "elements" => elements = self.exclusion_elements(f, value, &ctx, decl),
                "where" => {
                    let what = format!("the WHERE predicate of {ctx}");
                    predicate = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                _ => {
                    let known = fields_of::<raw::RawExclusion>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("elements").is_none() {
            let example = "elements = [{ column = \"room\", operator = \"=\" }]";
            self.missing_key(f, v, "elements", &ctx, example);
        }
        self.check_deferral(&common, &ctx);
        let (Some(method), Some(elements)) = (method, elements) else {
            return;
        };
        decl.relation_names
            .push((name.clone(), name_span, "exclusion constraint", false));
        let kind = ConstraintKind::Exclusion {
            method,
            elements,
            predicate,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn exclusion_elements(
        &mut self,
        f: usize,
        v: &V<'_>,
        ctx: &str,
        decl: &mut TableDecl,
    ) -> Option<Vec<ExclusionElement>> {
        let what = format!("`elements` of {ctx}");
        let help = "write elements = [{ column = \"room\", operator = \"=\" }, { expression = \
                    \"tsrange(start_at, end_at)\", operator = \"&&\" }]";
        let items = self.array(f, v, &what, Some(help.into()))?;
        if items.is_empty() {
            self.empty_list(f, v, &what, "list at least one element");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let ectx = format!("an element of {ctx}");
            let Some(t) = self.table(f, item, &ectx, Some(help.into())) else {
                ok = false;
                continue;
            };
            let mut column = None;
            let mut expression = None;
            let mut operator = None;
            for (key, value) in t.iter() {
                let key_name = key.get_ref().as_ref();
                let kwhat = format!("`{key_name}` of {ectx}");
                match key_name {
                    "column" => {
                        if let Some((c, span)) = self.name_value(f, value, &kwhat, "column") {
                            decl.column_refs.push((c.clone(), span, ctx.to_string()));
                            column = Some(c);
                        }
                    }
                    "expression" => {
                        let what = format!("an element expression of {ctx}");
                        expression = self.sql_value(f, value, SqlKind::Expression, &what);
                    }
                    "operator" => {
                        operator = self
                            .string(f, value, &kwhat)
                            .map(|o| o.trim().to_string())
                            .filter(|o| !o.is_empty());
                        if operator.is_none() && matches!(value.get_ref(), DeValue::String(_)) {
                            self.empty_value(f, value, &kwhat, "write the operator, e.g. \"&&\"");
                        }
                    }
                    _ => {
                        let known = fields_of::<raw::RawExclusionElement>();
                        self.unknown_key(f, key, known, Some(&ectx));
                    }
                }
            }
            if t.get("operator").is_none() {
                self.missing_key(f, item, "operator", &ectx, "operator = \"=\"");
            }
            if !self.column_or_expression(f, item, t, &ectx) {
                ok = false;
                continue;
            }
            match operator {
                Some(operator) if column.is_some() || expression.is_some() => {
                    out.push(ExclusionElement {
                        column,
                        expression,
                        operator,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Exactly one of `column` and `expression`; reports and returns false otherwise.
    fn column_or_expression(&mut self, f: usize, item: &V<'_>, t: &DeTable<'_>, ctx: &str) -> bool {
        let column = t.iter().find(|(k, _)| k.get_ref().as_ref() == "column");
        let expression = t.iter().find(|(k, _)| k.get_ref().as_ref() == "expression");
        match (column, expression) {
            (Some(_), None) | (None, Some(_)) => true,
            (Some((ck, _)), Some((ek, _))) => {
                let c = self.sp(f, ck.span());
                let e = self.sp(f, ek.span());
                self.conflict(
                    (c, "column"),
                    (e, "expression"),
                    ctx,
                    "write either a column or an expression",
                );
                false
            }
            (None, None) => {
                self.err(
                    Diag::new(
                        ErrorKind::MissingKey,
                        format!("{ctx} names neither a column nor an expression"),
                    )
                    .at(
                        self.sp(f, item.span()),
                        "`column` or `expression` is required",
                    )
                    .help("add column = \"name\" or expression = \"lower(name)\""),
                );
                false
            }
        }
    }

    /// Records a constraint, unless its name is taken on the table.
    #[allow(clippy::too_many_arguments)]
    fn add_constraint(
        &mut self,
        name: String,
        span: Span,
        kind: ConstraintKind,
        common: Common,
        ctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        if let Some(first) = decl.constraint_names.get(&name).copied() {
            let (first, second) = ordered(first, span);
            let tctx = format!("table `{}`", decl.key_text);
            self.err(
                Diag::new(
                    ErrorKind::Duplicate,
                    format!("constraint `{name}` is declared twice on {tctx}"),
                )
                .at(second, "declared again here")
                .also(first, "first declared here")
                .help("constraint names are unique per table: rename one of them"),
            );
            return;
        }
        decl.constraint_names.insert(name.clone(), span);
        if let Some((old, old_span)) = &common.renamed_from {
            if *old == name {
                self.renamed_from_itself(*old_span, ctx);
            } else {
                decl.part_renames
                    .push((old.clone(), *old_span, ctx.to_string()));
            }
        }
        table.constraints.insert(
            name.clone(),
            Constraint {
                name,
                renamed_from: common.renamed_from.map(|(old, _)| old),
                kind,
                deferrable: common.deferrable,
                initially_deferred: common.initially_deferred.is_some(),
                validated: true,
                comment: common.comment,
            },
        );
    }

    /// `deferrable`, `initially_deferred`, `renamed_from`, `comment` (when `known` has
    /// them); false when `key` is none of them.
    fn common(
        &mut self,
        f: usize,
        key: &str,
        v: &V<'_>,
        what: &str,
        known: &[&str],
        c: &mut Common,
    ) -> bool {
        if !known.contains(&key) {
            return false;
        }
        match key {
            "deferrable" => c.deferrable = self.boolean(f, v, what).unwrap_or(false),
            "initially_deferred" => {
                if self.boolean(f, v, what).unwrap_or(false) {
                    c.initially_deferred = Some(self.sp(f, v.span()));
                }
            }
            "renamed_from" => {
                c.renamed_from = self.name_value(f, v, what, "previous name");
            }
            "comment" => c.comment = non_empty(self.string(f, v, what)),
            _ => return false,
        }
        true
    }

    fn check_deferral(&mut self, c: &Common, ctx: &str) {
        if let (Some(span), false) = (c.initially_deferred, c.deferrable) {
            self.err(
                Diag::new(
                    ErrorKind::Conflict,
                    format!("{ctx} is initially deferred but not deferrable"),
                )
                .at(span, "requires deferrable = true")
                .help("PostgreSQL defers DEFERRABLE constraints only: add deferrable = true"),
            );
        }
    }

    /// Renamed constraints and indexes must not name one that is still declared.
    fn check_part_renames(&mut self, tctx: &str, decl: &TableDecl) {
        let index_names: BTreeMap<&str, Span> = decl
            .relation_names
            .iter()
            .map(|(n, s, _, _)| (n.as_str(), *s))
            .collect();
        for (old, span, ctx) in &decl.part_renames {
            let still = decl
                .constraint_names
                .get(old)
                .or_else(|| index_names.get(old.as_str()));
            if let Some(other) = still {
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!("{ctx} is renamed from `{old}`, which is still declared on {tctx}"),
                    )
                    .at(*span, "the old name")
                    .also(*other, "still declared here")
                    .help(format!(
                        "a rename takes the old name away: remove `{old}`, or remove renamed_from"
                    )),
                );
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Indexes and policies

    fn index(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("index `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "index");
        let help = format!(
            "write {} = {{ columns = [\"created_at\"] }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut index = Index {
            name: name.clone(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "btree".to_string(),
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
            with: BTreeMap::new(),
            concurrently: false,
            valid: true,
            comment: None,
        };
        let mut common = Common::default();
        let mut keys = None;
        let mut ok = true;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => keys = self.index_keys(f, value, &ctx, decl),
                "unique" => index.unique = self.boolean(f, value, &what).unwrap_or(false),
                "nulls_not_distinct" => {
                    index.nulls_not_distinct = self.boolean(f, value, &what).unwrap_or(false)
                }
                "method" => match self.method(f, value, &what) {
                    Some(m) => index.method = m,
                    None => ok = false,
                },
                "include" => {
                    let refwhat = format!("the INCLUDE columns of {ctx}");
                    index.include = self
                        .column_list(f, value, &what, &refwhat, decl, true)
                        .unwrap_or_default();
                }
                "where" => {
                    let what = format!("the WHERE predicate of {ctx}");
                    index.predicate = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "with" => index.with = self.storage_parameters(f, value, &what),
                "concurrently" => {
                    index.concurrently = self.boolean(f, value, &what).unwrap_or(false)
                }
                _ => {
                    let known = fields_of::<raw::RawIndex>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("columns").is_none() {
            self.missing_key(f, v, "columns", &ctx, "columns = [\"created_at\"]");
        }
        let (Some(keys), true) = (keys, ok) else {
            return;
        };
        index.keys = keys;
        index.comment = common.comment;
        if let Some((old, span)) = common.renamed_from {
            if old == name {
                self.renamed_from_itself(span, &ctx);
            } else {
                decl.part_renames.push((old.clone(), span, ctx.clone()));
                index.renamed_from = Some(old);
            }
        }
        decl.relation_names
            .push((name.clone(), name_span, "index", false));
        table.indexes.insert(name, index);
    }

    fn index_keys(
        &mut self,
        f: usize,
        v: &V<'_>,
        ctx: &str,
        decl: &mut TableDecl,
    ) -> Option<Vec<IndexKey>> {
        let what = format!("`columns` of {ctx}");
        let help = "write columns = [\"a\", { column = \"b\", order = \"desc\" }, { expression = \
                    \"lower(email)\" }]";
        let items = self.array(f, v, &what, Some(help.into()))?;
        if items.is_empty() {
            self.empty_list(f, v, &what, "list at least one column or expression");
            return None;
        }
        let mut keys = Vec::new();
        let mut ok = true;
        for item in items {
            let mut key = IndexKey {
                column: None,
                expression: None,
                opclass: None,
                collation: None,
                descending: false,
                nulls_first: None,
            };
            match item.get_ref() {
                DeValue::String(s) => {
                    let span = self.sp(f, item.span());
                    if self.check_identifier(s, span, "column") {
                        decl.column_refs
                            .push((s.to_string(), span, ctx.to_string()));
                        key.column = Some(s.to_string());
                        keys.push(key);
                    } else {
                        ok = false;
                    }
                }
                DeValue::Table(t) => {
                    let kctx = format!("a key of {ctx}");
                    let mut nulls = None;
                    for (k, value) in t.iter() {
                        let key_name = k.get_ref().as_ref();
                        let kwhat = format!("`{key_name}` of {kctx}");
                        match key_name {
                            "column" => {
                                if let Some((c, span)) = self.name_value(f, value, &kwhat, "column")
                                {
                                    decl.column_refs.push((c.clone(), span, ctx.to_string()));
                                    key.column = Some(c);
                                } else {
                                    ok = false;
                                }
                            }
                            "expression" => {
                                let what = format!("a key expression of {ctx}");
                                key.expression =
                                    self.sql_value(f, value, SqlKind::Expression, &what);
                                ok &= key.expression.is_some();
                            }
                            "order" => {
                                let choices = fields_of::<raw::RawSortOrder>();
                                match self.choice(f, value, &kwhat, "sort order", choices) {
                                    Some(o) => key.descending = o == "desc",
                                    None => ok = false,
                                }
                            }
                            "nulls" => {
                                let choices = fields_of::<raw::RawNullsOrder>();
                                match self.choice(f, value, &kwhat, "nulls order", choices) {
                                    Some(n) => nulls = Some(n == "first"),
                                    None => ok = false,
                                }
                            }
                            "opclass" => key.opclass = non_empty(self.string(f, value, &kwhat)),
                            "collation" => key.collation = non_empty(self.string(f, value, &kwhat)),
                            _ => {
                                let known = fields_of::<raw::RawIndexKeyOptions>();
                                self.unknown_key(f, k, known, Some(&kctx));
                            }
                        }
                    }
                    if !self.column_or_expression(f, item, t, &kctx) {
                        ok = false;
                        continue;
                    }
                    // Only a NULLS order that differs from the direction's default is kept
                    // (NULLS LAST for ASC, NULLS FIRST for DESC), as PostgreSQL stores it.
                    key.nulls_first = match nulls {
                        Some(first) if first != key.descending => Some(first),
                        _ => None,
                    };
                    keys.push(key);
                }
                _ => {
                    self.wrong_type(
                        f,
                        item,
                        "a column name or a table",
                        &format!("each key of {ctx}"),
                        Some(help.into()),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(keys)
    }

    fn storage_parameters(&mut self, f: usize, v: &V<'_>, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let help = "write a table of parameters, e.g. with = { fillfactor = 70 }";
        let Some(t) = self.table(f, v, what, Some(help.into())) else {
            return out;
        };
        for (key, value) in t.iter() {
            let raw_name = key.get_ref().as_ref();
            if !valid_parameter_name(raw_name) {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("invalid storage parameter name `{raw_name}` in {what}"),
                    )
                    .at(self.sp(f, key.span()), "not a parameter name")
                    .help("storage parameters are names such as fillfactor or fastupdate"),
                );
                continue;
            }
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) => n.to_string(),
                    Err(_) => i.as_str().to_string(),
                },
                DeValue::Float(x) => x.as_str().to_string(),
                DeValue::Boolean(b) => b.to_string(),
                _ => {
                    self.wrong_type(
                        f,
                        value,
                        "a string, a number or a boolean",
                        &format!("`{raw_name}` in {what}"),
                        Some(help.into()),
                    );
                    continue;
                }
            };
            out.insert(raw_name.to_ascii_lowercase(), text);
        }
        out
    }

    fn policy(&mut self, f: usize, k: &K<'_>, v: &V<'_>, tctx: &str, table: &mut Table) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("policy `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "policy");
        let help = format!(
            "write {} = {{ command = \"select\", roles = [\"app\"], using = \"owner = current_user\" }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut policy = Policy {
            name: name.clone(),
            permissive: true,
            command: "ALL".to_string(),
            roles: vec!["PUBLIC".to_string()],
            using: None,
            with_check: None,
        };
        let mut ok = true;
        let mut using_key = None;
        let mut check_key = None;
        let mut command_span = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "command" => {
                    let choices = fields_of::<raw::RawPolicyCommand>();
                    command_span = Some(self.sp(f, value.span()));
                    match self.choice(f, value, &what, "command", choices) {
                        Some(c) => policy.command = c.to_ascii_uppercase(),
                        None => ok = false,
                    }
                }
                "permissive" => policy.permissive = self.boolean(f, value, &what).unwrap_or(true),
                "roles" => match self.policy_roles(f, value, &what) {
                    Some(roles) => policy.roles = roles,
                    None => ok = false,
                },
                "using" => {
                    using_key = Some(self.sp(f, key.span()));
                    let what = format!("the USING expression of {ctx}");
                    policy.using = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "with_check" => {
                    check_key = Some(self.sp(f, key.span()));
                    let what = format!("the WITH CHECK expression of {ctx}");
                    policy.with_check = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawPolicy>(), Some(&ctx)),
            }
        }
        let command = policy.command.as_str();
        let misplaced = match (command, using_key, check_key) {
            ("INSERT", Some(span), _) => {
                Some((span, "using", "an INSERT policy has only WITH CHECK"))
            }
            ("SELECT" | "DELETE", _, Some(span)) => Some((
                span,
                "with_check",
                "SELECT and DELETE policies have only USING",
            )),
            _ => None,
        };
        if let Some((span, key, help)) = misplaced {
            let mut d = Diag::new(
                ErrorKind::Conflict,
                format!("`{key}` cannot be set on {ctx}"),
            )
            .at(span, format!("not allowed for {command}"))
            .help(format!("{help}: remove `{key}`"));
            if let Some(c) = command_span {
                d = d.also(c, "the command");
            }
            self.err(d);
        }
        if ok {
            table.policies.insert(name, policy);
        }
    }

    fn policy_roles(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<Vec<String>> {
        let items = self.string_list(f, v, what)?;
        if items.is_empty() {
            self.empty_list(
                f,
                v,
                what,
                "list at least one role, or leave `roles` out for PUBLIC",
            );
            return None;
        }
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (role, span) in items {
            let role = if role == "PUBLIC" {
                role
            } else if role.eq_ignore_ascii_case("public") {
                self.err(
                    Diag::new(
                        ErrorKind::LowercasePublic,
                        format!("role `{role}` must be written `PUBLIC`"),
                    )
                    .at(span, "write PUBLIC")
                    .help("write PUBLIC (uppercase) for a policy that applies to every role"),
                );
                "PUBLIC".to_string()
            } else {
                self.role_refs
                    .push((role.clone(), span, RefKind::PolicyRole));
                role
            };
            if let Some(first) = seen.get(&role) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("role `{role}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help("keep one entry per role"),
                );
                continue;
            }
            seen.insert(role, span);
        }
        Some(seen.into_keys().collect())
    }

    // -----------------------------------------------------------------------------------
    // [sequences."s.n"], [enums."s.t"], [domains."s.d"], [extensions.NAME]

    pub(super) fn walk_sequence(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "sequence", "sequences", "general.ticket_seq")
        else {
            return;
        };
        let ctx = format!("sequence `{key_text}`");
        let help = format!("declare it as a table: [sequences.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut seq = Sequence {
            name: name.clone(),
            owner: None,
            data_type: "bigint".to_string(),
            options: SequenceOptions::default(),
            owned_by: None,
            comment: None,
        };
        let mut decl = SequenceDecl {
            key: key_span,
            acl: Acl::default(),
            owned_by: None,
        };
        let mut rec = Rec::default();
        let mut spans = BTreeMap::new();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            if self.sequence_option(f, key_name, value, &what, &mut seq.options, &mut spans) {
                continue;
            }
            match key_name {
                "type" => {
                    let alias = value.get_ref().as_str().and_then(|t| {
                        match t.to_ascii_lowercase().as_str() {
                            "int8" => Some("bigint"),
                            "int" | "int4" => Some("integer"),
                            "int2" => Some("smallint"),
                            _ => None,
                        }
                    });
                    if let Some(name) = alias {
                        let text = value.get_ref().as_str().unwrap_or_default();
                        self.err(
                            Diag::new(
                                ErrorKind::InvalidValue,
                                format!("unknown sequence type `{text}` in {what}"),
                            )
                            .at(self.sp(f, value.span()), format!("write `{name}`"))
                            .help(format!(
                                "write the type's standard name, `{name}`, as PostgreSQL prints it"
                            )),
                        );
                        continue;
                    }
                    let choices = fields_of::<raw::RawSequenceType>();
                    if let Some(ty) = self.choice(f, value, &what, "sequence type", choices) {
                        seq.data_type = ty.to_string();
                    }
                }
                "owned_by" => {
                    if let Some(text) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        match crate::sql::split_qualified(&text).as_deref() {
                            Some([schema, table, column]) => {
                                let table = QualifiedName::new(schema.clone(), table.clone());
                                decl.owned_by = Some((table.clone(), column.clone(), span));
                                seq.owned_by = Some((table, column.clone()));
                            }
                            _ => self.err(
                                Diag::new(
                                    ErrorKind::InvalidValue,
                                    format!("malformed {what}"),
                                )
                                .at(span, "expected \"schema.table.column\"")
                                .help(
                                    "write owned_by = \"general.notes.id\" (double-quote a part \
                                     that contains a dot)",
                                ),
                            ),
                        }
                    }
                }
                "owner" => {
                    if let Some(owner) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs.push((owner.clone(), span, RefKind::Owner));
                        seq.owner = Some(owner);
                    }
                }
                "comment" => seq.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    decl.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Sequence,
                        GrantTarget::Relation(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawSequence>(), Some(&ctx)),
            }
        }
        let data_type = seq.data_type.clone();
        self.check_sequence_options(&seq.options, &spans, Some(&data_type), &ctx);
        if let Some(first) = self.rel.sequences.get(&name).map(|d| d.key) {
            let header = format!("[sequences.{}]", toml_key(&key_text));
            self.duplicate(key_span, first, &ctx, &header);
            return;
        }
        self.commit(rec);
        self.rel.sequences.insert(name.clone(), decl);
        self.catalog.sequences.insert(name, seq);
    }

    pub(super) fn walk_enum(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "type", "enums", "general.mood") else {
            return;
        };
        let ctx = format!("enum `{key_text}`");
        let help = format!("declare it as a table: [enums.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut e = EnumType {
            name: name.clone(),
            owner: None,
            values: Vec::new(),
            comment: None,
        };
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "values" => e.values = self.enum_values(f, value, &what),
                "owner" => {
                    if let Some(owner) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs.push((owner.clone(), span, RefKind::Owner));
                        e.owner = Some(owner);
                    }
                }
                "comment" => e.comment = non_empty(self.string(f, value, &what)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawEnum>(), Some(&ctx)),
            }
        }
        if t.get("values").is_none() {
            self.missing_key(
                f,
                v,
                "values",
                &ctx,
                "values = [\"sad\", \"ok\", \"happy\"]",
            );
        }
        if self.declare_type(&name, key_span, &key_text) {
            self.catalog.enums.insert(name, e);
        }
    }

    fn enum_values(&mut self, f: usize, v: &V<'_>, what: &str) -> Vec<String> {
        let Some(items) = self.string_list(f, v, what) else {
            return Vec::new();
        };
        if items.is_empty() {
            self.empty_list(
                f,
                v,
                what,
                "list the labels, e.g. values = [\"sad\", \"ok\", \"happy\"]",
            );
        }
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (label, span) in items {
            if label.is_empty() || label.len() > MAX_IDENTIFIER_BYTES {
                self.err(
                    Diag::new(ErrorKind::InvalidValue, format!("invalid label in {what}"))
                        .at(
                            span,
                            if label.is_empty() {
                                "empty label".to_string()
                            } else {
                                format!("longer than {MAX_IDENTIFIER_BYTES} bytes")
                            },
                        )
                        .help(format!(
                            "enum labels are 1 to {MAX_IDENTIFIER_BYTES} bytes long"
                        )),
                );
                continue;
            }
            if let Some(first) = seen.get(&label) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("label `{label}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help("enum labels are unique: remove one of them"),
                );
                continue;
            }
            seen.insert(label.clone(), span);
            out.push(label);
        }
        out
    }

    pub(super) fn walk_domain(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "domain", "domains", "general.email") else {
            return;
        };
        let ctx = format!("domain `{key_text}`");
        let help = format!("declare it as a table: [domains.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut d = Domain {
            name: name.clone(),
            owner: None,
            base_type: String::new(),
            collation: None,
            not_null: false,
            default: None,
            checks: BTreeMap::new(),
            comment: None,
        };
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "type" => {
                    let what = format!("the base type of {ctx}");
                    d.base_type = self
                        .sql_value(f, value, SqlKind::Type, &what)
                        .unwrap_or_default();
                }
                "not_null" => d.not_null = self.boolean(f, value, &what).unwrap_or(false),
                "default" => {
                    let what = format!("the default of {ctx}");
                    d.default = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "collation" => d.collation = non_empty(self.string(f, value, &what)),
                "checks" => {
                    let help = "write checks = { email_check = \"VALUE ~ '@'\" }";
                    if let Some(ct) = self.table(f, value, &what, Some(help.into())) {
                        for (ck, cv) in ct.iter() {
                            let check = ck.get_ref().to_string();
                            self.check_identifier(&check, self.sp(f, ck.span()), "constraint");
                            let what = format!("check `{check}` of {ctx}");
                            if let Some(expr) = self.sql_value(f, cv, SqlKind::Expression, &what) {
                                d.checks.insert(check, expr);
                            }
                        }
                    }
                }
                "owner" => {
                    if let Some(owner) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs.push((owner.clone(), span, RefKind::Owner));
                        d.owner = Some(owner);
                    }
                }
                "comment" => d.comment = non_empty(self.string(f, value, &what)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawDomain>(), Some(&ctx)),
            }
        }
        if t.get("type").is_none() {
            self.missing_key(f, v, "type", &ctx, "type = \"text\"");
        }
        if self.declare_type(&name, key_span, &key_text) {
            self.catalog.domains.insert(name, d);
        }
    }

    /// Registers an enum or domain name; false (and an error) when it is taken.
    fn declare_type(&mut self, name: &QualifiedName, span: Span, key_text: &str) -> bool {
        if let Some(other) = self.rel.types.get(name).copied() {
            // Sections are walked by name, not in file order.
            let (first, second) = ordered(other, span);
            let message = if first.file == second.file {
                format!("type `{key_text}` is declared twice")
            } else {
                format!("type `{key_text}` is declared in two files")
            };
            self.err(
                Diag::new(ErrorKind::Duplicate, message)
                    .at(second, "declared again here")
                    .also(first, "first declared here")
                    .help(
                        "enums and domains share one namespace per schema: remove or rename one \
                         of the two",
                    ),
            );
            return false;
        }
        self.rel.types.insert(name.clone(), span);
        self.sources
            .types
            .insert(name.clone(), self.sources.location(span));
        true
    }

    pub(super) fn walk_extension(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let name = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let ctx = format!("extension `{name}`");
        let help = format!("declare it as a table: [extensions.{}]", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.check_identifier(&name, key_span, "extension");
        let mut ext = Extension {
            name: name.clone(),
            schema: None,
            version: None,
        };
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "schema" => {
                    if let Some((schema, span)) = self.name_value(f, value, &what, "schema") {
                        if schema != "public" {
                            self.schema_refs.push((
                                schema.clone(),
                                span,
                                ctx.clone(),
                                "an extension is installed in a declared schema or in public",
                            ));
                        }
                        ext.schema = Some(schema);
                    }
                }
                "version" => {
                    ext.version = self.string(f, value, &what);
                    if ext.version.as_deref() == Some("") {
                        self.empty_value(
                            f,
                            value,
                            &what,
                            "write the version, e.g. \"1.3\", or leave it out for the default",
                        );
                        ext.version = None;
                    }
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawExtension>(), Some(&ctx)),
            }
        }
        if let Some(first) = self.rel.extensions.get(&name).copied() {
            let header = format!("[extensions.{}]", toml_key(&name));
            self.duplicate(key_span, first, &ctx, &header);
            return;
        }
        self.rel.extensions.insert(name.clone(), key_span);
        self.sources
            .extensions
            .insert(name.clone(), self.sources.location(key_span));
        self.catalog.extensions.insert(name, ext);
    }

    pub(super) fn set_manage_tables(&mut self, schema: &str, manage: Option<bool>) {
        if let Some(manage) = manage {
            self.rel.manage_tables.insert(schema.to_string(), manage);
        }
    }

    // -----------------------------------------------------------------------------------
    // Once every file is loaded

    /// Cross-entry checks and defaults of the relational layer.
    pub(super) fn finish_relational(&mut self) {
        let rel = std::mem::take(&mut self.rel);
        let mut diags = Vec::new();

        // Schemas: manage_tables (explicit, else whether a table is declared in it).
        for (name, schema) in self.catalog.schemas.iter_mut() {
            schema.manage_tables = match rel.manage_tables.get(name) {
                Some(explicit) => *explicit,
                None => rel.tables.keys().any(|t| &t.schema == name),
            };
        }
        let schema_owner = |catalog: &Catalog, schema: &str| {
            catalog.schemas.get(schema).and_then(|s| s.owner.clone())
        };

        // Relations: tables and sequences, owner defaulting to the schema's.
        for (name, decl) in &rel.tables {
            if let Some(grants) = self.relation_spans.get(name) {
                diags.push(self.declared_and_granted(name, "table", "tables", decl.key, *grants));
            }
            let partitioned = self
                .catalog
                .tables
                .get(name)
                .is_some_and(|t| t.partition_by.is_some());
            let relation = Relation {
                name: name.clone(),
                kind: if partitioned {
                    RelationKind::PartitionedTable
                } else {
                    RelationKind::Table
                },
                owner: decl
                    .owner
                    .clone()
                    .or_else(|| schema_owner(&self.catalog, &name.schema)),
                acl: decl.acl.clone(),
            };
            self.catalog.relations.insert(name.clone(), relation);
            let location = self.sources.location(decl.key);
            self.sources.relations.insert(name.clone(), location);
        }
        for (name, decl) in &rel.sequences {
            if let Some(grants) = self.relation_spans.get(name) {
                diags.push(self.declared_and_granted(
                    name,
                    "sequence",
                    "sequences",
                    decl.key,
                    *grants,
                ));
            }
            let owner = schema_owner(&self.catalog, &name.schema);
            let Some(seq) = self.catalog.sequences.get_mut(name) else {
                continue;
            };
            if seq.owner.is_none() {
                seq.owner = owner;
            }
            let relation = Relation {
                name: name.clone(),
                kind: RelationKind::Sequence,
                owner: seq.owner.clone(),
                acl: decl.acl.clone(),
            };
            self.catalog.relations.insert(name.clone(), relation);
            let location = self.sources.location(decl.key);
            self.sources.relations.insert(name.clone(), location);
        }
        for (name, e) in self.catalog.enums.iter_mut() {
            if e.owner.is_none() {
                e.owner = self
                    .catalog
                    .schemas
                    .get(&name.schema)
                    .and_then(|s| s.owner.clone());
            }
        }
        for (name, d) in self.catalog.domains.iter_mut() {
            if d.owner.is_none() {
                d.owner = self
                    .catalog
                    .schemas
                    .get(&name.schema)
                    .and_then(|s| s.owner.clone());
            }
        }

        let declared_tables: Vec<String> =
            rel.tables.values().map(|d| d.key_text.clone()).collect();
        let declared: Vec<&str> = declared_tables.iter().map(String::as_str).collect();
        let undeclared_table = |what: String, text: &str, span: Span, why: &str, from: &str| {
            let declare = format!("declare it under [tables.{}]; {why}", toml_key(text));
            let candidates: Vec<&str> = declared.iter().copied().filter(|d| *d != from).collect();
            let help = match did_you_mean(text, &candidates) {
                Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                None => declare,
            };
            Diag::new(ErrorKind::UndeclaredTable, what)
                .at(span, "not a declared table")
                .help(help)
        };

        // Partitions: the parent is declared and partitioned.
        for decl in rel.tables.values() {
            let Some((parent, span)) = &decl.parent else {
                continue;
            };
            match self.catalog.tables.get(parent) {
                None => diags.push(undeclared_table(
                    format!(
                        "the parent `{}` of partition `{}` is not declared",
                        self.text_of(&rel, parent),
                        decl.key_text
                    ),
                    &self.text_of(&rel, parent),
                    *span,
                    "partitions are created from a declared partitioned table",
                    &decl.key_text,
                )),
                Some(p) if p.partition_by.is_none() => {
                    let text = self.text_of(&rel, parent);
                    diags.push(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!(
                                "table `{}` is a partition of `{text}`, which is not partitioned",
                                decl.key_text
                            ),
                        )
                        .at(*span, "not a partitioned table")
                        .also(rel.tables[parent].key, "declared here without partition_by")
                        .help(format!(
                            "declare partition_by on [tables.{}], e.g. partition_by = \"RANGE \
                             (created_at)\"",
                            toml_key(&text)
                        )),
                    );
                }
                Some(_) => {}
            }
        }

        // Columns named by keys, indexes, constraints.
        for (name, decl) in &rel.tables {
            let columns = self.columns_of(name);
            for (column, span, what) in &decl.column_refs {
                if !columns.contains(column) {
                    diags.push(unknown_column(
                        column,
                        *span,
                        what,
                        &decl.key_text,
                        &columns,
                    ));
                }
            }
        }

        // Foreign keys: the referenced table and columns, which must be unique there.
        let mut filled: Vec<(QualifiedName, String, Vec<String>)> = Vec::new();
        for (name, decl) in &rel.tables {
            for fk in &decl.fks {
                let Some(target) = self.catalog.tables.get(&fk.references) else {
                    diags.push(undeclared_table(
                        format!(
                            "{} references `{}`, which is not declared",
                            fk.ctx, fk.references_text
                        ),
                        &fk.references_text,
                        fk.references_span,
                        "foreign keys are checked offline, so the referenced table must be \
                         declared in the desired state",
                        "",
                    ));
                    continue;
                };
                let target_text = &rel.tables[&fk.references].key_text;
                let target_columns = self.columns_of(&fk.references);
                let pk = target.constraints.values().find_map(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                    _ => None,
                });
                let (referenced, span) = match &fk.referenced {
                    Some((cols, span)) => {
                        let mut ok = true;
                        let what = format!("the referenced columns of {}", fk.ctx);
                        for (c, cspan) in cols {
                            if !target_columns.contains(c) {
                                diags.push(unknown_column(
                                    c,
                                    *cspan,
                                    &what,
                                    target_text,
                                    &target_columns,
                                ));
                                ok = false;
                            }
                        }
                        if !ok {
                            continue;
                        }
                        (cols.iter().map(|(c, _)| c.clone()).collect(), *span)
                    }
                    None => match pk {
                        Some(pk) => (pk, fk.references_span),
                        None => {
                            diags.push(
                                Diag::new(
                                    ErrorKind::MissingKey,
                                    format!(
                                        "{} names no referenced columns, and `{target_text}` has \
                                         no primary key",
                                        fk.ctx
                                    ),
                                )
                                .at(fk.references_span, "no primary key to reference")
                                .also(rel.tables[&fk.references].key, "declared here")
                                .help(format!(
                                    "add referenced_columns = [...], or declare a primary key on \
                                     `{target_text}`"
                                )),
                            );
                            continue;
                        }
                    },
                };
                if referenced.len() != fk.columns {
                    diags.push(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!(
                                "{} has {} column{} but references {}",
                                fk.ctx,
                                fk.columns,
                                if fk.columns == 1 { "" } else { "s" },
                                referenced.len()
                            ),
                        )
                        .at(span, format!("{} referenced", referenced.len()))
                        .also(fk.columns_span, format!("{} referencing", fk.columns))
                        .help("a foreign key references as many columns as it has"),
                    );
                    continue;
                }
                if !is_unique_key(target, &referenced) {
                    diags.push(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!(
                                "{} references ({}) of `{target_text}`, which is not a primary \
                                 key or unique constraint",
                                fk.ctx,
                                referenced.join(", ")
                            ),
                        )
                        .at(span, "not unique in the referenced table")
                        .also(rel.tables[&fk.references].key, "declared here")
                        .help(
                            "PostgreSQL requires a primary key, unique constraint or unique \
                             index on exactly the referenced columns: declare one, or reference \
                             the primary key",
                        ),
                    );
                    continue;
                }
                filled.push((name.clone(), fk.name.clone(), referenced));
            }
        }
        for (table, constraint, referenced) in filled {
            if let Some(c) = self
                .catalog
                .tables
                .get_mut(&table)
                .and_then(|t| t.constraints.get_mut(&constraint))
                && let ConstraintKind::ForeignKey {
                    referenced_columns, ..
                } = &mut c.kind
            {
                *referenced_columns = referenced;
            }
        }

        // Renamed tables must not name a table that is still declared.
        for (name, decl) in &rel.tables {
            let Some((old, span)) = &decl.renamed_from else {
                continue;
            };
            let old_name = QualifiedName::new(name.schema.clone(), old.clone());
            if let Some(other) = rel.tables.get(&old_name) {
                diags.push(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!(
                            "table `{}` is renamed from `{old}`, which is still declared",
                            decl.key_text
                        ),
                    )
                    .at(*span, "the old name")
                    .also(other.key, "still declared here")
                    .help(format!(
                        "a rename takes the old table away: remove [tables.{}], or remove \
                         renamed_from",
                        toml_key(&other.key_text)
                    )),
                );
            }
        }

        // Sequences owned by a column: a declared column of a table in the same schema.
        for (name, decl) in &rel.sequences {
            let Some((table, column, span)) = &decl.owned_by else {
                continue;
            };
            let text = format!("{}.{}", table.schema, table.name);
            let ctx = format!("sequence `{}.{}`", name.schema, name.name);
            if !self.catalog.tables.contains_key(table) {
                diags.push(undeclared_table(
                    format!("{ctx} is owned by a column of `{text}`, which is not declared"),
                    &text,
                    *span,
                    "owned_by is checked offline",
                    "",
                ));
                continue;
            }
            let columns = self.columns_of(table);
            if !columns.contains(column) {
                let what = format!("`owned_by` of {ctx}");
                let table_text = &rel.tables[table].key_text;
                diags.push(unknown_column(column, *span, &what, table_text, &columns));
                continue;
            }
            if table.schema != name.schema {
                diags.push(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("{ctx} is owned by a column of a table in another schema"),
                    )
                    .at(*span, format!("not in schema `{}`", name.schema))
                    .help("PostgreSQL requires a sequence and the table that owns it to be in the same schema"),
                );
            }
        }

        // Names that share a namespace per schema.
        type Uses = Vec<(Span, &'static str, bool)>;
        let mut relations: BTreeMap<(&str, &str), Uses> = BTreeMap::new();
        for (name, decl) in &rel.tables {
            relations
                .entry((&name.schema, &name.name))
                .or_default()
                .push((decl.key, "table", false));
            for (part, span, what, implicit) in &decl.relation_names {
                relations
                    .entry((&name.schema, part))
                    .or_default()
                    .push((*span, what, *implicit));
            }
        }
        for (name, decl) in &rel.sequences {
            relations
                .entry((&name.schema, &name.name))
                .or_default()
                .push((decl.key, "sequence", false));
        }
        for ((schema, name), mut uses) in relations {
            if uses.len() < 2 {
                continue;
            }
            uses.sort();
            let (first, first_what, _) = uses[0];
            for (span, what, implicit) in &uses[1..] {
                let by_default = if *implicit { " by default" } else { "" };
                diags.push(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("the name `{name}` is used twice in schema `{schema}`"),
                    )
                    .at(*span, format!("{what} named `{name}`{by_default}"))
                    .also(first, format!("{first_what} with the same name"))
                    .help(
                        "tables, sequences, indexes and the indexes behind primary key, unique \
                         and exclusion constraints share one namespace per schema: rename one \
                         of them",
                    ),
                );
            }
        }
        for (name, span) in &rel.types {
            if let Some(table) = rel.tables.get(name) {
                let (first, second) = ordered(table.key, *span);
                diags.push(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!(
                            "the name `{}` is used by a table and a type in schema `{}`",
                            name.name, name.schema
                        ),
                    )
                    .at(second, "declared again here")
                    .also(first, "first declared here")
                    .help(
                        "every table has a row type of the same name, so tables, enums and \
                         domains share one namespace per schema: rename one of them",
                    ),
                );
            }
        }

        self.diags.extend(diags);
        self.rel = rel;
    }

    fn declared_and_granted(
        &self,
        name: &QualifiedName,
        what: &str,
        section: &str,
        declared: Span,
        grants: Span,
    ) -> Diag {
        let kind = self
            .catalog
            .relations
            .get(name)
            .map(|r| r.kind)
            .unwrap_or(RelationKind::Table);
        let grants_section = if kind == RelationKind::Sequence {
            "sequence_grants"
        } else {
            "table_grants"
        };
        let text = self
            .sources
            .files
            .get(declared.file)
            .and_then(|file| file.contents.get(declared.range()))
            .map(|t| t.trim_matches(['"', '\'']).to_string())
            .unwrap_or_else(|| format!("{}.{}", name.schema, name.name));
        Diag::new(
            ErrorKind::Duplicate,
            format!("{what} `{text}` is declared in [{section}] and again in [{grants_section}]"),
        )
        .at(grants, "declared again here")
        .also(declared, "declared here")
        .help(format!(
            "a declared {what} takes its grants in `grants` of [{section}.{}]: move them there \
             and remove [{grants_section}.{}]",
            toml_key(&text),
            toml_key(&text)
        ))
    }

    /// How a declared table's name was written, or `schema.name`.
    fn text_of(&self, rel: &Relational, name: &QualifiedName) -> String {
        rel.tables
            .get(name)
            .map(|d| d.key_text.clone())
            .unwrap_or_else(|| format!("{}.{}", name.schema, name.name))
    }

    /// The declared columns of a table and, for a partition, of its parents.
    fn columns_of(&self, name: &QualifiedName) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = Some(name);
        let mut seen = BTreeSet::new();
        while let Some(n) = current {
            if !seen.insert(n) {
                break;
            }
            let Some(t) = self.catalog.tables.get(n) else {
                break;
            };
            for c in &t.columns {
                if !out.contains(&c.name) {
                    out.push(c.name.clone());
                }
            }
            current = t.partition_of.as_ref().map(|p| &p.parent);
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // Values

    /// A `schema.name` key; reports a malformed one.
    fn qualified_key(
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
    fn table_reference(
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

    /// Entries of a table of named items (`unique`, `indexes`, …).
    fn entries<'a, 'i>(
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

    /// A name (string, valid identifier) and its span.
    fn name_value(
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

    /// A list of column names of this table (recorded to be checked), without repeats.
    fn column_list(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        refwhat: &str,
        decl: &mut TableDecl,
        allow_empty: bool,
    ) -> Option<Vec<String>> {
        let items = if allow_empty {
            self.names(f, v, what, "column")?
        } else {
            self.non_empty_names(f, v, what, "column")?
        };
        let mut out = Vec::new();
        for (name, span) in items {
            decl.column_refs
                .push((name.clone(), span, refwhat.to_string()));
            out.push(name);
        }
        Some(out)
    }

    fn non_empty_names(
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
    fn names(
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

    /// An index method name (`btree`, `gist`, …), lowercased as PostgreSQL folds it.
    fn method(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<String> {
        let text = self.string(f, v, what)?;
        let method = text.trim().to_ascii_lowercase();
        let valid = !method.is_empty()
            && method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Some(method)
        } else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!("invalid index method `{text}` in {what}"),
                )
                .at(self.sp(f, v.span()), "not a method name")
                .help("write an access method name: btree, hash, gin, gist, brin, spgist, …"),
            );
            None
        }
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

    fn empty_list(&mut self, f: usize, v: &V<'_>, what: &str, help: &str) {
        self.err(
            Diag::new(ErrorKind::InvalidValue, format!("{what} is empty"))
                .at(self.sp(f, v.span()), "empty list")
                .help(help.to_string()),
        );
    }

    fn empty_value(&mut self, f: usize, v: &V<'_>, what: &str, help: &str) {
        self.err(
            Diag::new(ErrorKind::InvalidValue, format!("{what} is empty"))
                .at(self.sp(f, v.span()), "empty")
                .help(help.to_string()),
        );
    }

    fn renamed_from_itself(&mut self, span: Span, ctx: &str) {
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("{ctx} is renamed from its own name"),
            )
            .at(span, "the current name")
            .help("renamed_from names the previous name: remove it once the rename is applied"),
        );
    }

    /// Two keys that cannot go together; the later one is the error.
    fn conflict(&mut self, a: (Span, &str), b: (Span, &str), ctx: &str, help: &str) {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        self.err(
            Diag::new(
                ErrorKind::Conflict,
                format!("{ctx} has both `{}` and `{}`", first.1, second.1),
            )
            .at(second.0, format!("cannot go with `{}`", first.1))
            .also(first.0, format!("`{}` set here", first.1))
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

fn fk_action(word: &str) -> ForeignKeyAction {
    match word {
        "restrict" => ForeignKeyAction::Restrict,
        "cascade" => ForeignKeyAction::Cascade,
        "set_null" => ForeignKeyAction::SetNull,
        "set_default" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::NoAction,
    }
}

/// `<table>_pkey`, with the table name cut (at a character boundary) so that the whole
/// fits in 63 bytes, as PostgreSQL's `makeObjectName` does.
pub(crate) fn default_pkey_name(table: &str) -> String {
    const SUFFIX: &str = "_pkey";
    let mut cut = table.len().min(MAX_IDENTIFIER_BYTES - SUFFIX.len());
    while !table.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{SUFFIX}", &table[..cut])
}

/// Whether `columns` (as a set) is the primary key, a unique constraint or a plain unique
/// index of `table`.
fn is_unique_key(table: &Table, columns: &[String]) -> bool {
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    let same = |cols: &[String]| {
        cols.len() == wanted.len() && cols.iter().all(|c| wanted.contains(c.as_str()))
    };
    let constraint = table.constraints.values().any(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } => same(columns),
        ConstraintKind::Unique { columns, .. } => same(columns),
        _ => false,
    });
    let index = table.indexes.values().any(|i| {
        i.unique
            && i.predicate.is_none()
            && i.keys.iter().all(|k| k.column.is_some())
            && same(
                &i.keys
                    .iter()
                    .filter_map(|k| k.column.clone())
                    .collect::<Vec<_>>(),
            )
    });
    constraint || index
}

fn unknown_column(column: &str, span: Span, what: &str, table: &str, columns: &[String]) -> Diag {
    let candidates: Vec<&str> = columns.iter().map(String::as_str).collect();
    let help = match did_you_mean(column, &candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None if columns.is_empty() => format!(
            "`{table}` declares no columns: declare them under [tables.{}.columns]",
            toml_key(table)
        ),
        None if columns.len() <= 12 => format!(
            "the columns of `{table}` are {}",
            columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "declare the column under [tables.{}.columns], or fix the name",
            toml_key(table)
        ),
    };
    Diag::new(
        ErrorKind::UnknownColumn,
        format!("unknown column `{column}` in {what}"),
    )
    .at(span, format!("not a column of `{table}`"))
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::default_pkey_name;

    #[test]
    fn primary_key_names_fit_in_63_bytes() {
        assert_eq!(default_pkey_name("notes"), "notes_pkey");
        let long = "a".repeat(70);
        let name = default_pkey_name(&long);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_pkey"));
        // Cut at a character boundary: 19 three-byte characters fit in 58 bytes.
        let wide = "€".repeat(30);
        assert_eq!(default_pkey_name(&wide), format!("{}_pkey", "€".repeat(19)));
    }
}
