//! Collations, composite and range types: their `CREATE` statements go to
//! `schema.<schema>.types.sql`, their owner (when not the schema's) and comment to
//! `[collations."s.c"]` / `[types."s.t"]` entries in the schema's file.

use super::grants::type_grants;
use super::values::{object_key, string, write_owner};
use crate::ddl::user_types::{create_collation, create_composite, create_range};
use crate::model::*;
use std::fmt::Write as _;

/// The `.sql` file of a schema's collations, range and composite types (collations
/// first, then range types, then composite types, each by name), or `None` when it
/// has none.
pub(super) fn sql_file(live: &Catalog, schema: &str) -> Option<String> {
    let mut out = String::from("-- written by pgrecon import\n");
    let mut any = false;
    for c in in_schema(&live.collations, schema).map(|(_, v)| v) {
        out.push('\n');
        create_collation(&mut out, &c.name, c);
        out.push_str(";\n");
        any = true;
    }
    for r in in_schema(&live.range_types, schema).map(|(_, v)| v) {
        out.push('\n');
        create_range(&mut out, &r.name, r);
        out.push_str(";\n");
        any = true;
    }
    for t in in_schema(&live.composite_types, schema).map(|(_, v)| v) {
        out.push('\n');
        create_composite(&mut out, &t.name, t);
        out.push_str(";\n");
        any = true;
    }
    any.then_some(out)
}

/// `[collations."s.c"]` and `[types."s.t"]` entries for what differs from the defaults.
pub(super) fn toml_entries(live: &Catalog, schema: &Schema) -> String {
    let mut out = String::new();
    let schema_owner = schema.owner.as_deref();
    let mut entry = |section: &str, name: &QualifiedName, owner: &Option<String>, comment, acl| {
        let comment: &Option<String> = comment;
        let grants = type_grants(acl);
        if owner.as_deref() == schema_owner && comment.is_none() && grants.is_none() {
            return;
        }
        let _ = writeln!(out, "\n[{section}.{}]", object_key(name));
        write_owner(&mut out, owner.as_deref(), schema_owner);
        if let Some(c) = comment {
            let _ = writeln!(out, "comment = {}", string(c));
        }
        if let Some(line) = grants {
            let _ = writeln!(out, "{line}");
        }
    };
    for c in in_schema(&live.collations, &schema.name).map(|(_, v)| v) {
        entry("collations", &c.name, &c.owner, &c.comment, &None);
    }
    for r in in_schema(&live.range_types, &schema.name).map(|(_, v)| v) {
        entry("types", &r.name, &r.owner, &r.comment, &r.acl);
    }
    for t in in_schema(&live.composite_types, &schema.name).map(|(_, v)| v) {
        entry("types", &t.name, &t.owner, &t.comment, &t.acl);
    }
    out
}
