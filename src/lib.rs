//! pgrecon: declarative schema-state reconciler for PostgreSQL.
//!
//! Pipeline: `config → model → introspect → diff → plan → render → apply`, plus `import`.
//! See ARCHITECTURE.md for the code map and the invariants.

pub mod apply;
pub mod approval;
pub mod canon;
pub mod checks;
pub mod compat;
pub mod config;
pub mod conn;
pub mod db_error;
pub mod ddl;
pub mod diff;
pub mod drift;
pub mod embedded;
pub mod escape;
pub mod import;
pub mod introspect;
pub mod logging;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod saved;
pub mod scratch;
pub mod sql;
pub mod verify;
