//! Identity columns: add, drop, alter.

use super::sequence::sequence_changes;
use crate::ddl::column::{identity_kind_sql, identity_sql};
use crate::diff::tables::effective_sequence;
use crate::model::*;
use crate::plan::builder::{Builder, alter_table, column_ref, ident, qn};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn add_identity(
    table: &QualifiedName,
    column: &str,
    type_name: &str,
    identity: &Identity,
    sequence: &QualifiedName,
) -> Node {
    let mut b = Builder::default();
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
        b.details
            .push("the sequence continues after the column's largest existing value".into());
    }
    b.require_column(table, column);
    b.creates.push(Key::Relation(sequence.clone()));
    b.creates
        .push(Key::ColumnDefault(table.clone(), column.to_string()));
    b.finish(
        phase::COLUMN,
        Action::Alter,
        column_ref(table, column),
        format!("add identity to column {} of table {table}", ident(column)),
    )
}

pub(super) fn drop_identity(
    table: &QualifiedName,
    column: &str,
    sequence: Option<&QualifiedName>,
) -> Node {
    let mut b = Builder::default();
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
    b.drops
        .push(Key::ColumnDefault(table.clone(), column.to_string()));
    // A sequence created under its name (a serial column's) comes after.
    b.drops.extend(sequence.map(|s| Key::Relation(s.clone())));
    b.finish(
        phase::COLUMN,
        Action::Alter,
        column_ref(table, column),
        format!("drop identity of column {} of table {table}", ident(column)),
    )
}

pub(super) fn alter_identity(
    table: &QualifiedName,
    column: &str,
    type_name: &str,
    from: &Identity,
    to: &Identity,
) -> Node {
    let mut b = Builder::default();
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

pub(super) fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "always",
        IdentityKind::ByDefault => "by default",
    }
}
