//! Columns of existing tables: add, drop, rename, type, default, NOT NULL, generated.

use super::identity::identity_kind;
use crate::ddl::collation_sql;
use crate::ddl::column::column_sql;
use crate::diff::tables::{ColumnTypeChange, RecreatedColumn};
use crate::model::*;
use crate::plan::builder::{
    Builder, alter_table, column_ref, expr_shown, ident, ident_list, qn, table_ref,
};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

/// Name of the temporary check that proves a column has no NULLs before `SET NOT NULL`.
const NOT_NULL_CHECK: &str = "pgrecon_not_null_check";

pub(super) fn add_column(
    table: &QualifiedName,
    c: &Column,
    identity_sequence: &Option<QualifiedName>,
    heirs: &[QualifiedName],
) -> Node {
    let mut b = Builder::default();
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
            format!("fills the new column for every row of {table}: the table is rewritten"),
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
    b.require_collation(c.collation.as_deref());
    if let Some(d) = &c.default {
        b.require_sequences(d);
    }
    b.requires.push(Key::Relation(table.clone()));
    b.creates.push(Key::Column(table.clone(), c.name.clone()));
    // It appears in the tables that inherit it: after a drop of theirs of that name.
    for heir in heirs {
        b.creates.push(Key::Column(heir.clone(), c.name.clone()));
    }
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

pub(super) fn drop_column(table: &QualifiedName, c: &Column, heirs: &[QualifiedName]) -> Node {
    let mut b = Builder::default();
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
    b.require_collation(c.collation.as_deref());
    if let Some(d) = &c.default {
        b.require_sequences(d);
    }
    b.requires.push(Key::Relation(table.clone()));
    b.drops.push(Key::Column(table.clone(), c.name.clone()));
    // It leaves the tables that inherit it: before a column of theirs of that name is
    // added.
    for heir in heirs {
        b.drops.push(Key::Column(heir.clone(), c.name.clone()));
    }
    if !heirs.is_empty() {
        let names: Vec<String> = heirs.iter().map(ToString::to_string).collect();
        b.details.push(format!(
            "also drops it from the tables that inherit it: {}",
            names.join(", ")
        ));
    }
    b.finish(
        phase::DROP_COLUMN,
        Action::Drop,
        column_ref(table, &c.name),
        format!("drop column {} from table {table}", ident(&c.name)),
    )
}

pub(super) fn rename_column(table: &QualifiedName, from: &str, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        qn(table),
        quote_ident(from),
        quote_ident(to)
    ));
    b.requires.push(Key::Relation(table.clone()));
    b.drops.push(Key::Column(table.clone(), from.to_string()));
    b.creates.push(Key::Column(table.clone(), to.to_string()));
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

pub(super) fn alter_column_types(
    table: &QualifiedName,
    columns: &[ColumnTypeChange],
    recreate_generated: &[RecreatedColumn],
) -> Node {
    let mut b = Builder::default();
    let mut parts = Vec::new();
    let mut rebuilt: Vec<String> = Vec::new();
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
            parts.push(format!(
                "ALTER COLUMN {col} SET DEFAULT {}",
                crate::ddl::expression::reparsable(d)
            ));
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
        b.require_collation(c.to_collation.as_deref());
        b.require_column(table, &c.column);
        if c.off_replaced_enum {
            // Before the enum it leaves is replaced (see `enum_replace`).
            b.drops.push(Key::Column(table.clone(), c.column.clone()));
            b.creates.push(Key::Column(table.clone(), c.column.clone()));
        }
        if !c.rebuilt_views.is_empty() {
            // The views that read it are dropped before (they use the old column) and
            // created again after (they use the new one).
            b.drops.push(Key::Column(table.clone(), c.column.clone()));
            b.creates.push(Key::Column(table.clone(), c.column.clone()));
            rebuilt.extend(c.rebuilt_views.iter().map(ToString::to_string));
        }
    }
    if !rebuilt.is_empty() {
        rebuilt.sort();
        rebuilt.dedup();
        b.details.push(format!(
            "views that read the changed columns are dropped before and created again \
             after, in the same transaction: {}",
            rebuilt.join(", ")
        ));
        b.hazard(
            HazardKind::AccessExclusiveLock,
            format!(
                "{} read the changed columns: dropped and created again around the change \
                 (with their grants and comments), unavailable until the transaction commits",
                rebuilt.join(", ")
            ),
        );
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

pub(super) fn set_column_default(
    table: &QualifiedName,
    column: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> Node {
    let mut b = Builder::default();
    let col = quote_ident(column);
    match to {
        Some(d) => b.sql(alter_table(
            table,
            &[format!(
                "ALTER COLUMN {col} SET DEFAULT {}",
                crate::ddl::expression::reparsable(d)
            )],
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
    let slot = Key::ColumnDefault(table.clone(), column.to_string());
    if from.is_some() {
        b.drops.push(slot.clone());
    }
    if to.is_some() {
        b.creates.push(slot);
    }
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

pub(super) fn set_not_null(
    table: &QualifiedName,
    column: &str,
    partitioned: bool,
    name: &Option<String>,
) -> Node {
    let mut b = Builder::default();
    let col = quote_ident(column);
    // A declared name needs the PostgreSQL 18 form; SET NOT NULL picks its own.
    let set_not_null = match name {
        Some(n) => format!("ADD CONSTRAINT {} NOT NULL {col}", quote_ident(n)),
        None => format!("ALTER COLUMN {col} SET NOT NULL"),
    };
    if partitioned {
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

pub(super) fn rename_not_null(table: &QualifiedName, column: &str, from: &str, to: &str) -> Node {
    let mut b = Builder::default();
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

pub(super) fn drop_not_null(table: &QualifiedName, column: &str) -> Node {
    let mut b = Builder::default();
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

pub(super) fn drop_expression(table: &QualifiedName, column: &str) -> Node {
    let mut b = Builder::default();
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

pub(super) fn recreate_column(
    table: &QualifiedName,
    c: &Column,
    from_generated: &Option<String>,
    from_virtual: bool,
) -> Node {
    let mut b = Builder::default();
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
            from_virtual,
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

impl Builder {
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
        self.require_collation(c.collation.as_deref());
        self.requires.push(Key::Relation(table.clone()));
        // What is built on the column again waits for it.
        self.creates
            .push(Key::Column(table.clone(), c.name.clone()));
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
