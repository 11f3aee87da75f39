//! Indexes.

use super::*;

#[test]
fn a_concurrent_index_on_an_existing_table_runs_after_the_transaction() {
    let (mut desired, mut live) = catalogs();
    put(&mut live, table("general.t", &[("a", "integer")]));
    let mut want = table("general.t", &[("a", "integer")]);
    want.indexes.insert(
        "t_a_idx".into(),
        Index {
            name: "t_a_idx".into(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys: vec![IndexKey {
                column: Some("a".into()),
                expression: None,
                opclass: None,
                collation: None,
                descending: true,
                nulls_first: Some(true),
            }],
            include: vec![],
            predicate: Some("(a > 0)".into()),
            with: BTreeMap::from([("fillfactor".into(), "70".into())]),
            concurrently: true,
            valid: true,
            comment: Some("by a".into()),
        },
    );
    put(&mut desired, want.clone());
    let plan = plan_of(&desired, &live, false);
    let step = &plan.steps[0];
    assert!(!step.transactional);
    assert_eq!(
        step.exec,
        plan::Exec::NonTransactional {
            statements: vec![
                "CREATE INDEX CONCURRENTLY t_a_idx ON general.t USING btree (a DESC) WITH \
                 (fillfactor = '70') WHERE ((a > 0))"
                    .into(),
                "COMMENT ON INDEX general.t_a_idx IS 'by a'".into(),
            ],
            cleanup: vec!["DROP INDEX CONCURRENTLY IF EXISTS general.t_a_idx".into()],
        }
    );

    // Once it exists, `concurrently` (desired only) makes no difference.
    let mut built = want.indexes["t_a_idx"].clone();
    built.concurrently = false;
    let mut have = table("general.t", &[("a", "integer")]);
    have.indexes.insert("t_a_idx".into(), built);
    put(&mut live, have);
    assert!(run(&desired, &live, false).changes.is_empty());
}
