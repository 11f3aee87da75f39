//! Declared renames and what they rewrite (renames as plans: the diff_table_rename case).

use crate::diff::rename::{ColumnRenames, rename_expression};
use crate::diff::shared::mentions;

// Stays a unit test: it tests the expression rewriter itself, on inputs (literals,
// qualified names, names that need quoting) a case cannot pin down one by one.
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
