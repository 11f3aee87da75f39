//! Declared renames and what they rewrite.

use super::*;
use crate::diff::rename::{ColumnRenames, rename_expression};
use crate::diff::shared::mentions;

#[test]
fn column_renames_reach_expressions_but_not_literals_qualified_names_or_types() {
    let renames = ColumnRenames::from([
        ("txt".to_string(), "body".to_string()),
        ("text".to_string(), "Text".to_string()),
    ]);
    assert_eq!(
        rename_expression(
            "((txt <> 'txt'::text) AND (lower(txt) <> x.txt) AND (text IS NULL))",
            Some(&renames)
        ),
        "((body <> 'txt'::text) AND (lower(body) <> x.txt) AND (\"Text\" IS NULL))"
    );
    assert!(mentions("(a * 2)", "a"));
    assert!(!mentions("(ab * 2)", "a"));
    assert!(!mentions("(x.a * 2)", "a"));
    assert!(!mentions("('a'::text)", "a"));
    assert!(mentions("(\"A b\" + 1)", "A b"));
}

#[test]
fn renamed_columns_and_tables_keep_their_constraints_indexes_and_foreign_keys() {
    let (mut desired, mut live) = catalogs();
    let check = |name: &str, expr: &str| Constraint {
        name: name.into(),
        renamed_from: None,
        kind: ConstraintKind::Check {
            expression: expr.into(),
            no_inherit: false,
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
    };
    let mut have = table("general.memos", &[("id", "integer"), ("txt", "text")]);
    have.constraints
        .insert("memos_pk".into(), pk("", "memos_pk", &["id"]));
    have.constraints.insert(
        "memos_txt_chk".into(),
        check("memos_txt_chk", "(txt <> ''::text)"),
    );
    put(&mut live, have);
    let mut child = table("general.refs", &[("memo_id", "integer")]);
    child.constraints.insert(
        "refs_memo_fkey".into(),
        fk("refs_memo_fkey", "memo_id", "general.memos", "id"),
    );
    put(&mut live, child.clone());
    let mut want = table("general.notes", &[("id", "integer"), ("body", "text")]);
    want.renamed_from = Some("memos".into());
    want.columns[1].renamed_from = Some("txt".into());
    want.constraints.insert(
        "notes_pkey".into(),
        Constraint {
            renamed_from: Some("memos_pk".into()),
            ..pk("", "notes_pkey", &["id"])
        },
    );
    want.constraints.insert(
        "notes_body_check".into(),
        Constraint {
            renamed_from: Some("memos_txt_chk".into()),
            ..check("notes_body_check", "(body <> ''::text)")
        },
    );
    put(&mut desired, want);
    child.constraints.insert(
        "refs_memo_fkey".into(),
        fk("refs_memo_fkey", "memo_id", "general.notes", "id"),
    );
    put(&mut desired, child);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "rename table general.memos to notes",
            "rename column txt of table general.notes to body",
            "rename constraint memos_txt_chk of table general.notes to notes_body_check",
            "rename constraint memos_pk of table general.notes to notes_pkey",
        ]
    );
}
