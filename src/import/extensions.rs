//! Extensions (`extensions.toml`).

use super::values::{key, string};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_extension(out: &mut String, e: &Extension) {
    let _ = writeln!(out, "\n[extensions.{}]", key(&e.name));
    if let Some(s) = &e.schema {
        let _ = writeln!(out, "schema = {}", string(s));
    }
    if let Some(v) = &e.version {
        let _ = writeln!(out, "version = {}", string(v));
    }
    if let Some(c) = &e.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
}
