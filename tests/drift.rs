//! `pgrecon drift` on a real PostgreSQL: each kind of drift made by hand is found and
//! put in its group (missing, different, unexpected, unmanaged with `--all`), with the
//! counts of the validation matrix and the documented exit codes; reporting changes
//! nothing.

mod common;
mod fingerprint;

use common::TestDb;
use pgrecon::apply::{self, ApplyOptions, NoHooks};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const DESIRED: &str = r#"
[scope]
owned_roles = ["*_app"]

[roles.owner]
[roles.readers]
[roles.general_app]
login = true
search_path = ["general", "public"]
member_of = ["readers"]

[schemas.general]
owner = "owner"
grants = { general_app = ["USAGE"] }
table_grants = { general_app = ["SELECT"] }

[schemas.health]
owner = "owner"

[tables."general.notes"]
primary_key = ["id"]
columns.id = { type = "bigint", not_null = true }
columns.body = { type = "text" }
"#;

/// Every kind of drift, by hand.
const DRIFT: &str = r#"
GRANT INSERT ON general.notes TO general_app;                -- a grant added by hand
CREATE TABLE general.out_of_band (id int);                   -- a table created out of band
ALTER TABLE general.out_of_band OWNER TO owner;
CREATE ROLE ops;
GRANT ops TO general_app;                                    -- a membership added
ALTER ROLE general_app SET search_path = health, public;     -- search_path changed
ALTER TABLE general.notes ALTER COLUMN body TYPE varchar(100); -- a column altered
DROP SCHEMA health;                                          -- a declared schema gone
CREATE SCHEMA elsewhere;                                     -- outside the scope
"#;

fn write_desired(dir: &Path, text: &str) {
    std::fs::write(dir.join("desired.toml"), text).unwrap();
}

/// A database converged to `DESIRED`, and the directory holding it.
async fn converged() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::new().await;
    // PostgreSQL 14 grants PUBLIC CREATE on public, which would break the confinements
    // below through PUBLIC; start from the 15+ default everywhere.
    db.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC").await;
    let dir = tempfile::tempdir().unwrap();
    write_desired(dir.path(), DESIRED);
    let desired = common::load_dir(dir.path()).catalog;
    let mut client = db.client().await;
    apply::apply(
        &mut client,
        &desired,
        &ApplyOptions::default(),
        &mut NoHooks,
    )
    .await
    .unwrap_or_else(|e| panic!("the desired state applies: {e}"));
    (db, dir)
}

fn pgrecon(args: &[&str]) -> Output {
    common::pgrecon_with(args, &[])
}

fn drift_json(db: &TestDb, dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let url = db.url();
    let mut args = vec![
        "drift",
        "--dir",
        dir.to_str().unwrap(),
        "--database-url",
        &url,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = pgrecon(&args);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "drift --format json prints JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), doc)
}

fn summaries(doc: &Value, group: &str) -> Vec<String> {
    doc[group]
        .as_array()
        .unwrap_or_else(|| panic!("{group} is an array"))
        .iter()
        .map(|i| i["summary"].as_str().unwrap().to_string())
        .collect()
}

fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|s| s.contains(needle))
}

#[tokio::test]
async fn in_sync_exits_0() {
    let (db, dir) = converged().await;
    let (code, doc) = drift_json(&db, dir.path(), &[]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(doc["in_sync"], true);
    assert_eq!(doc["counts"]["roles_checked"], 3);
    assert_eq!(doc["counts"]["schemas_checked"], 2);
    assert_eq!(doc["counts"]["tables_checked"], 1);
    for group in ["missing", "different", "unexpected"] {
        assert_eq!(doc["counts"][group], 0, "{group}: {doc:#}");
    }
    let text = pgrecon(&[
        "drift",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &db.url(),
    ]);
    assert_eq!(text.status.code(), Some(0));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("No drift. The database matches the desired state."),
        "{out}"
    );
}

#[tokio::test]
async fn every_kind_of_drift_is_found_and_grouped() {
    let (db, dir) = converged().await;
    db.exec(DRIFT).await;
    let before = fingerprint::fingerprint(&db.client().await).await;

    let (code, doc) = drift_json(&db, dir.path(), &[]);
    assert_eq!(code, Some(2), "drift exits 2: {doc:#}");
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["kind"], "pgrecon-drift");
    assert_eq!(doc["in_sync"], false);
    assert_eq!(doc["plan_id"].as_str().unwrap().len(), 64);

    let missing = summaries(&doc, "missing");
    let different = summaries(&doc, "different");
    let unexpected = summaries(&doc, "unexpected");
    // Missing: the schema dropped by hand.
    assert!(has(&missing, "create schema health"), "{missing:#?}");
    // Different: the search_path and the column type.
    assert!(has(&different, "search_path"), "{different:#?}");
    assert!(has(&different, "body"), "{different:#?}");
    // Unexpected: the stray grant, the extra membership, the out-of-band table.
    assert!(
        has(
            &unexpected,
            "revoke INSERT on table general.notes from general_app"
        ),
        "{unexpected:#?}"
    );
    assert!(has(&unexpected, "membership in ops"), "{unexpected:#?}");
    assert!(
        has(
            &unexpected,
            "table general.out_of_band: table is not declared"
        ),
        "{unexpected:#?}"
    );
    // The counts are those of the lists.
    assert_eq!(doc["counts"]["missing"], missing.len());
    assert_eq!(doc["counts"]["different"], different.len());
    assert_eq!(doc["counts"]["unexpected"], unexpected.len());
    assert_eq!(doc["counts"]["schemas_checked"], 2);
    assert_eq!(doc["validation"]["schemas"]["missing"][0], "health");
    // Every item carries its fix (or says it has none).
    for item in doc["different"].as_array().unwrap() {
        assert!(!item["sql"].as_array().unwrap().is_empty(), "{item:#}");
    }
    // Outside the scope: only with --all.
    assert!(doc["unmanaged"].is_null());
    assert!(doc["counts"]["unmanaged"].is_null());
    let (code, all) = drift_json(&db, dir.path(), &["--all"]);
    assert_eq!(code, Some(2));
    let unmanaged = summaries(&all, "unmanaged");
    assert!(has(&unmanaged, "role ops"), "{unmanaged:#?}");
    assert!(has(&unmanaged, "schema elsewhere"), "{unmanaged:#?}");
    assert_eq!(all["counts"]["unmanaged"], unmanaged.len());

    // The text form groups the same way.
    let text = pgrecon(&[
        "drift",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &db.url(),
    ]);
    assert_eq!(text.status.code(), Some(2));
    let out = String::from_utf8_lossy(&text.stdout);
    for heading in [
        "Missing (declared, absent): ",
        "Different (declared, not as declared): ",
        "Unexpected (present in the managed scope, not declared): ",
        "Drift: ",
    ] {
        assert!(out.contains(heading), "{heading} in\n{out}");
    }

    // Reporting changed nothing.
    assert_eq!(fingerprint::fingerprint(&db.client().await).await, before);
}

#[tokio::test]
async fn a_broken_confinement_exits_3() {
    let (db, dir) = converged().await;
    write_desired(
        dir.path(),
        &DESIRED.replace(
            "member_of = [\"readers\"]",
            "member_of = [\"readers\"]\nconfined_to = [\"general\"]",
        ),
    );
    let (code, doc) = drift_json(&db, dir.path(), &[]);
    assert_eq!(code, Some(0), "the confinement holds: {doc:#}");
    assert_eq!(doc["confinements_hold"], true);

    db.exec("GRANT USAGE ON SCHEMA health TO general_app").await;
    let (code, doc) = drift_json(&db, dir.path(), &[]);
    assert_eq!(code, Some(3), "{doc:#}");
    assert_eq!(doc["confinements_hold"], false);
    let violations = doc["violations"].as_array().unwrap();
    assert!(
        violations
            .iter()
            .any(|v| v["role"] == "general_app" && v["path"].as_str().unwrap().contains("health")),
        "{violations:#?}"
    );
    assert_eq!(doc["counts"]["violations"], violations.len());
    // The stray grant is drift too.
    assert!(has(
        &summaries(&doc, "unexpected"),
        "revoke USAGE on schema health"
    ));
}

#[tokio::test]
async fn an_invalid_desired_state_exits_1() {
    let (db, dir) = converged().await;
    std::fs::write(dir.path().join("broken.toml"), "[roles.x\n").unwrap();
    let out = pgrecon(&[
        "drift",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &db.url(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
