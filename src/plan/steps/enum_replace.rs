//! An enum whose labels are removed or reordered, replaced in one step: the new type
//! under a temporary name, the columns moved to it through text, the old type dropped,
//! the new one renamed, its live owner, grants and comment restored (the declared ones
//! are separate steps after it), the defaults set again.
//!
//! Ordering: the step drops and creates the type and each column it moves, so what
//! uses the old ones and drops something runs before it (the views re-created around
//! it, a column dropped, a type change away from the enum) and everything else after.

use crate::ddl::enum_type::{create_enum as create_enum_sql, enum_labels};
use crate::diff::builtin_default;
use crate::diff::tables::MovedColumn;
use crate::model::*;
use crate::plan::builder::{Builder, alter_table, ident, privilege_list, qn};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};
use std::collections::BTreeMap;

pub(super) fn replace_enum(
    e: &EnumType,
    live: &EnumType,
    temp_name: &str,
    columns: &[MovedColumn],
) -> Node {
    let mut b = Builder::default();
    let name = &e.name;
    let temp = QualifiedName::new(&name.schema, temp_name);
    b.sql(create_enum_sql(&temp, &e.values));
    let mut by_table: BTreeMap<&QualifiedName, Vec<&MovedColumn>> = BTreeMap::new();
    for c in columns {
        by_table.entry(&c.table).or_default().push(c);
    }
    for (table, moved) in &by_table {
        let mut parts = Vec::new();
        for c in moved {
            let col = quote_ident(&c.column);
            if c.drop_default {
                parts.push(format!("ALTER COLUMN {col} DROP DEFAULT"));
            }
            let dims = "[]".repeat(c.type_name.trim_end().matches("[]").count());
            let to = format!("{}{dims}", qn(&temp));
            parts.push(format!(
                "ALTER COLUMN {col} TYPE {to} USING {col}::text::{to}"
            ));
            b.drops
                .push(Key::Column((*table).clone(), c.column.clone()));
            b.creates
                .push(Key::Column((*table).clone(), c.column.clone()));
        }
        b.sql(alter_table(table, &parts));
        b.requires.push(Key::Relation((*table).clone()));
        b.rewrite(table);
    }
    b.sql(format!("DROP TYPE {}", qn(name)));
    b.sql(format!(
        "ALTER TYPE {} RENAME TO {}",
        qn(&temp),
        quote_ident(&name.name)
    ));
    let object = ObjectRef::Type {
        kind: TypeKind::Enum,
        name: name.clone(),
    };
    if let Some(owner) = &live.owner {
        b.sql(format!(
            "ALTER TYPE {} OWNER TO {}",
            qn(name),
            quote_ident(owner)
        ));
    }
    restore_acl(&mut b, name, live.acl.as_ref());
    if let Some(comment) = &live.comment {
        b.sql(format!(
            "COMMENT ON TYPE {} IS {}",
            qn(name),
            quote_literal(comment)
        ));
    }
    for c in columns {
        if let Some(d) = &c.set_default {
            b.sql(alter_table(
                &c.table,
                &[format!(
                    "ALTER COLUMN {} SET DEFAULT {d}",
                    quote_ident(&c.column)
                )],
            ));
            b.require_sequences(d);
        }
    }
    details(&mut b, e, live, temp_name, columns);
    b.requires.push(Key::Schema(name.schema.clone()));
    b.drops.push(Key::Type(name.clone()));
    b.creates.push(Key::Type(name.clone()));
    b.finish(
        phase::TYPE,
        Action::Alter,
        object,
        format!("replace enum {name} (labels removed or reordered)"),
    )
}

/// The live grants on the new type, which starts from PostgreSQL's default.
fn restore_acl(b: &mut Builder, name: &QualifiedName, acl: Option<&Acl>) {
    let Some(acl) = acl else { return };
    if *acl == builtin_default(ObjectKind::Type) {
        return;
    }
    b.sql(format!("REVOKE ALL ON TYPE {} FROM PUBLIC", qn(name)));
    for (grantee, privileges) in &acl.0 {
        for (grantable, option) in [(false, ""), (true, " WITH GRANT OPTION")] {
            let list: Vec<Privilege> = privileges
                .iter()
                .filter(|(_, g)| **g == grantable)
                .map(|(p, _)| *p)
                .collect();
            if !list.is_empty() {
                b.sql(format!(
                    "GRANT {} ON TYPE {} TO {}{option}",
                    privilege_list(&list),
                    qn(name),
                    grantee.to_sql()
                ));
            }
        }
        if let Some(role) = grantee.role_name() {
            b.requires.push(Key::Role(role.to_string()));
        }
    }
}

fn details(b: &mut Builder, e: &EnumType, live: &EnumType, temp_name: &str, moved: &[MovedColumn]) {
    b.details.push(format!(
        "labels: {} → {}",
        enum_labels(&live.values).join(", "),
        enum_labels(&e.values).join(", ")
    ));
    let removed: Vec<String> = live
        .values
        .iter()
        .filter(|v| !e.values.contains(v))
        .map(|v| quote_literal(v))
        .collect();
    b.details.push(format!(
        "created as {}, the columns moved to it through text, the old type dropped, the new \
         one renamed; owner, grants and comment kept",
        ident(temp_name)
    ));
    let columns: Vec<String> = moved
        .iter()
        .map(|c| format!("{}.{}", c.table, ident(&c.column)))
        .collect();
    if !columns.is_empty() {
        b.details.push(format!("columns: {}", columns.join(", ")));
    }
    if moved.iter().any(|c| c.drop_default) {
        b.details
            .push("defaults are dropped before the change and set again after".into());
    }
    let message = if removed.is_empty() {
        format!(
            "replaces enum {}: its labels sort in the new order (comparisons, ORDER BY and \
             indexes on its columns)",
            e.name
        )
    } else {
        format!(
            "replaces enum {} without label{} {}: the apply fails and rolls back if a row \
             still holds one",
            e.name,
            if removed.len() == 1 { "" } else { "s" },
            removed.join(", ")
        )
    };
    b.hazard(HazardKind::DeletesData, message);
}
