//! Chunking under the lock budget: the scratch tables of one transaction hold their
//! locks until it ends, so they are created, read back and rolled back chunk by chunk.

use super::CanonError;
use super::error::db_error;
use super::work::Work;
use crate::model::*;
use std::collections::BTreeMap;
use tokio_postgres::GenericClient;

/// How many locks one chunk of scratch tables may take: half of the server's lock table
/// (`max_locks_per_transaction` × (`max_connections` + `max_prepared_transactions`)),
/// which is shared with every other session.
pub(super) async fn lock_budget(client: &impl GenericClient) -> Result<usize, CanonError> {
    let row = client
        .query_one(
            "SELECT (pg_catalog.current_setting('max_locks_per_transaction')::int8
                     * (pg_catalog.current_setting('max_connections')::int8
                        + pg_catalog.current_setting('max_prepared_transactions')::int8))",
            &[],
        )
        .await
        .map_err(|e| db_error(&e))?;
    let capacity: i64 = row.get(0);
    Ok(usize::try_from(capacity / 2).unwrap_or(usize::MAX).max(200))
}

impl Work {
    /// The tables to copy, in chunks small enough for the lock table: every table a
    /// transaction creates stays locked until it ends (about four locks a table, with its
    /// TOAST table and indexes), so thousands of tables in one go exhaust
    /// `max_locks_per_transaction`. Each chunk is created in a savepoint, read back and
    /// rolled back, which releases its locks. A partition or inheritance tree stays in one chunk.
    pub(super) fn chunks(
        &self,
        desired: &Catalog,
        live: &Catalog,
        lock_budget: usize,
    ) -> Vec<Vec<QualifiedName>> {
        let table_of = |n: &QualifiedName| desired.tables.get(n).or_else(|| live.tables.get(n));
        let root = |n: &QualifiedName| {
            let mut cur = n.clone();
            for _ in 0..64 {
                // An inheriting table follows its first parent: a tree stays together.
                match table_of(&cur).and_then(|t| t.parents().next()) {
                    Some(p) if self.tables.contains(p) || self.live_parents.contains(p) => {
                        cur = p.clone()
                    }
                    _ => break,
                }
            }
            cur
        };
        let mut families: BTreeMap<QualifiedName, Vec<QualifiedName>> = BTreeMap::new();
        for n in self.tables.iter().chain(&self.live_parents) {
            families.entry(root(n)).or_default().push(n.clone());
        }
        let locks = |n: &QualifiedName| {
            table_of(n).map_or(1, |t| {
                let exclusions = t
                    .constraints
                    .values()
                    .filter(|c| matches!(c.kind, ConstraintKind::Exclusion { .. }))
                    .count();
                let identities = t.columns.iter().filter(|c| c.identity.is_some()).count();
                // The table, its TOAST table and index, and what hangs off it.
                3 + t.indexes.len() + exclusions + identities
            })
        };
        let mut chunks: Vec<Vec<QualifiedName>> = Vec::new();
        let mut used = 0;
        for members in families.into_values() {
            let cost: usize = members.iter().map(locks).sum();
            if chunks.is_empty() || (used + cost > lock_budget && used > 0) {
                chunks.push(Vec::new());
                used = 0;
            }
            used += cost;
            chunks.last_mut().expect("a chunk").extend(members);
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_lock_budget_and_keep_partition_trees_together() {
        let mut desired = Catalog::default();
        let mut add = |name: &str, parent: Option<&str>, indexes: usize| {
            let mut t = Table::new(QualifiedName::new("s", name));
            t.columns.push(Column::new("a", "int"));
            t.partition_of = parent.map(|p| PartitionOf {
                parent: QualifiedName::new("s", p),
                bound: "DEFAULT".into(),
            });
            for i in 0..indexes {
                t.indexes.insert(
                    format!("{name}_{i}"),
                    Index {
                        name: format!("{name}_{i}"),
                        renamed_from: None,
                        unique: false,
                        nulls_not_distinct: false,
                        method: "btree".into(),
                        keys: vec![],
                        include: vec![],
                        predicate: None,
                        with: BTreeMap::new(),
                        concurrently: false,
                        valid: true,
                        comment: None,
                    },
                );
            }
            desired.tables.insert(t.name.clone(), t);
        };
        for i in 0..10 {
            add(&format!("t{i}"), None, 1); // 4 locks each
        }
        add("p", None, 0);
        add("p_1", Some("p"), 0);
        add("p_1_a", Some("p_1"), 0);
        add("p_2", Some("p"), 0);
        let live = Catalog::default();
        let work = Work::plan(&desired, &live, &[]);
        assert_eq!(work.tables.len(), 14);
        let chunks = work.chunks(&desired, &live, 8);
        let all: usize = chunks.iter().map(Vec::len).sum();
        assert_eq!(all, 14);
        let family: Vec<&Vec<QualifiedName>> = chunks
            .iter()
            .filter(|c| c.iter().any(|n| n.name.starts_with('p')))
            .collect();
        assert_eq!(family.len(), 1, "{chunks:?}");
        assert_eq!(
            family[0].iter().filter(|n| n.name.starts_with('p')).count(),
            4
        );
        for c in &chunks {
            let plain = c.iter().filter(|n| n.name.starts_with('t')).count();
            assert!(plain <= 2, "{chunks:?}");
        }
        // One chunk when the budget allows.
        assert_eq!(work.chunks(&desired, &live, 10_000).len(), 1);
    }
}
