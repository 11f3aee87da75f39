//! Tables: the table's own fields here; its columns, constraints, indexes and policies
//! in the modules of those kinds, in the order the desired-state format lists them.

use super::grants::grants;
use super::values::{inline, object_key, qualified_text, string, write_owner};
use super::{columns, constraints, indexes, policies, triggers};
use crate::model::*;
use std::fmt::Write as _;

pub(super) fn write_table(
    out: &mut String,
    t: &Table,
    relation: Option<&Relation>,
    schema_owner: Option<&str>,
    extra_grants: Option<&Acl>,
) {
    let _ = writeln!(out, "\n[tables.{}]", object_key(&t.name));
    write_owner(out, relation.and_then(|r| r.owner.as_deref()), schema_owner);
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if t.unlogged {
        out.push_str("unlogged = true\n");
    }
    if t.row_level_security {
        out.push_str("row_level_security = true\n");
    }
    if t.force_row_level_security {
        out.push_str("force_row_level_security = true\n");
    }
    if let Some(p) = &t.partition_by {
        let _ = writeln!(out, "partition_by = {}", string(p));
    }
    if let Some(p) = &t.partition_of {
        let _ = writeln!(
            out,
            "partition_of = {}",
            inline(&[
                ("parent", string(&qualified_text(&p.parent))),
                ("bound", string(&p.bound)),
            ])
        );
    }
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t
            .inherits
            .iter()
            .map(|p| string(&qualified_text(p)))
            .collect();
        let _ = writeln!(out, "inherits = [{}]", parents.join(", "));
    }
    if let Some(acl) = extra_grants.filter(|a| !a.is_empty()) {
        let _ = writeln!(out, "grants = {}", grants(acl));
    }
    constraints::write_primary_key(out, t);

    columns::write_columns(out, t);

    constraints::write_constraints(out, t);

    indexes::write_indexes(out, t);
    policies::write_policies(out, t);
    triggers::write_triggers(out, t);
}
