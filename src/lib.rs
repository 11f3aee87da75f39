//! pgrecon: declarative schema-state reconciler for PostgreSQL.
//!
//! Pipeline: `config → model → introspect → diff → plan → render → apply`, plus `import`.
//! See ARCHITECTURE.md for the code map and the invariants.

pub mod apply;
pub mod canon;
pub mod config;
pub mod conn;
pub mod diff;
pub mod embedded;
pub mod import;
pub mod introspect;
pub mod model;
pub mod plan;
pub mod render;
pub mod sql;
pub mod verify;
