//! Tables as a whole (their behaviour is in the diff_* cases).

use super::*;

/// A no-op diff of a large catalog stays cheap (the budget is the whole plan well under a
/// second for 10,000 tables). Run with `cargo test --release -- --ignored no_op_diff`.
// Stays a unit test: a timing budget for the diff itself on 10,000 tables, not a plan.
#[test]
#[ignore]
fn no_op_diff_of_ten_thousand_tables() {
    let (mut desired, mut live) = catalogs();
    for n in 0..10_000 {
        let mut t = table(
            &format!("general.t{n}"),
            &[
                ("id", "bigint"),
                ("a", "text"),
                ("b", "integer"),
                ("c", "timestamp with time zone"),
            ],
        );
        t.columns[0].not_null = true;
        t.constraints
            .insert(format!("t{n}_pkey"), pk(&format!("t{n}_pkey"), &["id"]));
        if n > 0 {
            t.constraints.insert(
                format!("t{n}_fk"),
                fk(
                    &format!("t{n}_fk"),
                    "b",
                    &format!("general.t{}", n - 1),
                    "id",
                ),
            );
        }
        put(&mut desired, t.clone());
        put(&mut live, t);
    }
    let started = std::time::Instant::now();
    let diff = diff(&desired, &live, &DiffOptions::default()).unwrap();
    let plan = crate::plan::build(&diff).unwrap();
    let elapsed = started.elapsed();
    assert!(plan.is_empty());
    eprintln!("no-op diff + plan of 10,000 tables: {elapsed:?}");
}
