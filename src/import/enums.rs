//! Enum types.

use super::grants::type_grants;
use super::values::{object_key, string, string_list, write_owner};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_enum(out: &mut String, e: &EnumType, schema_owner: Option<&str>) {
    let _ = writeln!(out, "\n[enums.{}]", object_key(&e.name));
    let _ = writeln!(out, "values = {}", string_list(&e.values));
    write_owner(out, e.owner.as_deref(), schema_owner);
    if let Some(c) = &e.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if let Some(line) = type_grants(&e.acl) {
        let _ = writeln!(out, "{line}");
    }
}
