//! `[[check]]` entries.

use super::*;

#[test]
fn checks_load_in_file_order_with_their_expectations() {
    use crate::checks::{Check, Expectation, When};
    let files = vec![
        (
            PathBuf::from("a.toml"),
            "[[check]]\nname = \"no orphans\"\nquery = \" SELECT count(*) = 0 FROM pg_class \"\nexpect = true\nwhen = \"before\"\n"
                .to_string(),
        ),
        (
            PathBuf::from("b.toml"),
            "[[check]]\nname = \"one app\"\nquery = \"SELECT 1 FROM pg_roles WHERE rolname = 'app'\"\nrows = 1\n"
                .to_string(),
        ),
    ];
    let desired = load_files(&files).unwrap_or_else(|e| panic!("{}", render(&e)));
    assert_eq!(
        desired.checks,
        vec![
            Check {
                name: "no orphans".into(),
                query: "SELECT count(*) = 0 FROM pg_class".into(),
                expect: Expectation::Expect(true),
                when: When::Before,
            },
            Check {
                name: "one app".into(),
                query: "SELECT 1 FROM pg_roles WHERE rolname = 'app'".into(),
                expect: Expectation::Rows(1),
                when: When::Both,
            },
        ]
    );
    assert_eq!(desired.sources.checks["one app"].file, "b.toml");
}
