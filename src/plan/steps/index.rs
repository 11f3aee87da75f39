//! Indexes: create (concurrently after the commit, or in the transaction), drop,
//! rename, storage parameters.

use crate::ddl::index::{create_index as create_index_sql, key_sql};
use crate::model::*;
use crate::plan::builder::{Builder, ident, index_name, index_ref};
use crate::plan::{Action, Exec, HazardKind, Key, Node, phase};
use crate::sql::{qualified, quote_ident, quote_literal};
use std::collections::BTreeMap;

pub(super) fn create_index(
    table: &QualifiedName,
    index: &Index,
    concurrently: bool,
    new_table: bool,
) -> Node {
    let mut b = Builder::default();
    let statement = index_sql(table, index, concurrently);
    let comment = index.comment.as_ref().map(|c| {
        format!(
            "COMMENT ON INDEX {} IS {}",
            qualified(&table.schema, &index.name),
            quote_literal(c)
        )
    });
    b.index_details(index);
    if concurrently {
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
    for e in index.keys.iter().filter_map(|k| k.expression.as_deref()) {
        b.require_calls(e);
    }
    b.creates
        .push(Key::Constraint(table.clone(), index.name.clone()));
    b.creates.push(index_name(table, &index.name));
    let summary = if concurrently {
        format!(
            "create index {} on {table} concurrently",
            ident(&index.name)
        )
    } else {
        format!("create index {} on {table}", ident(&index.name))
    };
    let mut node = b.finish(
        if concurrently {
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

pub(super) fn drop_index(table: &QualifiedName, index: &Index) -> Node {
    let mut b = Builder::default();
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
    for e in index.keys.iter().filter_map(|k| k.expression.as_deref()) {
        b.require_calls(e);
    }
    b.drops
        .push(Key::Constraint(table.clone(), index.name.clone()));
    b.drops.push(index_name(table, &index.name));
    b.finish(
        phase::DROP_CONSTRAINT,
        Action::Drop,
        index_ref(table, &index.name),
        format!("drop index {} on {table}", ident(&index.name)),
    )
}

pub(super) fn rename_index(table: &QualifiedName, from: &str, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER INDEX {} RENAME TO {}",
        qualified(&table.schema, from),
        quote_ident(to)
    ));
    b.requires.push(Key::Relation(table.clone()));
    b.drops
        .push(Key::Constraint(table.clone(), from.to_string()));
    b.creates
        .push(Key::Constraint(table.clone(), to.to_string()));
    b.drops.push(index_name(table, from));
    b.creates.push(index_name(table, to));
    b.finish(
        phase::RENAME,
        Action::Alter,
        index_ref(table, to),
        format!("rename index {} on {table} to {}", ident(from), ident(to)),
    )
}

pub(super) fn set_index_storage(
    table: &QualifiedName,
    index: &str,
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Node {
    let mut b = Builder::default();
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
        Key::Constraint(table.clone(), index.to_string()),
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

impl Builder {
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
}

fn index_columns(i: &Index) -> Vec<String> {
    i.keys
        .iter()
        .filter_map(|k| k.column.clone())
        .chain(i.include.iter().cloned())
        .collect()
}

/// `opclass` / `schema.opclass`, each part quoted.
pub(super) fn qualified_name_sql(name: &str) -> String {
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
        .map(|k| key_sql(k, k.opclass.as_deref().map(qualified_name_sql).as_deref()))
        .collect()
}

fn index_sql(table: &QualifiedName, i: &Index, concurrently: bool) -> String {
    let storage: Vec<String> = i
        .with
        .iter()
        .map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v)))
        .collect();
    create_index_sql(
        table,
        i,
        concurrently,
        &quote_ident(&i.method),
        &index_keys(i),
        &storage,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opclasses_are_quoted() {
        assert_eq!(
            qualified_name_sql("public.gin_trgm_ops"),
            "public.gin_trgm_ops"
        );
        assert_eq!(qualified_name_sql("text_pattern_ops"), "text_pattern_ops");
    }
}
