//! Steps for the relational layer: one `TableChange` → one step with its SQL, its
//! description, its hazards and the keys that order it.
//!
//! Identifiers go through `quote_ident` / `qualified`, literals through `quote_literal`;
//! type names and expressions are canonical SQL already (`format_type`, `pg_get_expr`)
//! and are inserted as they are.

use super::builder::{
    Builder, alter_table, collation_sql, column_list, column_ref, constraint_ref, domain_ref,
    expr_shown, extension_ref, ident, ident_list, include_sql, index_ref, policy_ref,
    privilege_list, qn, sequence_ref, table_ref,
};
use super::{Action, Exec, HazardKind, Key, Node, phase};
use crate::diff::tables::{
    ColumnTypeChange, EnumPosition, RecreatedColumn, TableChange, effective_sequence,
};
use crate::model::*;
use crate::sql::{qualified, quote_ident, quote_literal};

/// Name of the temporary check that proves a column has no NULLs before `SET NOT NULL`.
const NOT_NULL_CHECK: &str = "pgrecon_not_null_check";

pub(super) fn node_for(change: &TableChange) -> Node {
    let mut b = Builder::default();
    match change {
        // -- extensions -------------------------------------------------------------
        TableChange::CreateExtension {
            name,
            schema,
            version,
        } => {
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(name));
            if let Some(s) = schema {
                sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
                b.details.push(format!("schema: {}", ident(s)));
                b.requires.push(Key::Schema(s.clone()));
            }
            if let Some(v) = version {
                sql.push_str(&format!(" VERSION {}", quote_literal(v)));
                b.details.push(format!("version: {v}"));
            }
            b.sql(sql);
            b.creates.push(Key::Extension(name.clone()));
            b.finish(
                phase::EXTENSION,
                Action::Create,
                extension_ref(name),
                format!("create extension {}", ident(name)),
            )
        }
        TableChange::UpdateExtension { name, from, to } => {
            b.sql(format!(
                "ALTER EXTENSION {} UPDATE TO {}",
                quote_ident(name),
                quote_literal(to)
            ));
            b.details.push(format!(
                "version: {} → {to}",
                from.as_deref().unwrap_or("?")
            ));
            b.requires.push(Key::Extension(name.clone()));
            b.finish(
                phase::EXTENSION,
                Action::Alter,
                extension_ref(name),
                format!("update extension {} to version {to}", ident(name)),
            )
        }
        TableChange::SetExtensionSchema { name, from, to } => {
            b.sql(format!(
                "ALTER EXTENSION {} SET SCHEMA {}",
                quote_ident(name),
                quote_ident(to)
            ));
            b.details.push(format!(
                "schema: {} → {}",
                from.as_deref().map_or("?".into(), ident),
                ident(to)
            ));
            b.requires
                .extend([Key::Extension(name.clone()), Key::Schema(to.clone())]);
            b.finish(
                phase::EXTENSION,
                Action::Alter,
                extension_ref(name),
                format!("move extension {} to schema {}", ident(name), ident(to)),
            )
        }

        // -- enums and domains ------------------------------------------------------
        TableChange::CreateEnum { enum_type: e } => {
            let labels: Vec<String> = e.values.iter().map(|v| quote_literal(v)).collect();
            b.sql(format!(
                "CREATE TYPE {} AS ENUM ({})",
                qn(&e.name),
                labels.join(", ")
            ));
            b.details.push(format!("values: {}", labels.join(", ")));
            let object = ObjectRef::Type {
                kind: TypeKind::Enum,
                name: e.name.clone(),
            };
            b.owned_by(&object, e.owner.as_ref());
            b.comment(&object, e.comment.as_ref());
            b.requires.push(Key::Schema(e.name.schema.clone()));
            b.creates.push(Key::Type(e.name.clone()));
            b.finish(
                phase::TYPE,
                Action::Create,
                object,
                format!("create enum {}", e.name),
            )
        }
        TableChange::AddEnumValue {
            name,
            value,
            position,
        } => {
            let place = match position {
                EnumPosition::Before(l) => format!(" BEFORE {}", quote_literal(l)),
                EnumPosition::After(l) => format!(" AFTER {}", quote_literal(l)),
                EnumPosition::End => String::new(),
            };
            b.sql(format!(
                "ALTER TYPE {} ADD VALUE {}{place}",
                qn(name),
                quote_literal(value)
            ));
            b.details.push(match position {
                EnumPosition::Before(l) => format!("before {}", quote_literal(l)),
                EnumPosition::After(l) => format!("after {}", quote_literal(l)),
                EnumPosition::End => "as the first label".into(),
            });
            b.details.push(
                "in place; the new label cannot be used before this plan commits \
                 (PostgreSQL restriction)"
                    .into(),
            );
            b.requires.push(Key::Type(name.clone()));
            b.finish(
                phase::TYPE,
                Action::Alter,
                ObjectRef::Type {
                    kind: TypeKind::Enum,
                    name: name.clone(),
                },
                format!("add value {} to enum {name}", quote_literal(value)),
            )
        }
        TableChange::CreateDomain { domain: d } => {
            let mut sql = format!("CREATE DOMAIN {} AS {}", qn(&d.name), d.base_type);
            if let Some(c) = &d.collation {
                sql.push_str(&format!(" COLLATE {}", collation_sql(c)));
            }
            if let Some(def) = &d.default {
                sql.push_str(&format!(" DEFAULT {def}"));
                b.require_sequences(def);
            }
            if d.not_null {
                sql.push_str(" NOT NULL");
            }
            for (check, expr) in &d.checks {
                sql.push_str(&format!(
                    " CONSTRAINT {} CHECK ({expr})",
                    quote_ident(check)
                ));
                b.creates
                    .push(Key::Constraint(d.name.clone(), check.clone()));
            }
            b.sql(sql);
            b.details.push(format!("type: {}", d.base_type));
            let object = ObjectRef::Type {
                kind: TypeKind::Domain,
                name: d.name.clone(),
            };
            b.owned_by(&object, d.owner.as_ref());
            b.comment(&object, d.comment.as_ref());
            b.require_type(&d.base_type);
            b.requires.push(Key::Schema(d.name.schema.clone()));
            b.creates.push(Key::Type(d.name.clone()));
            b.finish(
                phase::TYPE,
                Action::Create,
                object,
                format!("create domain {}", d.name),
            )
        }
        TableChange::SetDomainDefault { name, from, to } => {
            match to {
                Some(d) => b.sql(format!("ALTER DOMAIN {} SET DEFAULT {d}", qn(name))),
                None => b.sql(format!("ALTER DOMAIN {} DROP DEFAULT", qn(name))),
            }
            b.details.push(format!(
                "default: {} → {}",
                expr_shown(from.as_deref()),
                expr_shown(to.as_deref())
            ));
            b.requires.push(Key::Type(name.clone()));
            let verb = if to.is_some() { "set" } else { "drop" };
            b.finish(
                phase::TYPE,
                Action::Alter,
                domain_ref(name),
                format!("{verb} default of domain {name}"),
            )
        }
        TableChange::SetDomainNotNull { name, not_null } => {
            if *not_null {
                b.sql(format!("ALTER DOMAIN {} SET NOT NULL", qn(name)));
                b.hazard(
                    HazardKind::ValidatesData,
                    "scans every column of this domain for NULLs".into(),
                );
            } else {
                b.sql(format!("ALTER DOMAIN {} DROP NOT NULL", qn(name)));
            }
            b.requires.push(Key::Type(name.clone()));
            let verb = if *not_null { "set" } else { "drop" };
            b.finish(
                phase::TYPE,
                Action::Alter,
                domain_ref(name),
                format!("{verb} not null on domain {name}"),
            )
        }
        TableChange::AddDomainCheck {
            name,
            check,
            expression,
        } => {
            b.sql(format!(
                "ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({expression}) NOT VALID",
                qn(name),
                quote_ident(check)
            ));
            b.details.push(format!("check: {expression}"));
            b.details
                .push("added NOT VALID: existing values are validated next".into());
            b.requires.push(Key::Type(name.clone()));
            b.creates.push(Key::Constraint(name.clone(), check.clone()));
            b.finish(
                phase::TYPE,
                Action::Alter,
                domain_ref(name),
                format!("add check {} to domain {name}", ident(check)),
            )
        }
        TableChange::ValidateDomainCheck { name, check } => {
            b.sql(format!(
                "ALTER DOMAIN {} VALIDATE CONSTRAINT {}",
                qn(name),
                quote_ident(check)
            ));
            b.hazard(
                HazardKind::ValidatesData,
                "scans every column of this domain to check existing values".into(),
            );
            b.requires.extend([
                Key::Type(name.clone()),
                Key::Constraint(name.clone(), check.clone()),
            ]);
            b.finish(
                phase::VALIDATE,
                Action::Alter,
                domain_ref(name),
                format!("validate check {} of domain {name}", ident(check)),
            )
        }
        TableChange::DropDomainCheck { name, check } => {
            b.sql(format!(
                "ALTER DOMAIN {} DROP CONSTRAINT {}",
                qn(name),
                quote_ident(check)
            ));
            b.requires.push(Key::Type(name.clone()));
            b.drops.push(Key::Constraint(name.clone(), check.clone()));
            b.finish(
                phase::TYPE,
                Action::Alter,
                domain_ref(name),
                format!("drop check {} from domain {name}", ident(check)),
            )
        }
        TableChange::DropType { name, kind } => {
            let (keyword, what) = match kind {
                TypeKind::Enum => ("TYPE", "enum"),
                TypeKind::Domain => ("DOMAIN", "domain"),
            };
            b.sql(format!("DROP {keyword} {}", qn(name)));
            b.details
                .push("fails if a column still uses it (no CASCADE)".into());
            b.requires.push(Key::Schema(name.schema.clone()));
            b.drops.push(Key::Type(name.clone()));
            b.finish(
                phase::DROP_TYPE,
                Action::Drop,
                ObjectRef::Type {
                    kind: *kind,
                    name: name.clone(),
                },
                format!("drop {what} {name}"),
            )
        }

        // -- sequences --------------------------------------------------------------
        TableChange::CreateSequence { sequence: s } => {
            let mut parts = vec![format!(
                "CREATE SEQUENCE {} AS {}",
                qn(&s.name),
                s.data_type
            )];
            parts.extend(sequence_options(&s.options));
            b.sql(parts.join(" "));
            b.details.push(format!("type: {}", s.data_type));
            let object = sequence_ref(&s.name);
            b.owned_by(&object, s.owner.as_ref());
            b.comment(&object, s.comment.as_ref());
            b.requires.push(Key::Schema(s.name.schema.clone()));
            b.creates.push(Key::Relation(s.name.clone()));
            b.finish(
                phase::SEQUENCE,
                Action::Create,
                object,
                format!("create sequence {}", s.name),
            )
        }
        TableChange::AlterSequence {
            name,
            from_type,
            to_type,
            from,
            to,
        } => {
            let mut parts = vec![format!("ALTER SEQUENCE {}", qn(name))];
            if from_type != to_type {
                parts.push(format!("AS {to_type}"));
                b.details.push(format!("type: {from_type} → {to_type}"));
            }
            let (options, details) = sequence_changes(from, from_type, to, to_type, "");
            parts.extend(options);
            b.details.extend(details);
            b.sql(parts.join(" "));
            b.requires.push(Key::Relation(name.clone()));
            b.finish(
                phase::SEQUENCE,
                Action::Alter,
                sequence_ref(name),
                format!("alter sequence {name}"),
            )
        }
        TableChange::SetSequenceOwnedBy { name, from, to } => {
            let target = match to {
                Some((t, c)) => format!("{}.{}", qn(t), quote_ident(c)),
                None => "NONE".into(),
            };
            b.sql(format!("ALTER SEQUENCE {} OWNED BY {target}", qn(name)));
            let shown_col = |v: &Option<(QualifiedName, String)>| {
                v.as_ref()
                    .map_or("(none)".to_string(), |(t, c)| format!("{t}.{}", ident(c)))
            };
            b.details
                .push(format!("owned by: {} → {}", shown_col(from), shown_col(to)));
            b.requires.push(Key::Relation(name.clone()));
            for (t, c) in from.iter().chain(to) {
                b.requires
                    .extend([Key::Relation(t.clone()), Key::Column(t.clone(), c.clone())]);
            }
            let summary = match to {
                Some((t, c)) => format!("make sequence {name} owned by {t}.{}", ident(c)),
                None => format!("detach sequence {name} from its column"),
            };
            b.finish(
                phase::FOREIGN_KEY,
                Action::Alter,
                sequence_ref(name),
                summary,
            )
        }
        TableChange::DropSequence { name } => {
            b.sql(format!("DROP SEQUENCE {}", qn(name)));
            b.hazard(
                HazardKind::DeletesData,
                format!("drops sequence {name} and its current value"),
            );
            b.requires.push(Key::Schema(name.schema.clone()));
            b.drops.push(Key::Relation(name.clone()));
            b.finish(
                phase::DROP_SEQUENCE,
                Action::Drop,
                sequence_ref(name),
                format!("drop sequence {name}"),
            )
        }

        // -- tables -----------------------------------------------------------------
        TableChange::CreateTable {
            table: t,
            owner,
            identity_sequences,
        } => create_table(b, t, owner.as_ref(), identity_sequences),
        TableChange::RenameTable { from, to } => {
            b.sql(format!(
                "ALTER TABLE {} RENAME TO {}",
                qn(from),
                quote_ident(to)
            ));
            let new = QualifiedName::new(from.schema.clone(), to.clone());
            b.requires.push(Key::Schema(from.schema.clone()));
            b.drops.push(Key::Relation(from.clone()));
            b.creates.push(Key::Relation(new.clone()));
            b.finish(
                phase::RENAME,
                Action::Alter,
                table_ref(&new),
                format!("rename table {from} to {}", ident(to)),
            )
        }
        TableChange::DropTable { table: t } => {
            b.sql(format!("DROP TABLE {}", qn(&t.name)));
            let what = if t.partition_by.is_some() {
                "and all its partitions and rows"
            } else {
                "and all its rows"
            };
            b.hazard(
                HazardKind::DeletesData,
                format!("drops table {} {what}", t.name),
            );
            b.details.push(format!("{} columns", t.columns.len()));
            b.requires.push(Key::Schema(t.name.schema.clone()));
            for c in &t.columns {
                b.require_type(&c.type_name);
                if let Some(d) = &c.default {
                    b.require_sequences(d);
                }
            }
            if let Some(p) = &t.partition_of {
                b.requires.push(Key::Relation(p.parent.clone()));
            }
            b.drops.push(Key::Relation(t.name.clone()));
            b.finish(
                phase::DROP_TABLE,
                Action::Drop,
                table_ref(&t.name),
                format!("drop table {}", t.name),
            )
        }
        TableChange::SetLogged { table, unlogged } => {
            let (kw, what) = if *unlogged {
                ("UNLOGGED", "unlogged")
            } else {
                ("LOGGED", "logged")
            };
            b.sql(format!("ALTER TABLE {} SET {kw}", qn(table)));
            b.rewrite(table);
            if *unlogged {
                b.details
                    .push("an unlogged table is not crash-safe and is not replicated".into());
            }
            b.requires.push(Key::Relation(table.clone()));
            b.finish(
                phase::COLUMN,
                Action::Alter,
                table_ref(table),
                format!("make table {table} {what}"),
            )
        }
        TableChange::SetRowSecurity {
            table,
            enable,
            force,
        } => {
            let mut verbs = Vec::new();
            if let Some(e) = enable {
                let kw = if *e { "ENABLE" } else { "DISABLE" };
                b.sql(format!("ALTER TABLE {} {kw} ROW LEVEL SECURITY", qn(table)));
                b.details.push(format!("row level security: {} → {e}", !e));
                b.hazard(
                    HazardKind::AuthorizationChange,
                    if *e {
                        "rows become visible only through policies (the owner is exempt \
                         unless forced)"
                            .into()
                    } else {
                        "policies stop applying: every row is visible to roles with table \
                         privileges"
                            .into()
                    },
                );
                verbs.push(if *e { "enable" } else { "disable" });
            }
            if let Some(f) = force {
                let kw = if *f { "FORCE" } else { "NO FORCE" };
                b.sql(format!("ALTER TABLE {} {kw} ROW LEVEL SECURITY", qn(table)));
                b.details
                    .push(format!("force row level security: {} → {f}", !f));
                b.hazard(
                    HazardKind::AuthorizationChange,
                    if *f {
                        "policies apply to the table owner too".into()
                    } else {
                        "the table owner bypasses the policies".into()
                    },
                );
                verbs.push(if *f { "force" } else { "unforce" });
            }
            b.requires.push(Key::Relation(table.clone()));
            b.finish(
                phase::COLUMN,
                Action::Alter,
                table_ref(table),
                format!(
                    "{} row level security on table {table}",
                    verbs.join(" and ")
                ),
            )
        }
        TableChange::AttachPartition {
            table,
            parent,
            bound,
        } => {
            b.sql(format!(
                "ALTER TABLE {} ATTACH PARTITION {} {bound}",
                qn(parent),
                qn(table)
            ));
            b.details.push(format!("bound: {bound}"));
            b.hazard(
                HazardKind::ValidatesData,
                "scans the partition to check its rows fit the bound (and the default \
                 partition, if any, for rows that now belong here)"
                    .into(),
            );
            b.requires
                .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                table_ref(table),
                format!("attach partition {table} to {parent}"),
            )
        }
        TableChange::DetachPartition { table, parent } => {
            b.sql(format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                qn(parent),
                qn(table)
            ));
            b.details.push(format!(
                "its rows stay in {table} but are no longer seen through {parent}"
            ));
            b.requires
                .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                table_ref(table),
                format!("detach partition {table} from {parent}"),
            )
        }

        // -- columns ----------------------------------------------------------------
        TableChange::AddColumn {
            table,
            column: c,
            identity_sequence,
        } => {
            b.sql(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                qn(table),
                column_sql(c, identity_sequence.as_ref())
            ));
            b.column_details(c);
            // A virtual column is computed when read: nothing to fill.
            if (c.generated.is_some() && !c.generated_virtual) || c.identity.is_some() {
                b.hazard(
                    HazardKind::RewritesTable,
                    format!(
                        "fills the new column for every row of {table}: the table is rewritten"
                    ),
                );
                b.hazard(
                    HazardKind::AccessExclusiveLock,
                    format!("reads and writes of {table} wait until the rewrite ends"),
                );
            } else if c.not_null && c.default.is_none() {
                b.hazard(
                    HazardKind::ValidatesData,
                    "NOT NULL without a default: fails if the table has rows".into(),
                );
            }
            if let Some(comment) = &c.comment {
                b.sql(format!(
                    "COMMENT ON COLUMN {}.{} IS {}",
                    qn(table),
                    quote_ident(&c.name),
                    quote_literal(comment)
                ));
            }
            b.require_type(&c.type_name);
            if let Some(d) = &c.default {
                b.require_sequences(d);
            }
            b.requires.push(Key::Relation(table.clone()));
            b.creates.push(Key::Column(table.clone(), c.name.clone()));
            if let Some(seq) = identity_sequence {
                b.creates.push(Key::Relation(seq.clone()));
            }
            b.finish(
                phase::COLUMN,
                Action::Create,
                column_ref(table, &c.name),
                format!("add column {} to table {table}", ident(&c.name)),
            )
        }
        TableChange::DropColumn { table, column: c } => {
            b.sql(format!(
                "ALTER TABLE {} DROP COLUMN {}",
                qn(table),
                quote_ident(&c.name)
            ));
            b.details.push(format!("type: {}", c.type_name));
            b.hazard(
                HazardKind::DeletesData,
                format!(
                    "drops column {} of {table} and its data (not declared; use renamed_from \
                     if it was renamed)",
                    ident(&c.name)
                ),
            );
            b.require_type(&c.type_name);
            if let Some(d) = &c.default {
                b.require_sequences(d);
            }
            b.requires.push(Key::Relation(table.clone()));
            b.drops.push(Key::Column(table.clone(), c.name.clone()));
            b.finish(
                phase::DROP_COLUMN,
                Action::Drop,
                column_ref(table, &c.name),
                format!("drop column {} from table {table}", ident(&c.name)),
            )
        }
        TableChange::RenameColumn { table, from, to } => {
            b.sql(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                qn(table),
                quote_ident(from),
                quote_ident(to)
            ));
            b.requires.push(Key::Relation(table.clone()));
            b.drops.push(Key::Column(table.clone(), from.clone()));
            b.creates.push(Key::Column(table.clone(), to.clone()));
            b.finish(
                phase::RENAME,
                Action::Alter,
                column_ref(table, to),
                format!(
                    "rename column {} of table {table} to {}",
                    ident(from),
                    ident(to)
                ),
            )
        }
        TableChange::AlterColumnTypes {
            table,
            columns,
            recreate_generated,
        } => {
            let mut parts = Vec::new();
            for r in recreate_generated {
                parts.push(format!("DROP COLUMN {}", quote_ident(&r.column.name)));
            }
            for c in columns {
                let col = quote_ident(&c.column);
                if c.drop_default {
                    parts.push(format!("ALTER COLUMN {col} DROP DEFAULT"));
                }
                let collate = c.to_collation.as_ref().map_or(String::new(), |coll| {
                    format!(" COLLATE {}", collation_sql(coll))
                });
                let using = c
                    .using
                    .clone()
                    .unwrap_or_else(|| format!("{col}::{}", c.to_type));
                parts.push(format!(
                    "ALTER COLUMN {col} TYPE {}{collate} USING {using}",
                    c.to_type
                ));
                if let Some(d) = &c.set_default {
                    parts.push(format!("ALTER COLUMN {col} SET DEFAULT {d}"));
                    b.require_sequences(d);
                }
                let name = ident(&c.column);
                if c.from_type != c.to_type {
                    b.details
                        .push(format!("{name}: {} → {}", c.from_type, c.to_type));
                }
                if c.from_collation != c.to_collation {
                    b.details.push(format!(
                        "{name}: collation {} → {}",
                        c.from_collation.as_deref().unwrap_or("(default)"),
                        c.to_collation.as_deref().unwrap_or("(default)")
                    ));
                }
                b.details.push(match &c.using {
                    Some(u) => format!("{name}: using {u}"),
                    None => format!("{name}: using a cast of the current value"),
                });
                if c.drop_default {
                    b.details.push(format!(
                        "{name}: the default is dropped for the change and set again"
                    ));
                }
                b.require_type(&c.from_type);
                b.require_type(&c.to_type);
                b.require_column(table, &c.column);
            }
            for r in recreate_generated {
                parts.push(format!("ADD COLUMN {}", column_sql(&r.column, None)));
                b.recreated_column(table, r);
            }
            b.sql(alter_table(table, &parts));
            for r in recreate_generated {
                if let Some(comment) = &r.column.comment {
                    b.sql(format!(
                        "COMMENT ON COLUMN {}.{} IS {}",
                        qn(table),
                        quote_ident(&r.column.name),
                        quote_literal(comment)
                    ));
                }
            }
            if !recreate_generated.is_empty() || columns.iter().any(type_change_rewrites) {
                b.rewrite(table);
            } else {
                b.hazard(
                    HazardKind::AccessExclusiveLock,
                    format!(
                        "reads and writes of {table} wait until the transaction commits (no \
                         rewrite: the stored values stay valid)"
                    ),
                );
            }
            let names: Vec<String> = columns.iter().map(|c| c.column.clone()).collect();
            let summary = match names.as_slice() {
                [one] => format!("change type of column {} of table {table}", ident(one)),
                many => format!(
                    "change types of columns {} of table {table}",
                    ident_list(many)
                ),
            };
            let object = match names.as_slice() {
                [one] => column_ref(table, one),
                _ => table_ref(table),
            };
            b.finish(phase::COLUMN, Action::Alter, object, summary)
        }
        TableChange::SetColumnDefault {
            table,
            column,
            from,
            to,
        } => {
            let col = quote_ident(column);
            match to {
                Some(d) => b.sql(alter_table(
                    table,
                    &[format!("ALTER COLUMN {col} SET DEFAULT {d}")],
                )),
                None => b.sql(alter_table(
                    table,
                    &[format!("ALTER COLUMN {col} DROP DEFAULT")],
                )),
            }
            b.details.push(format!(
                "default: {} → {}",
                expr_shown(from.as_deref()),
                expr_shown(to.as_deref())
            ));
            for d in from.iter().chain(to) {
                b.require_sequences(d);
            }
            b.require_column(table, column);
            let verb = if to.is_some() { "set" } else { "drop" };
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!(
                    "{verb} default of column {} of table {table}",
                    ident(column)
                ),
            )
        }
        TableChange::SetNotNull {
            table,
            column,
            partitioned,
            name,
        } => {
            let col = quote_ident(column);
            // A declared name needs the PostgreSQL 18 form; SET NOT NULL picks its own.
            let set_not_null = match name {
                Some(n) => format!("ADD CONSTRAINT {} NOT NULL {col}", quote_ident(n)),
                None => format!("ALTER COLUMN {col} SET NOT NULL"),
            };
            if *partitioned {
                b.sql(alter_table(table, std::slice::from_ref(&set_not_null)));
                b.hazard(
                    HazardKind::ValidatesData,
                    format!("scans {table} (every partition) to check for NULLs"),
                );
            } else {
                let check = quote_ident(NOT_NULL_CHECK);
                b.sql(alter_table(
                    table,
                    &[format!(
                        "ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID"
                    )],
                ));
                b.sql(alter_table(
                    table,
                    &[format!("VALIDATE CONSTRAINT {check}")],
                ));
                b.sql(alter_table(table, std::slice::from_ref(&set_not_null)));
                b.sql(alter_table(table, &[format!("DROP CONSTRAINT {check}")]));
                b.details.push(
                    "a temporary NOT VALID check is validated first, so SET NOT NULL does \
                     not scan again"
                        .into(),
                );
                b.hazard(
                    HazardKind::ValidatesData,
                    format!("scans {table} to check for NULLs; fails if there are any"),
                );
            }
            b.hazard(
                HazardKind::AccessExclusiveLock,
                format!("reads and writes of {table} wait until the scan ends (one transaction)"),
            );
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!("set not null on column {} of table {table}", ident(column)),
            )
        }
        TableChange::RenameNotNull {
            table,
            column,
            from,
            to,
        } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "RENAME CONSTRAINT {} TO {}",
                    quote_ident(from),
                    quote_ident(to)
                )],
            ));
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!(
                    "rename the not null constraint of column {} of table {table} to {}",
                    ident(column),
                    ident(to)
                ),
            )
        }
        TableChange::DropNotNull { table, column } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "ALTER COLUMN {} DROP NOT NULL",
                    quote_ident(column)
                )],
            ));
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!("drop not null on column {} of table {table}", ident(column)),
            )
        }
        TableChange::AddIdentity {
            table,
            column,
            type_name,
            identity,
            sequence,
        } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "ALTER COLUMN {} ADD {}",
                    quote_ident(column),
                    identity_sql(identity, Some(sequence))
                )],
            ));
            b.details
                .push(format!("identity: {}", identity_kind(identity.kind)));
            b.details.push(format!("sequence: {sequence}"));
            let start = effective_sequence(&identity.options, type_name);
            if start.increment > 0 {
                // Existing values would collide with the first generated ones.
                b.sql(format!(
                    "SELECT pg_catalog.setval({}, max({})) FROM {} HAVING max({}) >= {}",
                    quote_literal(&qn(sequence)),
                    quote_ident(column),
                    qn(table),
                    quote_ident(column),
                    start.start
                ));
                b.details.push(
                    "the sequence continues after the column's largest existing value".into(),
                );
            }
            b.require_column(table, column);
            b.creates.push(Key::Relation(sequence.clone()));
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!("add identity to column {} of table {table}", ident(column)),
            )
        }
        TableChange::DropIdentity { table, column } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "ALTER COLUMN {} DROP IDENTITY",
                    quote_ident(column)
                )],
            ));
            b.details
                .push("drops the identity sequence; the values stay".into());
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!("drop identity of column {} of table {table}", ident(column)),
            )
        }
        TableChange::AlterIdentity {
            table,
            column,
            type_name,
            from,
            to,
        } => {
            let col = quote_ident(column);
            let mut parts = Vec::new();
            if from.kind != to.kind {
                parts.push(format!("SET GENERATED {}", identity_kind_sql(to.kind)));
                b.details.push(format!(
                    "identity: {} → {}",
                    identity_kind(from.kind),
                    identity_kind(to.kind)
                ));
            }
            let (options, details) =
                sequence_changes(&from.options, type_name, &to.options, type_name, "SET ");
            parts.extend(options);
            b.details.extend(details);
            b.sql(alter_table(
                table,
                &[format!("ALTER COLUMN {col} {}", parts.join(" "))],
            ));
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!(
                    "alter identity of column {} of table {table}",
                    ident(column)
                ),
            )
        }
        TableChange::DropExpression { table, column } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "ALTER COLUMN {} DROP EXPRESSION",
                    quote_ident(column)
                )],
            ));
            b.details
                .push("the column keeps its values and becomes an ordinary column".into());
            b.require_column(table, column);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, column),
                format!(
                    "make column {} of table {table} an ordinary column",
                    ident(column)
                ),
            )
        }
        TableChange::RecreateColumn {
            table,
            column: c,
            from_generated,
            from_virtual,
        } => {
            b.sql(alter_table(
                table,
                &[
                    format!("DROP COLUMN {}", quote_ident(&c.name)),
                    format!("ADD COLUMN {}", column_sql(c, None)),
                ],
            ));
            if let Some(comment) = &c.comment {
                b.sql(format!(
                    "COMMENT ON COLUMN {}.{} IS {}",
                    qn(table),
                    quote_ident(&c.name),
                    quote_literal(comment)
                ));
            }
            b.recreated_column(
                table,
                &RecreatedColumn {
                    column: c.clone(),
                    from_generated: from_generated.clone(),
                    from_virtual: *from_virtual,
                },
            );
            b.rewrite(table);
            b.finish(
                phase::COLUMN,
                Action::Alter,
                column_ref(table, &c.name),
                format!(
                    "re-create generated column {} of table {table}",
                    ident(&c.name)
                ),
            )
        }
        TableChange::GrantColumns {
            table,
            columns,
            grantee,
            privileges,
            with_grant_option,
        } => {
            let list = column_privileges(privileges, columns);
            let wgo = if *with_grant_option {
                " WITH GRANT OPTION"
            } else {
                ""
            };
            b.sql(format!(
                "GRANT {list} ON TABLE {} TO {}{wgo}",
                qn(table),
                grantee.to_sql()
            ));
            b.grant_hazard(grantee, *with_grant_option);
            b.require_columns(table, columns, grantee);
            let suffix = if *with_grant_option {
                " with grant option"
            } else {
                ""
            };
            b.finish(
                phase::GRANT,
                Action::Grant,
                table_ref(table),
                format!(
                    "grant {} ({}) on table {table} to {grantee}{suffix}",
                    privilege_list(privileges),
                    ident_list(columns)
                ),
            )
        }
        TableChange::RevokeColumns {
            table,
            columns,
            grantee,
            privileges,
            grant_option_only,
        } => {
            let list = column_privileges(privileges, columns);
            let gof = if *grant_option_only {
                "GRANT OPTION FOR "
            } else {
                ""
            };
            b.sql(format!(
                "REVOKE {gof}{list} ON TABLE {} FROM {}",
                qn(table),
                grantee.to_sql()
            ));
            b.require_columns(table, columns, grantee);
            let what = if *grant_option_only {
                "grant option for "
            } else {
                ""
            };
            b.finish(
                phase::REVOKE,
                Action::Revoke,
                table_ref(table),
                format!(
                    "revoke {what}{} ({}) on table {table} from {grantee}",
                    privilege_list(privileges),
                    ident_list(columns)
                ),
            )
        }

        // -- constraints ------------------------------------------------------------
        TableChange::AddConstraint {
            table,
            constraint: c,
            not_valid,
            new_table,
            referenced_key,
            reason,
        } => {
            let suffix = if *not_valid { " NOT VALID" } else { "" };
            b.sql(alter_table(
                table,
                &[format!("ADD {}{suffix}", constraint_sql(c))],
            ));
            if let Some(comment) = &c.comment {
                b.sql(format!(
                    "COMMENT ON CONSTRAINT {} ON {} IS {}",
                    quote_ident(&c.name),
                    qn(table),
                    quote_literal(comment)
                ));
            }
            if let Some(r) = reason {
                b.details.push(r.clone());
            }
            if *not_valid {
                b.details
                    .push("added NOT VALID: existing rows are validated next".into());
            }
            let fk = matches!(c.kind, ConstraintKind::ForeignKey { .. });
            if !new_table {
                match &c.kind {
                    ConstraintKind::PrimaryKey { .. }
                    | ConstraintKind::Unique { .. }
                    | ConstraintKind::Exclusion { .. } => {
                        b.hazard(
                            HazardKind::IndexBuild,
                            format!("builds the constraint's index on {table}"),
                        );
                        b.hazard(
                            HazardKind::AccessExclusiveLock,
                            format!("reads and writes of {table} wait until the index is built"),
                        );
                    }
                    ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
                        if !not_valid =>
                    {
                        b.hazard(
                            HazardKind::ValidatesData,
                            format!("scans {table} to check existing rows"),
                        );
                    }
                    _ => {}
                }
            }
            b.requires.push(Key::Relation(table.clone()));
            for col in constraint_columns(c) {
                b.requires.push(Key::Column(table.clone(), col));
            }
            if let ConstraintKind::ForeignKey {
                references,
                referenced_columns,
                ..
            } = &c.kind
            {
                b.requires.push(Key::Relation(references.clone()));
                for col in referenced_columns {
                    b.requires
                        .push(Key::Column(references.clone(), col.clone()));
                }
                if let Some(k) = referenced_key {
                    b.requires
                        .push(Key::Constraint(references.clone(), k.clone()));
                }
            }
            b.creates
                .push(Key::Constraint(table.clone(), c.name.clone()));
            let what = constraint_kind_name(&c.kind);
            b.finish(
                if fk {
                    phase::FOREIGN_KEY
                } else {
                    phase::CONSTRAINT
                },
                Action::Create,
                constraint_ref(table, &c.name),
                format!("add {what} {} to table {table}", ident(&c.name)),
            )
        }
        TableChange::ValidateConstraint {
            table,
            constraint: c,
        } => {
            b.sql(alter_table(
                table,
                &[format!("VALIDATE CONSTRAINT {}", quote_ident(&c.name))],
            ));
            let message = match &c.kind {
                ConstraintKind::ForeignKey { references, .. } => format!(
                    "scans {table} and looks up each row's key in {references}; fails if a \
                     row has no match"
                ),
                _ => format!("scans {table} to check existing rows; fails if one violates it"),
            };
            b.hazard(HazardKind::ValidatesData, message);
            b.requires.extend([
                Key::Relation(table.clone()),
                Key::Constraint(table.clone(), c.name.clone()),
            ]);
            b.finish(
                phase::VALIDATE,
                Action::Alter,
                constraint_ref(table, &c.name),
                format!(
                    "validate {} {} of table {table}",
                    constraint_kind_name(&c.kind),
                    ident(&c.name)
                ),
            )
        }
        TableChange::DropConstraint {
            table,
            constraint: c,
            drop_not_null,
            referenced_key,
            reason,
        } => {
            b.sql(alter_table(
                table,
                &[format!("DROP CONSTRAINT {}", quote_ident(&c.name))],
            ));
            for col in drop_not_null {
                b.sql(alter_table(
                    table,
                    &[format!("ALTER COLUMN {} DROP NOT NULL", quote_ident(col))],
                ));
                b.details.push(format!(
                    "column {} was NOT NULL only for the primary key",
                    ident(col)
                ));
            }
            if let Some(r) = reason {
                b.details.push(r.clone());
            }
            b.requires.push(Key::Relation(table.clone()));
            for col in constraint_columns(c) {
                b.requires.push(Key::Column(table.clone(), col));
            }
            let fk = if let ConstraintKind::ForeignKey { references, .. } = &c.kind {
                b.requires.push(Key::Relation(references.clone()));
                if let Some(k) = referenced_key {
                    b.requires
                        .push(Key::Constraint(references.clone(), k.clone()));
                }
                true
            } else {
                false
            };
            b.drops.push(Key::Constraint(table.clone(), c.name.clone()));
            b.finish(
                if fk {
                    phase::DROP_FOREIGN_KEY
                } else {
                    phase::DROP_CONSTRAINT
                },
                Action::Drop,
                constraint_ref(table, &c.name),
                format!(
                    "drop {} {} from table {table}",
                    constraint_kind_name(&c.kind),
                    ident(&c.name)
                ),
            )
        }
        TableChange::RenameConstraint { table, from, to } => {
            b.sql(alter_table(
                table,
                &[format!(
                    "RENAME CONSTRAINT {} TO {}",
                    quote_ident(from),
                    quote_ident(to)
                )],
            ));
            b.requires.push(Key::Relation(table.clone()));
            b.drops.push(Key::Constraint(table.clone(), from.clone()));
            b.creates.push(Key::Constraint(table.clone(), to.clone()));
            b.finish(
                phase::RENAME,
                Action::Alter,
                constraint_ref(table, to),
                format!(
                    "rename constraint {} of table {table} to {}",
                    ident(from),
                    ident(to)
                ),
            )
        }

        // -- indexes ----------------------------------------------------------------
        TableChange::CreateIndex {
            table,
            index,
            concurrently,
            new_table,
        } => {
            let statement = index_sql(table, index, *concurrently);
            let comment = index.comment.as_ref().map(|c| {
                format!(
                    "COMMENT ON INDEX {} IS {}",
                    qualified(&table.schema, &index.name),
                    quote_literal(c)
                )
            });
            b.index_details(index);
            if *concurrently {
                let cleanup = format!(
                    "DROP INDEX CONCURRENTLY IF EXISTS {}",
                    qualified(&table.schema, &index.name)
                );
                let mut statements = vec![statement];
                statements.extend(comment);
                b.printed = statements.clone();
                b.exec = Some(Exec::NonTransactional {
                    statements,
                    cleanup: vec![cleanup],
                });
                b.details.push(
                    "built concurrently after the transaction commits; an invalid index \
                     left by a failure is dropped"
                        .into(),
                );
                b.hazard(
                    HazardKind::IndexBuild,
                    format!(
                        "builds the index concurrently: writes to {table} continue, the build \
                         scans the table twice"
                    ),
                );
            } else {
                b.sql(statement);
                if let Some(c) = comment {
                    b.sql(c);
                }
                if !new_table {
                    b.hazard(
                        HazardKind::IndexBuild,
                        format!(
                            "builds the index under a SHARE lock: writes to {table} wait until \
                             it is built"
                        ),
                    );
                }
            }
            b.requires.push(Key::Relation(table.clone()));
            for col in index_columns(index) {
                b.requires.push(Key::Column(table.clone(), col));
            }
            b.creates
                .push(Key::Constraint(table.clone(), index.name.clone()));
            let summary = if *concurrently {
                format!(
                    "create index {} on {table} concurrently",
                    ident(&index.name)
                )
            } else {
                format!("create index {} on {table}", ident(&index.name))
            };
            let mut node = b.finish(
                if *concurrently {
                    phase::AFTER_COMMIT
                } else {
                    phase::INDEX
                },
                Action::Create,
                index_ref(table, &index.name),
                summary,
            );
            node.step.transactional = !concurrently;
            node
        }
        TableChange::DropIndex { table, index } => {
            b.sql(format!(
                "DROP INDEX {}",
                qualified(&table.schema, &index.name)
            ));
            if !index.valid {
                b.details.push(
                    "invalid (a concurrent build failed or was interrupted): dropped and built again"
                        .into(),
                );
            }
            b.requires.push(Key::Relation(table.clone()));
            for col in index_columns(index) {
                b.requires.push(Key::Column(table.clone(), col));
            }
            b.drops
                .push(Key::Constraint(table.clone(), index.name.clone()));
            b.finish(
                phase::DROP_CONSTRAINT,
                Action::Drop,
                index_ref(table, &index.name),
                format!("drop index {} on {table}", ident(&index.name)),
            )
        }
        TableChange::RenameIndex { table, from, to } => {
            b.sql(format!(
                "ALTER INDEX {} RENAME TO {}",
                qualified(&table.schema, from),
                quote_ident(to)
            ));
            b.requires.push(Key::Relation(table.clone()));
            b.drops.push(Key::Constraint(table.clone(), from.clone()));
            b.creates.push(Key::Constraint(table.clone(), to.clone()));
            b.finish(
                phase::RENAME,
                Action::Alter,
                index_ref(table, to),
                format!("rename index {} on {table} to {}", ident(from), ident(to)),
            )
        }
        TableChange::SetIndexStorage {
            table,
            index,
            from,
            to,
        } => {
            let name = qualified(&table.schema, index);
            let set: Vec<String> = to
                .iter()
                .filter(|(k, v)| from.get(*k) != Some(*v))
                .map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v)))
                .collect();
            let reset: Vec<String> = from
                .keys()
                .filter(|k| !to.contains_key(*k))
                .map(|k| quote_ident(k))
                .collect();
            if !set.is_empty() {
                b.sql(format!("ALTER INDEX {name} SET ({})", set.join(", ")));
            }
            if !reset.is_empty() {
                b.sql(format!("ALTER INDEX {name} RESET ({})", reset.join(", ")));
            }
            for k in from
                .keys()
                .chain(to.keys().filter(|k| !from.contains_key(*k)))
            {
                if from.get(k) != to.get(k) {
                    b.details.push(format!(
                        "{k}: {} → {}",
                        from.get(k).map_or("(default)", String::as_str),
                        to.get(k).map_or("(default)", String::as_str)
                    ));
                }
            }
            b.details
                .push("applies to pages written from now on; no rebuild".into());
            b.requires.extend([
                Key::Relation(table.clone()),
                Key::Constraint(table.clone(), index.clone()),
            ]);
            b.finish(
                phase::INDEX,
                Action::Alter,
                index_ref(table, index),
                format!(
                    "set storage parameters of index {} on {table}",
                    ident(index)
                ),
            )
        }

        // -- policies ---------------------------------------------------------------
        TableChange::CreatePolicy { table, policy: p } => {
            b.sql(policy_sql(table, p));
            b.details.push(format!(
                "{} for {} to {}",
                if p.permissive {
                    "permissive"
                } else {
                    "restrictive"
                },
                policy_command(&p.command),
                roles_shown(&p.roles)
            ));
            b.hazard(
                HazardKind::AuthorizationChange,
                if p.permissive {
                    format!(
                        "{} may see or change the rows the policy allows",
                        roles_shown(&p.roles)
                    )
                } else {
                    format!(
                        "restricts the rows {} may see or change",
                        roles_shown(&p.roles)
                    )
                },
            );
            b.requires.push(Key::Relation(table.clone()));
            b.require_roles(&p.roles);
            b.creates.push(Key::Policy(table.clone(), p.name.clone()));
            b.finish(
                phase::POLICY,
                Action::Create,
                policy_ref(table, &p.name),
                format!("create policy {} on {table}", ident(&p.name)),
            )
        }
        TableChange::AlterPolicy { table, from, to } => {
            let mut sql = format!("ALTER POLICY {} ON {}", quote_ident(&to.name), qn(table));
            if sorted(&from.roles) != sorted(&to.roles) {
                sql.push_str(&format!(" TO {}", roles_sql(&to.roles)));
                b.details.push(format!(
                    "roles: {} → {}",
                    roles_shown(&from.roles),
                    roles_shown(&to.roles)
                ));
            }
            if from.using != to.using
                && let Some(u) = &to.using
            {
                sql.push_str(&format!(" USING ({u})"));
                b.details.push(format!(
                    "using: {} → {u}",
                    expr_shown(from.using.as_deref())
                ));
            }
            if from.with_check != to.with_check
                && let Some(c) = &to.with_check
            {
                sql.push_str(&format!(" WITH CHECK ({c})"));
                b.details.push(format!(
                    "with check: {} → {c}",
                    expr_shown(from.with_check.as_deref())
                ));
            }
            b.sql(sql);
            b.hazard(
                HazardKind::AuthorizationChange,
                "changes which rows the policy allows, or to whom".into(),
            );
            b.requires.extend([
                Key::Relation(table.clone()),
                Key::Policy(table.clone(), to.name.clone()),
            ]);
            b.require_roles(&from.roles);
            b.require_roles(&to.roles);
            b.finish(
                phase::POLICY,
                Action::Alter,
                policy_ref(table, &to.name),
                format!("alter policy {} on {table}", ident(&to.name)),
            )
        }
        TableChange::DropPolicy { table, policy: p } => {
            b.sql(format!(
                "DROP POLICY {} ON {}",
                quote_ident(&p.name),
                qn(table)
            ));
            b.hazard(
                HazardKind::AuthorizationChange,
                if p.permissive {
                    format!(
                        "rows only this policy allowed are no longer reachable for {}",
                        roles_shown(&p.roles)
                    )
                } else {
                    format!("its restriction on {} is lifted", roles_shown(&p.roles))
                },
            );
            b.requires.push(Key::Relation(table.clone()));
            b.require_roles(&p.roles);
            b.drops.push(Key::Policy(table.clone(), p.name.clone()));
            b.finish(
                phase::DROP_POLICY,
                Action::Drop,
                policy_ref(table, &p.name),
                format!("drop policy {} on {table}", ident(&p.name)),
            )
        }
    }
}

fn create_table(
    mut b: Builder,
    t: &Table,
    owner: Option<&String>,
    identity_sequences: &[(String, QualifiedName)],
) -> Node {
    let name = &t.name;
    let mut elements: Vec<String> = Vec::new();
    for c in &t.columns {
        let seq = identity_sequences
            .iter()
            .find(|(col, _)| col == &c.name)
            .map(|(_, s)| s);
        elements.push(column_sql(c, seq));
        b.require_type(&c.type_name);
        if let Some(d) = &c.default {
            b.require_sequences(d);
        }
        b.creates.push(Key::Column(name.clone(), c.name.clone()));
    }
    for c in t.constraints.values() {
        elements.push(constraint_sql(c));
        b.creates
            .push(Key::Constraint(name.clone(), c.name.clone()));
    }
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let mut sql = format!("CREATE {unlogged}TABLE {}", qn(name));
    let body = if elements.is_empty() {
        String::new()
    } else {
        format!(" (\n    {}\n)", elements.join(",\n    "))
    };
    match &t.partition_of {
        Some(p) => {
            sql.push_str(&format!(
                " PARTITION OF {}{body} {}",
                qn(&p.parent),
                p.bound
            ));
            b.details.push(format!("bound: {}", p.bound));
            b.requires.push(Key::Relation(p.parent.clone()));
        }
        None => {
            if body.is_empty() {
                sql.push_str(" ()");
            } else {
                sql.push_str(&body);
            }
        }
    }
    if let Some(by) = &t.partition_by {
        sql.push_str(&format!(" PARTITION BY {by}"));
        b.details.push(format!("partitioned by {by}"));
    }
    b.sql(sql);
    if !t.columns.is_empty() {
        b.details.push(format!(
            "columns: {}",
            t.columns
                .iter()
                .map(|c| ident(&c.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !t.constraints.is_empty() {
        b.details.push(format!(
            "constraints: {}",
            t.constraints
                .keys()
                .map(|c| ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if t.unlogged {
        b.details
            .push("unlogged: not crash-safe and not replicated".into());
    }
    let object = t.object_ref();
    b.owned_by(&object, owner);
    if t.row_level_security {
        b.sql(format!(
            "ALTER TABLE {} ENABLE ROW LEVEL SECURITY",
            qn(name)
        ));
        b.details.push("row level security: enabled".into());
    }
    if t.force_row_level_security {
        b.sql(format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", qn(name)));
        b.details.push("row level security: forced".into());
    }
    b.comment(&object, t.comment.as_ref());
    for c in &t.columns {
        if let Some(comment) = &c.comment {
            b.sql(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                qn(name),
                quote_ident(&c.name),
                quote_literal(comment)
            ));
        }
    }
    for c in t.constraints.values() {
        if let Some(comment) = &c.comment {
            b.sql(format!(
                "COMMENT ON CONSTRAINT {} ON {} IS {}",
                quote_ident(&c.name),
                qn(name),
                quote_literal(comment)
            ));
        }
    }
    for (_, seq) in identity_sequences {
        b.creates.push(Key::Relation(seq.clone()));
    }
    b.requires.push(Key::Schema(name.schema.clone()));
    b.creates.push(Key::Relation(name.clone()));
    let what = match (&t.partition_by, &t.partition_of) {
        (_, Some(p)) => format!("create partition {name} of {}", p.parent),
        (Some(_), None) => format!("create partitioned table {name}"),
        (None, None) => format!("create table {name}"),
    };
    b.finish(phase::CREATE_TABLE, Action::Create, object, what)
}

impl Builder {
    fn require_columns(&mut self, table: &QualifiedName, columns: &[String], grantee: &Grantee) {
        self.requires.push(Key::Relation(table.clone()));
        for c in columns {
            self.requires.push(Key::Column(table.clone(), c.clone()));
        }
        if let Some(r) = grantee.role_name() {
            self.requires.push(Key::Role(r.to_string()));
        }
    }

    fn require_roles(&mut self, roles: &[String]) {
        for r in roles {
            if r != "PUBLIC" {
                self.requires.push(Key::Role(r.clone()));
            }
        }
    }

    /// Details, hazard and keys of a generated column dropped and added again.
    fn recreated_column(&mut self, table: &QualifiedName, r: &RecreatedColumn) {
        let c = &r.column;
        let name = ident(&c.name);
        let kind = |v: bool| if v { "virtual" } else { "stored" };
        let kind_changes = r.from_generated.is_some() && r.from_virtual != c.generated_virtual;
        if kind_changes {
            self.details.push(format!(
                "{name}: {} → {} generated column",
                kind(r.from_virtual),
                kind(c.generated_virtual)
            ));
        }
        if r.from_generated != c.generated {
            self.details.push(format!(
                "{name}: generated {} → {}",
                expr_shown(r.from_generated.as_deref()),
                expr_shown(c.generated.as_deref())
            ));
        } else if !kind_changes {
            self.details.push(format!(
                "{name}: generated column dropped and added again around the type change"
            ));
        }
        self.details.push(format!(
            "{name}: dropped and added again (PostgreSQL 15 cannot change a generation \
             expression in place): the column moves to the end"
        ));
        if r.from_generated.is_none() {
            self.hazard(
                HazardKind::DeletesData,
                format!("the values of column {name} are replaced by the generated ones"),
            );
        }
        self.details.push(format!(
            "{name}: indexes and constraints on it (if any) are dropped with it and created again"
        ));
        self.require_type(&c.type_name);
        self.requires.push(Key::Relation(table.clone()));
        // What is built on the column again waits for it.
        self.creates
            .push(Key::Column(table.clone(), c.name.clone()));
    }

    fn index_details(&mut self, i: &Index) {
        let mut what = Vec::new();
        if i.unique {
            what.push("unique".to_string());
        }
        if i.method != "btree" {
            what.push(i.method.clone());
        }
        what.push(format!("on ({})", index_keys(i).join(", ")));
        self.details.push(what.join(" "));
        if let Some(p) = &i.predicate {
            self.details.push(format!("where {p}"));
        }
    }

    fn column_details(&mut self, c: &Column) {
        self.details.push(format!("type: {}", c.type_name));
        if let Some(coll) = &c.collation {
            self.details.push(format!("collation: {coll}"));
        }
        if c.not_null {
            self.details.push("not null".into());
        }
        if let Some(d) = &c.default {
            self.details.push(format!("default: {d}"));
        }
        if let Some(i) = &c.identity {
            self.details
                .push(format!("identity: {}", identity_kind(i.kind)));
        }
        if let Some(g) = &c.generated {
            let kind = if c.generated_virtual {
                " (virtual)"
            } else {
                ""
            };
            self.details.push(format!("generated{kind}: {g}"));
        }
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "always",
        IdentityKind::ByDefault => "by default",
    }
}

fn identity_kind_sql(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// `GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME s.n START WITH 10 …)`.
fn identity_sql(identity: &Identity, sequence: Option<&QualifiedName>) -> String {
    let mut options = Vec::new();
    if let Some(s) = sequence {
        options.push(format!("SEQUENCE NAME {}", qn(s)));
    }
    options.extend(sequence_options(&identity.options));
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" ({})", options.join(" "))
    };
    format!(
        "GENERATED {} AS IDENTITY{options}",
        identity_kind_sql(identity.kind)
    )
}

/// The options written out (the `None` ones are PostgreSQL's defaults anyway).
fn sequence_options(o: &SequenceOptions) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = o.increment {
        out.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = o.min_value {
        out.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = o.max_value {
        out.push(format!("MAXVALUE {v}"));
    }
    if let Some(v) = o.start {
        out.push(format!("START WITH {v}"));
    }
    if let Some(v) = o.cache {
        out.push(format!("CACHE {v}"));
    }
    if o.cycle {
        out.push("CYCLE".into());
    }
    out
}

/// The sequence options that differ once defaults are resolved, as `ALTER SEQUENCE`
/// (or `ALTER COLUMN … SET …`, with `prefix = "SET "`) clauses, and detail lines.
fn sequence_changes(
    from: &SequenceOptions,
    from_type: &str,
    to: &SequenceOptions,
    to_type: &str,
    prefix: &str,
) -> (Vec<String>, Vec<String>) {
    let a = effective_sequence(from, from_type);
    let z = effective_sequence(to, to_type);
    let mut sql = Vec::new();
    let mut details = Vec::new();
    if a.increment != z.increment {
        sql.push(format!("{prefix}INCREMENT BY {}", z.increment));
        details.push(format!("increment: {} → {}", a.increment, z.increment));
    }
    if a.min_value != z.min_value {
        sql.push(match to.min_value {
            Some(v) => format!("{prefix}MINVALUE {v}"),
            None => format!("{prefix}NO MINVALUE"),
        });
        details.push(format!("min value: {} → {}", a.min_value, z.min_value));
    }
    if a.max_value != z.max_value {
        sql.push(match to.max_value {
            Some(v) => format!("{prefix}MAXVALUE {v}"),
            None => format!("{prefix}NO MAXVALUE"),
        });
        details.push(format!("max value: {} → {}", a.max_value, z.max_value));
    }
    if a.start != z.start {
        sql.push(format!("{prefix}START WITH {}", z.start));
        details.push(format!(
            "start: {} → {} (the current value is not changed)",
            a.start, z.start
        ));
    }
    if a.cache != z.cache {
        sql.push(format!("{prefix}CACHE {}", z.cache));
        details.push(format!("cache: {} → {}", a.cache, z.cache));
    }
    if a.cycle != z.cycle {
        sql.push(format!(
            "{prefix}{}",
            if z.cycle { "CYCLE" } else { "NO CYCLE" }
        ));
        details.push(format!("cycle: {} → {}", a.cycle, z.cycle));
    }
    (sql, details)
}

/// One column of a `CREATE TABLE` / `ADD COLUMN`.
fn column_sql(c: &Column, identity_sequence: Option<&QualifiedName>) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.type_name);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", collation_sql(coll)));
    }
    if let Some(g) = &c.generated {
        let kind = if c.generated_virtual {
            "VIRTUAL"
        } else {
            "STORED"
        };
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) {kind}"));
    }
    if let Some(i) = &c.identity {
        s.push(' ');
        s.push_str(&identity_sql(i, identity_sequence));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if let Some(n) = &c.not_null_name {
        s.push_str(&format!(" CONSTRAINT {} NOT NULL", quote_ident(n)));
    } else if c.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

fn constraint_kind_name(kind: &ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::PrimaryKey { .. } => "primary key",
        ConstraintKind::Unique { .. } => "unique constraint",
        ConstraintKind::ForeignKey { .. } => "foreign key",
        ConstraintKind::Check { .. } => "check constraint",
        ConstraintKind::Exclusion { .. } => "exclusion constraint",
    }
}

/// Plain columns a constraint names (expressions are not parsed).
fn constraint_columns(c: &Constraint) -> Vec<String> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).cloned().collect(),
        ConstraintKind::ForeignKey { columns, .. } => columns.clone(),
        ConstraintKind::Check { .. } => Vec::new(),
        ConstraintKind::Exclusion { elements, .. } => {
            elements.iter().filter_map(|e| e.column.clone()).collect()
        }
    }
}

fn index_columns(i: &Index) -> Vec<String> {
    i.keys
        .iter()
        .filter_map(|k| k.column.clone())
        .chain(i.include.iter().cloned())
        .collect()
}

/// `CONSTRAINT name <definition> [DEFERRABLE [INITIALLY DEFERRED]]`.
fn constraint_sql(c: &Constraint) -> String {
    let def = match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            format!(
                "PRIMARY KEY ({}){}",
                column_list(columns),
                include_sql(include)
            )
        }
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => format!(
            "UNIQUE{} ({}){}",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            column_list(columns),
            include_sql(include)
        ),
        ConstraintKind::ForeignKey {
            columns,
            references,
            referenced_columns,
            on_update,
            on_delete,
            match_full,
        } => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                column_list(columns),
                qn(references)
            );
            if !referenced_columns.is_empty() {
                s.push_str(&format!(" ({})", column_list(referenced_columns)));
            }
            if *match_full {
                s.push_str(" MATCH FULL");
            }
            if *on_update != ForeignKeyAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", on_update.as_sql()));
            }
            if *on_delete != ForeignKeyAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", on_delete.as_sql()));
            }
            s
        }
        ConstraintKind::Check {
            expression,
            no_inherit,
        } => format!(
            "CHECK ({expression}){}",
            if *no_inherit { " NO INHERIT" } else { "" }
        ),
        ConstraintKind::Exclusion {
            method,
            elements,
            predicate,
        } => {
            let elements: Vec<String> = elements
                .iter()
                .map(|e| {
                    let target = match (&e.column, &e.expression) {
                        (Some(c), _) => quote_ident(c),
                        (None, Some(x)) => format!("({x})"),
                        (None, None) => String::new(),
                    };
                    format!("{target} WITH {}", operator_sql(&e.operator))
                })
                .collect();
            let mut s = format!(
                "EXCLUDE USING {} ({})",
                quote_ident(method),
                elements.join(", ")
            );
            if let Some(p) = predicate {
                s.push_str(&format!(" WHERE ({p})"));
            }
            s
        }
    };
    let mut s = format!("CONSTRAINT {} {def}", quote_ident(&c.name));
    if c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

/// Canonical operators are SQL already: `=`, `&&`, `OPERATOR(public.&&&)`; a bare
/// qualified one (`public.&&`) gets its `OPERATOR(…)`.
fn operator_sql(op: &str) -> String {
    if op.starts_with("OPERATOR(") {
        return op.to_string();
    }
    match op.split_once('.') {
        Some((schema, name)) => {
            format!("OPERATOR({}.{name})", quote_ident(schema.trim_matches('"')))
        }
        None => op.to_string(),
    }
}

/// `opclass` / `schema.opclass`, each part quoted.
fn qualified_name_sql(name: &str) -> String {
    match crate::sql::split_qualified(name) {
        Some(parts) => parts
            .iter()
            .map(|p| quote_ident(p))
            .collect::<Vec<_>>()
            .join("."),
        None => quote_ident(name),
    }
}

fn index_keys(i: &Index) -> Vec<String> {
    i.keys
        .iter()
        .map(|k| {
            let mut s = match (&k.column, &k.expression) {
                (Some(c), _) => quote_ident(c),
                (None, Some(x)) => format!("({x})"),
                (None, None) => String::new(),
            };
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {}", collation_sql(c)));
            }
            if let Some(o) = &k.opclass {
                s.push_str(&format!(" {}", qualified_name_sql(o)));
            }
            if k.descending {
                s.push_str(" DESC");
            }
            match k.nulls_first {
                Some(true) if !k.descending => s.push_str(" NULLS FIRST"),
                Some(false) if k.descending => s.push_str(" NULLS LAST"),
                _ => {}
            }
            s
        })
        .collect()
}

fn index_sql(table: &QualifiedName, i: &Index, concurrently: bool) -> String {
    let keys = index_keys(i);
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {} USING {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote_ident(&i.name),
        qn(table),
        quote_ident(&i.method),
        keys.join(", ")
    );
    s.push_str(&include_sql(&i.include));
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !i.with.is_empty() {
        let with: Vec<String> = i
            .with
            .iter()
            .map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v)))
            .collect();
        s.push_str(&format!(" WITH ({})", with.join(", ")));
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE ({p})"));
    }
    s
}

fn policy_command(command: &str) -> &'static str {
    match command.to_ascii_uppercase().as_str() {
        "SELECT" => "SELECT",
        "INSERT" => "INSERT",
        "UPDATE" => "UPDATE",
        "DELETE" => "DELETE",
        _ => "ALL",
    }
}

fn roles_sql(roles: &[String]) -> String {
    if roles.is_empty() {
        return "PUBLIC".into();
    }
    sorted(roles)
        .iter()
        .map(|r| {
            if r == "PUBLIC" {
                "PUBLIC".to_string()
            } else {
                quote_ident(r)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn roles_shown(roles: &[String]) -> String {
    if roles.is_empty() {
        "PUBLIC".into()
    } else {
        sorted(roles)
            .iter()
            .map(|r| if r == "PUBLIC" { r.clone() } else { ident(r) })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn policy_sql(table: &QualifiedName, p: &Policy) -> String {
    let mut s = format!("CREATE POLICY {} ON {}", quote_ident(&p.name), qn(table));
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    let command = policy_command(&p.command);
    if command != "ALL" {
        s.push_str(&format!(" FOR {command}"));
    }
    let roles = roles_sql(&p.roles);
    if roles != "PUBLIC" {
        s.push_str(&format!(" TO {roles}"));
    }
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    s
}

/// `SELECT (a, b), UPDATE (a, b)`.
fn column_privileges(privileges: &[Privilege], columns: &[String]) -> String {
    let cols = column_list(columns);
    privileges
        .iter()
        .map(|p| format!("{} ({cols})", p.as_sql()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether PostgreSQL rewrites the table for a column type change. It does not when the
/// stored bytes stay valid: a binary-coercible change (`varchar` ↔ `text`, `cidr` →
/// `inet`), or a type modifier that only widens (`varchar(10)` → `varchar(20)`,
/// `numeric(10,2)` → `numeric(12,2)`, `timestamp(3)` → `timestamp(6)`), which the
/// server's length-coercion support functions reduce to a relabel. A declared `USING`
/// is taken to rewrite.
fn type_change_rewrites(c: &ColumnTypeChange) -> bool {
    if c.using.is_some() {
        return true;
    }
    if c.from_type == c.to_type {
        return false;
    }
    let (from_base, from_mods) = split_typmod(&c.from_type);
    let (to_base, to_mods) = split_typmod(&c.to_type);
    let (Some(from_mods), Some(to_mods)) = (from_mods, to_mods) else {
        return true;
    };
    if from_base != to_base {
        let binary_coercible = matches!(
            (from_base.as_str(), to_base.as_str()),
            ("text", "character varying") | ("character varying", "text") | ("cidr", "inet")
        );
        return !(binary_coercible && to_mods.is_empty());
    }
    match from_base.as_str() {
        "character varying" | "bit varying" => {
            !(to_mods.is_empty() || (from_mods.len() == 1 && to_mods[0] >= from_mods[0]))
        }
        "numeric" => match (from_mods.as_slice(), to_mods.as_slice()) {
            (_, []) => false,
            ([p], [q]) => q < p,
            ([p, s], [q, t]) => !(s == t && q >= p),
            ([p], [q, 0]) => q < p,
            _ => true,
        },
        "timestamp without time zone"
        | "timestamp with time zone"
        | "time without time zone"
        | "time with time zone"
        | "interval" => {
            // No modifier means the maximum precision, 6.
            let from = from_mods.first().copied().unwrap_or(6);
            let to = to_mods.first().copied().unwrap_or(6);
            to < from
        }
        _ => true,
    }
}

/// `numeric(12,2)` → (`numeric`, [12, 2]); `timestamp(3) without time zone` →
/// (`timestamp without time zone`, [3]); `None` for modifiers that are not numbers.
fn split_typmod(t: &str) -> (String, Option<Vec<i64>>) {
    let Some(open) = t.find('(') else {
        return (t.to_string(), Some(Vec::new()));
    };
    let Some(close) = t[open..].find(')').map(|i| open + i) else {
        return (t.to_string(), None);
    };
    let base = format!("{}{}", &t[..open], &t[close + 1..]);
    let mods: Option<Vec<i64>> = t[open + 1..close]
        .split(',')
        .map(|m| m.trim().parse().ok())
        .collect();
    (base, mods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_operators_and_opclasses_are_quoted() {
        assert_eq!(operator_sql("&&"), "&&");
        assert_eq!(operator_sql("public.&&"), "OPERATOR(public.&&)");
        assert_eq!(operator_sql("OPERATOR(public.&&&)"), "OPERATOR(public.&&&)");
        assert_eq!(collation_sql("\"C\""), "\"C\"");
        assert_eq!(collation_sql("C"), "\"C\"");
        assert_eq!(collation_sql("public.german"), "public.german");
        assert_eq!(
            qualified_name_sql("public.gin_trgm_ops"),
            "public.gin_trgm_ops"
        );
        assert_eq!(qualified_name_sql("text_pattern_ops"), "text_pattern_ops");
    }
}
