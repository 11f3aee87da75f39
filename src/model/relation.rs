//! Relations (tables, views, sequences, …) as objects with an owner and grants; a
//! table's definition is a `Table`.

use super::{Acl, ObjectKind, QualifiedName};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
    Sequence,
}

impl RelationKind {
    /// The privilege class the relation belongs to (GRANT … ON TABLE vs ON SEQUENCE).
    pub fn object_kind(self) -> ObjectKind {
        match self {
            RelationKind::Sequence => ObjectKind::Sequence,
            _ => ObjectKind::Table,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::PartitionedTable => "partitioned table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized view",
            RelationKind::ForeignTable => "foreign table",
            RelationKind::Sequence => "sequence",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub name: QualifiedName,
    pub kind: RelationKind,
    /// `None` (desired) means the owner is not managed.
    pub owner: Option<String>,
    /// Desired: grants declared on this object, added to the schema's object grants.
    /// Live: the object's grants without the owner's implicit privileges.
    pub acl: Acl,
}
