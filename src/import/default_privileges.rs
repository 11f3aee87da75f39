//! Default privileges blocks (`[[schemas.<name>.default_privileges]]`).

use super::grants::grants;
use super::values::{key, string};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_default_block(
    out: &mut String,
    schema: &str,
    role: &str,
    kind: ObjectKind,
    acl: &Acl,
) {
    let on = match kind {
        ObjectKind::Table => "tables",
        ObjectKind::Sequence => "sequences",
        ObjectKind::Type => "types",
        _ => "functions",
    };
    let _ = writeln!(out, "\n[[schemas.{}.default_privileges]]", key(schema));
    let _ = writeln!(out, "for_role = {}", string(role));
    let _ = writeln!(out, "on = \"{on}\"");
    let _ = writeln!(out, "grants = {}", grants(acl));
}
