//! Data-driven diagnostics tests: every directory under `tests/diagnostics/` is a bad
//! desired state; its rendered errors are snapshot-tested (`tests/snapshots/`).
//!
//! Add a case: create `tests/diagnostics/<case>/*.toml`, run
//! `INSTA_UPDATE=always cargo test --test diagnostics`, then review the new snapshot.

use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/diagnostics exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 14, "expected at least 14 cases");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let rendered = match pgrecon::config::load_dir(&case) {
            Ok(_) => panic!("case `{name}` loaded without errors"),
            Err(errors) => pgrecon::config::render(&errors),
        };
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn diagnostics_never_show_secrets() {
    for case in cases() {
        let Err(errors) = pgrecon::config::load_dir(&case) else {
            continue;
        };
        let rendered = pgrecon::config::render(&errors);
        for secret in ["hunter2", "correct horse", "c2FsdA==", "notbase64"] {
            assert!(
                !rendered.contains(secret),
                "case {} shows a secret:\n{rendered}",
                case.display()
            );
        }
    }
}
