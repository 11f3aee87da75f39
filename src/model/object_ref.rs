//! References to objects of any kind, as plan steps declare what they create, require
//! and drop.

use super::{FunctionId, QualifiedName, RelationKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A reference to any object that can be created, altered, granted on or dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObjectRef {
    Database {
        name: String,
    },
    Role {
        name: String,
    },
    Schema {
        name: String,
    },
    Relation {
        kind: RelationKind,
        name: QualifiedName,
    },
    Function {
        id: FunctionId,
    },
    /// A column, constraint, index, policy or trigger of a table.
    TablePart {
        part: TablePart,
        table: QualifiedName,
        name: String,
    },
    Type {
        kind: TypeKind,
        name: QualifiedName,
    },
    Extension {
        name: String,
    },
    Collation {
        name: QualifiedName,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TablePart {
    Column,
    Constraint,
    Index,
    Policy,
    Trigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    Enum,
    Domain,
    Composite,
    Range,
}

impl ObjectRef {
    pub fn role(name: &str) -> Self {
        ObjectRef::Role {
            name: name.to_string(),
        }
    }
    pub fn schema(name: &str) -> Self {
        ObjectRef::Schema {
            name: name.to_string(),
        }
    }
    /// A column, constraint, index or policy of `table`.
    pub fn table_part(part: TablePart, table: &QualifiedName, name: &str) -> Self {
        ObjectRef::TablePart {
            part,
            table: table.clone(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::sql::display_ident;
        match self {
            ObjectRef::Database { name } => write!(f, "database {}", display_ident(name)),
            ObjectRef::Role { name } => write!(f, "role {}", display_ident(name)),
            ObjectRef::Schema { name } => write!(f, "schema {}", display_ident(name)),
            ObjectRef::Relation { kind, name } => write!(f, "{} {name}", kind.describe()),
            ObjectRef::Function { id } => write!(f, "function {id}"),
            ObjectRef::TablePart { part, table, name } => {
                let what = match part {
                    TablePart::Column => "column",
                    TablePart::Constraint => "constraint",
                    TablePart::Index => "index",
                    TablePart::Policy => "policy",
                    TablePart::Trigger => "trigger",
                };
                write!(f, "{what} {} on {table}", display_ident(name))
            }
            ObjectRef::Type { kind, name } => {
                let what = match kind {
                    TypeKind::Enum => "enum",
                    TypeKind::Domain => "domain",
                    TypeKind::Composite => "composite type",
                    TypeKind::Range => "range type",
                };
                write!(f, "{what} {name}")
            }
            ObjectRef::Extension { name } => write!(f, "extension {}", display_ident(name)),
            ObjectRef::Collation { name } => write!(f, "collation {name}"),
        }
    }
}
