//! Table triggers (`CREATE [CONSTRAINT] TRIGGER … ON s.t`). Event triggers are not
//! table parts and are not managed.
//!
//! Canonical text: the `WHEN` condition is the server's (`pg_get_triggerdef`), parsed
//! and deparsed by `pg_query` on both sides; every other field is structural.

use super::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub name: String,
    pub timing: TriggerTiming,
    /// The events, in PostgreSQL's order (insert, delete, update, truncate), each once.
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF` columns, in the order written (live: `tgattr` order).
    pub update_columns: Vec<String>,
    /// `FOR EACH ROW` (else `FOR EACH STATEMENT`).
    pub for_each_row: bool,
    /// The `WHEN` condition, canonical text without the parentheses.
    pub when: Option<String>,
    pub function: QualifiedName,
    /// The trigger function's arguments, as strings (`tgargs`).
    pub arguments: Vec<String>,
    /// Set for a `CREATE CONSTRAINT TRIGGER`.
    pub constraint: Option<ConstraintTrigger>,
    /// `REFERENCING OLD TABLE AS …`.
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS …`.
    pub new_table: Option<String>,
    pub enabled: TriggerEnabled,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintTrigger {
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `FROM s.ref`.
    pub referenced_table: Option<QualifiedName>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    Insert,
    Delete,
    Update,
    Truncate,
}

/// `tgenabled`: when the trigger fires, by `session_replication_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// Fires in `origin` and `local` mode (the default, `ENABLE TRIGGER`).
    #[default]
    Origin,
    Disabled,
    Replica,
    Always,
}

impl TriggerTiming {
    pub fn as_sql(self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

impl TriggerEvent {
    pub fn as_sql(self) -> &'static str {
        match self {
            TriggerEvent::Insert => "INSERT",
            TriggerEvent::Delete => "DELETE",
            TriggerEvent::Update => "UPDATE",
            TriggerEvent::Truncate => "TRUNCATE",
        }
    }
}

impl TriggerEnabled {
    /// The TOML value (`origin`, `disabled`, `replica`, `always`).
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "origin",
            TriggerEnabled::Disabled => "disabled",
            TriggerEnabled::Replica => "replica",
            TriggerEnabled::Always => "always",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "origin" => TriggerEnabled::Origin,
            "disabled" => TriggerEnabled::Disabled,
            "replica" => TriggerEnabled::Replica,
            "always" => TriggerEnabled::Always,
            _ => return None,
        })
    }

    /// The `ALTER TABLE` subcommand that sets it.
    pub fn alter_sql(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE TRIGGER",
            TriggerEnabled::Disabled => "DISABLE TRIGGER",
            TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
            TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
        }
    }
}

impl Trigger {
    /// Whether `CREATE OR REPLACE TRIGGER` can turn `self` into `other` (PostgreSQL
    /// refuses it for constraint triggers).
    pub fn replaceable_by(&self, other: &Trigger) -> bool {
        self.constraint.is_none() && other.constraint.is_none()
    }

    /// Whether the definitions differ (enabled state and comment aside).
    pub fn definition_differs(&self, other: &Trigger) -> bool {
        self.timing != other.timing
            || self.events != other.events
            || self.update_columns != other.update_columns
            || self.for_each_row != other.for_each_row
            || self.when != other.when
            || self.function != other.function
            || self.arguments != other.arguments
            || self.constraint != other.constraint
            || self.old_table != other.old_table
            || self.new_table != other.new_table
    }
}
