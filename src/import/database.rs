//! The database (`database.toml`).

use super::HEADER;
use super::grants::grants;
use super::values::{settings, string};
use crate::model::*;
use std::fmt::Write as _;

/// `database.toml`: the database's comment, grants and settings.
pub(super) fn database_file(db: &Database) -> String {
    let mut out = String::from(HEADER);
    out.push_str("[database]\n");
    if let Some(c) = &db.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    let _ = writeln!(out, "grants = {}", grants(&db.acl));
    if !db.settings.is_empty() {
        let _ = writeln!(out, "settings = {}", settings(&db.settings));
    }
    out
}
