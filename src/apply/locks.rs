//! The lock budget of a plan. Every object a DDL statement touches stays locked until
//! the transaction commits, in the server's shared lock table, whose size is fixed at
//! start: `max_locks_per_transaction` × (the server's backend slots +
//! `max_prepared_transactions`). A plan that needs more fails half-way with "out of
//! shared memory" after doing most of its work; apply refuses it up front instead.

use crate::model::{ObjectRef, RelationKind, TablePart};
use crate::plan::{Action, Plan};
use std::collections::BTreeSet;
use tokio_postgres::GenericClient;

/// Catalog relations and their indexes that DDL and the verifying re-read lock
/// (`pg_class`, `pg_attribute`, `pg_depend`, … and their indexes), measured with
/// `pg_locks` on PostgreSQL 14–18 with headroom.
const CATALOG_LOCKS: usize = 150;

/// How many lock-table entries the transaction of `plan` holds at its commit: each
/// relation it creates, alters or drops (a table with its TOAST table and index, and
/// the indexes that inline keys build), each index and constraint, each other object
/// (role, schema, type), plus the catalogs. An estimate that errs on the high side.
pub fn estimate(plan: &Plan) -> usize {
    let mut held: BTreeSet<(u8, String)> = BTreeSet::new();
    let mut extra = 0usize;
    for step in plan.steps.iter().filter(|s| s.transactional) {
        match &step.object {
            ObjectRef::Relation { kind, name } => {
                held.insert((0, name.to_string()));
                let table = matches!(kind, RelationKind::Table | RelationKind::PartitionedTable);
                if table && matches!(step.action, Action::Create | Action::Drop) {
                    // TOAST table and its index.
                    extra += 2;
                    extra += step.sql.iter().map(|s| inline_indexes(s)).sum::<usize>();
                    // Identity and serial columns own a sequence.
                    extra += step
                        .sql
                        .iter()
                        .map(|s| s.matches(" IDENTITY").count() + s.matches("serial").count())
                        .sum::<usize>();
                }
            }
            ObjectRef::TablePart { part, table, name } => {
                held.insert((0, table.to_string()));
                match part {
                    TablePart::Index | TablePart::Constraint => {
                        held.insert((1, format!("{table}.{name}")));
                        // A foreign key also locks the table it references.
                        extra += usize::from(step.sql.iter().any(|s| s.contains("REFERENCES")));
                    }
                    TablePart::Column | TablePart::Policy | TablePart::Trigger => {}
                }
            }
            other => {
                held.insert((2, format!("{other:?}")));
            }
        }
    }
    held.len() + extra + CATALOG_LOCKS
}

/// Indexes a `CREATE TABLE` statement builds for its inline keys.
fn inline_indexes(sql: &str) -> usize {
    sql.matches("PRIMARY KEY").count()
        + sql.matches("UNIQUE").count()
        + sql.matches("EXCLUDE").count()
}

/// The server's lock table and what other sessions hold in it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockTable {
    pub max_locks_per_transaction: i64,
    /// Backend slots plus prepared transactions: the multiplier of the setting.
    pub slots: i64,
    /// Entries other sessions hold (fast-path locks take none).
    pub in_use: i64,
}

impl LockTable {
    pub fn capacity(&self) -> i64 {
        self.max_locks_per_transaction * self.slots
    }

    /// The smallest `max_locks_per_transaction` that makes room for `needed` more.
    pub fn setting_for(&self, needed: usize) -> i64 {
        let needed = i64::try_from(needed).unwrap_or(i64::MAX);
        let slots = self.slots.max(1);
        (needed + self.in_use + slots - 1) / slots
    }
}

/// Reads the lock table's size as PostgreSQL computes it (`NLOCKENTS`: the setting ×
/// (`MaxBackends` + `max_prepared_transactions`), where `MaxBackends` counts
/// connections, autovacuum workers, background workers, WAL senders and the launcher).
pub async fn read(client: &impl GenericClient) -> Result<LockTable, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT pg_catalog.current_setting('max_locks_per_transaction')::int8,
                    pg_catalog.current_setting('max_connections')::int8
                    + pg_catalog.current_setting('max_prepared_transactions')::int8
                    + pg_catalog.current_setting('max_worker_processes')::int8
                    + pg_catalog.current_setting('max_wal_senders')::int8
                    + COALESCE(pg_catalog.current_setting('autovacuum_worker_slots', true),
                               pg_catalog.current_setting('autovacuum_max_workers'))::int8
                    + 1,
                    (SELECT count(*) FROM pg_catalog.pg_locks
                      WHERE NOT fastpath AND pid IS DISTINCT FROM pg_catalog.pg_backend_pid())",
            &[],
        )
        .await?;
    Ok(LockTable {
        max_locks_per_transaction: row.get(0),
        slots: row.get(1),
        in_use: row.get(2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_to_raise_makes_room() {
        let t = LockTable {
            max_locks_per_transaction: 64,
            slots: 122,
            in_use: 100,
        };
        assert_eq!(t.capacity(), 7808);
        let s = t.setting_for(10_000);
        assert!(s * 122 >= 10_100 && (s - 1) * 122 < 10_100);
    }

    #[test]
    fn inline_keys_are_counted() {
        assert_eq!(
            inline_indexes("CREATE TABLE a (id int PRIMARY KEY, e text UNIQUE)"),
            2
        );
    }
}
