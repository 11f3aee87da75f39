//! Table constraints: add (foreign keys in their own phase), validate, drop, rename.

use crate::ddl::constraint::constraint_sql;
use crate::model::*;
use crate::plan::builder::{
    Builder, alter_table, constraint_index_keys, constraint_ref, ident, index_name, qn,
};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn add_constraint(
    table: &QualifiedName,
    c: &Constraint,
    not_valid: bool,
    new_table: bool,
    referenced_key: &Option<String>,
    reason: &Option<String>,
) -> Node {
    let mut b = Builder::default();
    let suffix = if not_valid { " NOT VALID" } else { "" };
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
    if not_valid && !c.validated {
        b.details.push(
            "declared not_valid: added NOT VALID and never validated (existing rows are \
             not checked)"
                .into(),
        );
    } else if not_valid {
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
            ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } if !not_valid => {
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
    b.creates.extend(constraint_index_keys(table, c));
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

pub(super) fn validate_constraint(table: &QualifiedName, c: &Constraint) -> Node {
    let mut b = Builder::default();
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

pub(super) fn drop_constraint(
    table: &QualifiedName,
    c: &Constraint,
    drop_not_null: &[String],
    referenced_key: &Option<String>,
    reason: &Option<String>,
) -> Node {
    let mut b = Builder::default();
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
    b.drops.extend(constraint_index_keys(table, c));
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

pub(super) fn rename_constraint(table: &QualifiedName, from: &str, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(alter_table(
        table,
        &[format!(
            "RENAME CONSTRAINT {} TO {}",
            quote_ident(from),
            quote_ident(to)
        )],
    ));
    b.requires.push(Key::Relation(table.clone()));
    b.drops
        .push(Key::Constraint(table.clone(), from.to_string()));
    b.creates
        .push(Key::Constraint(table.clone(), to.to_string()));
    // The index of a key constraint is renamed with it (for other constraints the
    // wait is harmless).
    b.drops.push(index_name(table, from));
    b.creates.push(index_name(table, to));
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
