//! Columns of existing tables (the rest is in the `diff_column_*` cases).

use super::*;

// Stays a unit test: a loaded desired state always declares primary key columns NOT NULL,
// so only a hand-built catalog leaves a new key's column without it (diff_column_not_null
// shows the loaded form).
#[test]
fn not_null_implied_by_a_new_primary_key_is_left_to_it_and_dropped_with_the_old_one() {
    let (mut desired, mut live) = catalogs();
    let mut have = table("general.t", &[("a", "integer"), ("b", "integer")]);
    have.columns[0].not_null = true;
    have.constraints
        .insert("t_pkey".into(), pk("t_pkey", &["a"]));
    put(&mut live, have);
    let mut want = table("general.t", &[("a", "integer"), ("b", "integer")]);
    want.constraints
        .insert("t_pkey".into(), pk("t_pkey", &["b"]));
    put(&mut desired, want);
    let changes = table_changes(&desired, &live);
    assert!(
        matches!(&changes[0], TableChange::DropConstraint { drop_not_null, .. } if drop_not_null == &["a".to_string()]),
        "{changes:#?}"
    );
    assert!(matches!(
        &changes[1],
        TableChange::AddConstraint {
            not_valid: false,
            ..
        }
    ));
    assert_eq!(changes.len(), 2, "{changes:#?}");
}
