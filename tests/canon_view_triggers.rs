//! `canon` for the triggers of views against a real PostgreSQL: a trigger that is not the
//! live one is created on the view's scratch twin, so its `WHEN` condition comes back in
//! the server's form and a trigger the view cannot have is refused at its statement,
//! before anything runs.

mod common;

use common::{TestDb, qn};
use pgrecon::canon;
use pgrecon::introspect;

/// The desired state of `files` (TOML and SQL), loaded as `config` loads a directory.
fn load(files: &[(&str, &str)]) -> pgrecon::config::Desired {
    let files: Vec<(std::path::PathBuf, String)> = files
        .iter()
        .map(|(p, t)| (std::path::PathBuf::from(p), t.to_string()))
        .collect();
    pgrecon::config::load_files(&files)
        .unwrap_or_else(|e| panic!("{}", pgrecon::config::render(&e)))
}

const SCHEMA: &str = r#"
[schemas.general]
[tables."general.notes"]
columns.id = { type = "bigint" }
columns.body = { type = "text" }
"#;

const START: &str = "CREATE SCHEMA general;
     CREATE TABLE general.notes (id bigint, body text);
     CREATE VIEW general.note_bodies AS SELECT id, body FROM general.notes;
     CREATE FUNCTION general.noop() RETURNS trigger LANGUAGE plpgsql
         AS $$BEGIN RETURN NULL; END$$;";

#[tokio::test]
async fn view_trigger_when_is_canonicalised_on_the_twin() {
    let db = TestDb::new().await;
    db.exec(START).await;
    let desired = load(&[
        ("all.toml", SCHEMA),
        (
            "views.sql",
            "CREATE VIEW general.note_bodies AS SELECT id, body FROM general.notes;
             CREATE TRIGGER note_bodies_note AFTER UPDATE ON general.note_bodies
                 FOR EACH STATEMENT WHEN (current_setting('app.audit', true) IN ('on'))
                 EXECUTE FUNCTION general.noop()",
        ),
    ]);
    let mut client = db.client().await;
    let canonical = canon::in_scratch_transaction(&mut client, &desired.catalog)
        .await
        .expect("canonicalize");
    let trigger = &canonical.views[&qn("general.note_bodies")].triggers["note_bodies_note"];
    assert_eq!(
        trigger.when.as_deref(),
        Some("current_setting('app.audit'::text, true) = 'on'::text")
    );
    // Nothing was left behind: no trigger on the real view, no scratch schema.
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    assert!(live.views[&qn("general.note_bodies")].triggers.is_empty());
    assert!(!live.schemas.keys().any(|s| s.starts_with("pgrecon_canon")));
}

#[tokio::test]
async fn a_trigger_the_view_cannot_have_points_at_its_statement() {
    let db = TestDb::new().await;
    db.exec(START).await;
    // Views have no row-level BEFORE triggers: only the server knows.
    let desired = load(&[
        ("all.toml", SCHEMA),
        (
            "views.sql",
            "CREATE VIEW general.note_bodies AS SELECT id, body FROM general.notes;
-- checks
CREATE TRIGGER note_bodies_before BEFORE INSERT ON general.note_bodies
    FOR EACH ROW EXECUTE FUNCTION general.noop()",
        ),
    ]);
    let mut client = db.client().await;
    let err = canon::in_scratch_transaction(&mut client, &desired.catalog)
        .await
        .expect_err("the server rejects the trigger");
    let located = err.located(&desired.sources);
    assert!(
        located.contains("trigger note_bodies_before on general.note_bodies")
            && located.contains("views cannot have row-level BEFORE or AFTER triggers")
            && located.contains("views.sql:3:1"),
        "{located}"
    );
}
