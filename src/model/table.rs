//! Tables; their columns, constraints, indexes and policies, and the types they need
//! (sequences, enums, domains, extensions), each have a file of their own.
//!
//! Canonical text: type names are `format_type` output (`integer`, `character
//! varying(20)`, `timestamp(3) with time zone`, `general.mood`, `integer[]`), and SQL
//! expressions are `pg_get_expr` output read with `search_path = ''` (so every
//! non-`pg_catalog` name is schema-qualified). The live side reads them that way; the
//! desired side is brought to the same form by `canon` (server-side, in a transaction
//! that is rolled back). Fields marked "desired only" are instructions, not state, and are
//! ignored when comparing.

use super::{Column, Constraint, Index, Policy, QualifiedName, Trigger};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    /// Desired only: the table's previous name in the same schema; turns drop + create
    /// into `ALTER TABLE … RENAME TO`.
    pub renamed_from: Option<String>,
    // Owner and table-level grants live in `Catalog.relations` like every relation's.
    pub comment: Option<String>,
    pub unlogged: bool,
    /// In declared order (live: `attnum` order, dropped columns skipped).
    pub columns: Vec<Column>,
    /// Primary key, unique, foreign key, check and exclusion constraints by name. NOT NULL
    /// is a column property, not listed here.
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that do not back a constraint, by name.
    pub indexes: BTreeMap<String, Index>,
    pub row_level_security: bool,
    pub force_row_level_security: bool,
    pub policies: BTreeMap<String, Policy>,
    /// Triggers (not internal ones; a partition lists none cloned from its parent's).
    pub triggers: BTreeMap<String, Trigger>,
    /// Set when this table is partitioned: `RANGE (created_at)`, as
    /// `pg_get_partkeydef` prints it.
    pub partition_by: Option<String>,
    /// Set when this table is a partition. A partition's `columns`, and the constraints
    /// and indexes it inherits, are empty on both sides: they belong to the parent.
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (…)`: the parents of a table that is not a partition, in `inhseqno`
    /// order. The columns, CHECK constraints and NOT NULLs it inherits are the parents'
    /// and not listed on either side; a column both inherited and its own stays listed.
    pub inherits: Vec<QualifiedName>,
}

impl Table {
    pub fn new(name: QualifiedName) -> Self {
        Table {
            name,
            renamed_from: None,
            comment: None,
            unlogged: false,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            row_level_security: false,
            force_row_level_security: false,
            policies: BTreeMap::new(),
            triggers: BTreeMap::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Its parents: the partitioned table it is a partition of, or those it inherits.
    pub fn parents(&self) -> impl Iterator<Item = &QualifiedName> {
        self.partition_of
            .as_ref()
            .map(|p| &p.parent)
            .into_iter()
            .chain(&self.inherits)
    }

    /// The table as an object reference (partitioned or not).
    pub fn object_ref(&self) -> super::ObjectRef {
        super::ObjectRef::Relation {
            kind: if self.partition_by.is_some() {
                super::RelationKind::PartitionedTable
            } else {
                super::RelationKind::Table
            },
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// `FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')` / `DEFAULT`, as
    /// `pg_get_expr(relpartbound)` prints it.
    pub bound: String,
}
