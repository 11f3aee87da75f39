//! Constraints: the primary key (a field of the table) and the `unique`, `foreign_keys`,
//! `checks` and `exclusions` sections.

use super::values::{inline, key, object_key, qualified_text, string, string_list};
use crate::model::*;
use std::fmt::Write as _;

/// `primary_key = …`, among the table's own fields.
pub(super) fn write_primary_key(out: &mut String, t: &Table) {
    for (name, c) in &t.constraints {
        let ConstraintKind::PrimaryKey { columns, include } = &c.kind else {
            continue;
        };
        let default_name = format!("{}_pkey", t.name.name);
        let plain = *name == default_name
            && include.is_empty()
            && !c.deferrable
            && !c.initially_deferred
            && c.comment.is_none();
        if plain {
            let _ = writeln!(out, "primary_key = {}", string_list(columns));
        } else {
            let mut parts = vec![("columns", string_list(columns))];
            if *name != default_name {
                parts.push(("name", string(name)));
            }
            if !include.is_empty() {
                parts.push(("include", string_list(include)));
            }
            constraint_options(&mut parts, c);
            let _ = writeln!(out, "primary_key = {}", inline(&parts));
        }
    }
}

/// The `unique`, `foreign_keys`, `checks` and `exclusions` sections.
pub(super) fn write_constraints(out: &mut String, t: &Table) {
    let mut unique = String::new();
    let mut foreign = String::new();
    let mut checks = String::new();
    let mut exclusions = String::new();
    for (name, c) in &t.constraints {
        match &c.kind {
            ConstraintKind::PrimaryKey { .. } => {}
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => {
                let mut parts = vec![("columns", string_list(columns))];
                if !include.is_empty() {
                    parts.push(("include", string_list(include)));
                }
                if *nulls_not_distinct {
                    parts.push(("nulls_not_distinct", "true".into()));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(unique, "{} = {}", key(name), inline(&parts));
            }
            ConstraintKind::ForeignKey {
                columns,
                references,
                referenced_columns,
                on_update,
                on_delete,
                match_full,
            } => {
                let mut parts = vec![
                    ("columns", string_list(columns)),
                    ("references", string(&qualified_text(references))),
                    ("referenced_columns", string_list(referenced_columns)),
                ];
                if *on_delete != ForeignKeyAction::NoAction {
                    parts.push(("on_delete", string(fk_action(*on_delete))));
                }
                if *on_update != ForeignKeyAction::NoAction {
                    parts.push(("on_update", string(fk_action(*on_update))));
                }
                if *match_full {
                    parts.push(("match", string("full")));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(foreign, "{} = {}", key(name), inline(&parts));
            }
            ConstraintKind::Check {
                expression,
                no_inherit,
            } => {
                if !*no_inherit && c.comment.is_none() && !c.deferrable && c.validated {
                    let _ = writeln!(checks, "{} = {}", key(name), string(expression));
                } else {
                    let mut parts = vec![("expression", string(expression))];
                    if *no_inherit {
                        parts.push(("no_inherit", "true".into()));
                    }
                    if !c.validated {
                        parts.push(("not_valid", "true".into()));
                    }
                    if let Some(comment) = &c.comment {
                        parts.push(("comment", string(comment)));
                    }
                    let _ = writeln!(checks, "{} = {}", key(name), inline(&parts));
                }
            }
            ConstraintKind::Exclusion {
                method,
                elements,
                predicate,
            } => {
                let elems: Vec<String> = elements
                    .iter()
                    .map(|e| {
                        let mut parts = Vec::new();
                        if let Some(col) = &e.column {
                            parts.push(("column", string(col)));
                        }
                        if let Some(x) = &e.expression {
                            parts.push(("expression", string(x)));
                        }
                        parts.push(("operator", string(&e.operator)));
                        inline(&parts)
                    })
                    .collect();
                let mut parts = vec![
                    ("method", string(method)),
                    ("elements", format!("[{}]", elems.join(", "))),
                ];
                if let Some(p) = predicate {
                    parts.push(("where", string(p)));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(exclusions, "{} = {}", key(name), inline(&parts));
            }
        }
    }
    for (section, body) in [
        ("unique", unique),
        ("foreign_keys", foreign),
        ("checks", checks),
        ("exclusions", exclusions),
    ] {
        if !body.is_empty() {
            let _ = writeln!(out, "\n[tables.{}.{section}]", object_key(&t.name));
            out.push_str(&body);
        }
    }
}

fn constraint_options(parts: &mut Vec<(&'static str, String)>, c: &Constraint) {
    if c.deferrable {
        parts.push(("deferrable", "true".into()));
    }
    if c.initially_deferred {
        parts.push(("initially_deferred", "true".into()));
    }
    if !c.validated {
        parts.push(("not_valid", "true".into()));
    }
    if let Some(comment) = &c.comment {
        parts.push(("comment", string(comment)));
    }
}

fn fk_action(a: ForeignKeyAction) -> &'static str {
    match a {
        ForeignKeyAction::NoAction => "no_action",
        ForeignKeyAction::Restrict => "restrict",
        ForeignKeyAction::Cascade => "cascade",
        ForeignKeyAction::SetNull => "set_null",
        ForeignKeyAction::SetDefault => "set_default",
    }
}
