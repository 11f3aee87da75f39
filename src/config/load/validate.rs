//! Once every file is loaded: what refers to other entries, checked across files (first
//! the relational layer: partitions, columns, foreign keys, `owned_by`, shared namespaces,
//! and the owner defaults; then roles, schemas and membership cycles).

use super::tables::Relational;
use super::*;
use crate::model::{ConstraintKind, Table};

impl Loader {
    pub fn check_references(&mut self) {
        self.finish_sql_types();
        let triggers = std::mem::take(&mut self.rel.triggers);
        self.finish_relational();
        self.finish_views();
        self.finish_routines();
        self.finish_triggers(triggers);
        let declared: Vec<&str> = self.catalog.roles.keys().map(String::as_str).collect();
        let mut diags = Vec::new();
        for (name, span, kind) in &self.role_refs {
            if self.catalog.roles.contains_key(name) || self.role_spans.contains_key(name) {
                continue;
            }
            // No such role can be declared: say why rather than "not declared".
            if has_unsafe(name) {
                diags.push(unsafe_name(name, *span, "role name"));
                continue;
            }
            if is_builtin_role(name) {
                continue;
            }
            let declare = format!(
                "declare it under [roles.{}], or mark an existing role with external = true",
                toml_key(name)
            );
            let help = match did_you_mean(name, &declared) {
                Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                None => declare,
            };
            diags.push(
                Diag::new(
                    ErrorKind::UndeclaredRole,
                    format!("role `{name}` is not declared"),
                )
                .at(*span, kind.label())
                .help(help),
            );
        }
        let schemas: Vec<&str> = self.schema_spans.keys().map(String::as_str).collect();
        for (schema, span, object, why) in &self.schema_refs {
            if self.schema_spans.contains_key(schema) {
                continue;
            }
            if has_unsafe(schema) {
                diags.push(unsafe_name(schema, *span, "schema name"));
                continue;
            }
            let declare = format!("declare it under [schemas.{}]; {why}", toml_key(schema));
            let help = match did_you_mean(schema, &schemas) {
                Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                None => declare,
            };
            diags.push(
                Diag::new(
                    ErrorKind::UndeclaredSchema,
                    format!("schema `{schema}` of {object} is not declared"),
                )
                .at(*span, "in an undeclared schema")
                .help(help),
            );
        }
        self.diags.extend(diags);
        self.check_cycles();

        if self.broken.iter().any(|b| *b) {
            let broken = &self.broken;
            self.diags.retain(|d| match (d.kind, &d.primary) {
                (ErrorKind::TomlSyntax, _) => true,
                // What a broken file declares is unknown.
                (
                    ErrorKind::UndeclaredRole
                    | ErrorKind::UndeclaredSchema
                    | ErrorKind::UndeclaredTable
                    | ErrorKind::UnknownColumn,
                    _,
                ) => false,
                (_, Some((span, _))) => !broken[span.file],
                (_, None) => true,
            });
        }
    }

    fn check_cycles(&mut self) {
        let edges: BTreeMap<&str, Vec<&str>> = self
            .catalog
            .roles
            .iter()
            .map(|(name, role)| {
                (
                    name.as_str(),
                    role.member_of.keys().map(String::as_str).collect(),
                )
            })
            .collect();
        let mut diags = Vec::new();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        for &start in edges.keys() {
            // Depth-first search for a path back to `start` through larger names only,
            // so that each cycle is found once, from its smallest member.
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            let mut on_path: BTreeSet<&str> = BTreeSet::from([start]);
            let mut visited: BTreeSet<&str> = BTreeSet::new();
            let mut cycle = None;
            while let Some((node, i)) = stack.last().copied() {
                let next = edges.get(node).and_then(|n| n.get(i)).copied();
                let Some(next) = next else {
                    stack.pop();
                    on_path.remove(node);
                    visited.insert(node);
                    continue;
                };
                stack.last_mut().unwrap().1 += 1;
                if next == start {
                    let mut path: Vec<&str> = stack.iter().map(|(n, _)| *n).collect();
                    path.push(start);
                    cycle = Some(path);
                    break;
                }
                if next > start && !on_path.contains(next) && !visited.contains(next) {
                    on_path.insert(next);
                    stack.push((next, 0));
                }
            }
            let Some(path) = cycle else { continue };
            if !reported.insert(path.clone()) {
                continue;
            }
            let arrows = path
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" → ");
            let edge_span = |a: &str, b: &str| {
                self.sources
                    .memberships
                    .get(&(a.to_string(), b.to_string()))
                    .and_then(|loc| {
                        self.sources
                            .files
                            .iter()
                            .position(|f| f.label == loc.file)
                            .map(|fi| Span::new(fi, loc.span.clone()))
                    })
            };
            let mut d = Diag::new(
                ErrorKind::MembershipCycle,
                format!("circular role membership: {arrows}"),
            );
            for (i, pair) in path.windows(2).enumerate() {
                let Some(span) = edge_span(pair[0], pair[1]) else {
                    continue;
                };
                let label = format!("`{}` is a member of `{}`", pair[0], pair[1]);
                d = if i == 0 {
                    d.at(span, label)
                } else {
                    d.also(span, label)
                };
            }
            diags.push(d.help(
                "PostgreSQL rejects circular memberships; remove one of these member_of entries",
            ));
        }
        self.diags.extend(diags);
    }

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

        self.validate_inherits(&rel, &mut diags);

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
    pub(super) fn text_of(&self, rel: &Relational, name: &QualifiedName) -> String {
        rel.tables
            .get(name)
            .map(|d| d.key_text.clone())
            .unwrap_or_else(|| format!("{}.{}", name.schema, name.name))
    }

    /// The declared columns of a table and of its parents (partitioned or inherited).
    pub(super) fn columns_of(&self, name: &QualifiedName) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = vec![name];
        let mut seen = BTreeSet::new();
        while let Some(n) = pending.pop() {
            if !seen.insert(n) {
                continue;
            }
            let Some(t) = self.catalog.tables.get(n) else {
                continue;
            };
            for c in &t.columns {
                if !out.contains(&c.name) {
                    out.push(c.name.clone());
                }
            }
            pending.extend(t.parents());
        }
        out
    }
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

pub(super) fn unknown_column(
    column: &str,
    span: Span,
    what: &str,
    table: &str,
    columns: &[String],
) -> Diag {
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
