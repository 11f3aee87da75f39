//! Confinement proofs on a real PostgreSQL: the shipped topology holds, and every way of
//! leaking access, introduced by hand, is caught with the path that grants it.

mod common;

use common::TestDb;
use pgrecon::apply::{self, ApplyError, ApplyOptions, NoHooks};
use pgrecon::model::Catalog;
use pgrecon::verify::{self, Report, ViolationKind};
use pgrecon::{config, introspect};
use std::path::Path;

fn shipped() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("desired-state");
    common::load_dir(&dir).catalog
}

/// A database converged to the shipped topology, with a table in `general` and one in
/// `health` (created by the owner, so default privileges apply).
async fn topology() -> (TestDb, Catalog) {
    let db = TestDb::new().await;
    let desired = shipped();
    let mut client = db.client().await;
    apply::apply(
        &mut client,
        &desired,
        &ApplyOptions::default(),
        &mut NoHooks,
    )
    .await
    .unwrap_or_else(|e| panic!("shipped state applies: {e}"));
    db.exec(
        "SET ROLE butlers_owner; \
         CREATE TABLE general.notes (id int, owner text); \
         CREATE TABLE health.vitals (id int); \
         RESET ROLE;",
    )
    .await;
    (db, desired)
}

async fn verify_live(db: &TestDb, desired: &Catalog) -> Report {
    let mut client = db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    let mut report = verify::verify(desired, &live);
    verify::server_check(&client, desired, &mut report)
        .await
        .expect("server check");
    report
}

fn violations(report: &Report) -> Vec<(ViolationKind, String)> {
    report
        .violations()
        .map(|(_, v)| (v.kind, v.path.clone()))
        .collect()
}

/// Introduces `sql` by hand and expects exactly a violation of `kind` whose path is
/// `path`, and nothing the model could not explain.
async fn caught(sql: &str, kind: ViolationKind, path: &str) {
    let (db, desired) = topology().await;
    assert!(
        verify_live(&db, &desired).await.ok,
        "topology is clean before"
    );
    db.exec(sql).await;
    let report = verify_live(&db, &desired).await;
    let found = violations(&report);
    assert!(!report.ok);
    assert!(
        found.iter().any(|(k, p)| *k == kind && p == path),
        "expected {kind:?} `{path}`, found {found:#?}"
    );
    assert!(
        found.iter().all(|(k, _)| *k != ViolationKind::Unexplained),
        "the server reports access the model did not explain: {found:#?}"
    );
}

#[tokio::test]
async fn clean_topology_holds_with_positive_evidence() {
    let (db, desired) = topology().await;
    let report = verify_live(&db, &desired).await;
    assert!(report.ok, "{:#?}", violations(&report));
    let general = report
        .roles
        .iter()
        .find(|r| r.role == "butler_general_app")
        .expect("confined");
    assert_eq!(general.access["general"], verify::Access::Write);
    assert_eq!(general.access["health"], verify::Access::None);
    let evidence = general.evidence.join("\n");
    assert!(
        evidence.contains("schema general: write (read and write on 1 of 1 tables)"),
        "{evidence}"
    );
    assert!(evidence.contains("denied on"), "{evidence}");
    assert!(
        evidence.contains("search_path is general, shared, public"),
        "{evidence}"
    );
    assert!(
        report.roles.len() >= 5,
        "every runtime role declares its confinement"
    );
}

#[tokio::test]
async fn direct_table_grant_in_another_schema() {
    caught(
        "GRANT SELECT ON health.vitals TO butler_general_app",
        ViolationKind::ObjectAccess,
        "butler_general_app → SELECT on table health.vitals (latent: no USAGE on its schema yet)",
    )
    .await;
}

#[tokio::test]
async fn usage_on_another_schema() {
    caught(
        "GRANT USAGE ON SCHEMA health TO butler_general_app",
        ViolationKind::SchemaAccess,
        "butler_general_app → USAGE on schema health",
    )
    .await;
}

#[tokio::test]
async fn membership_with_inherit() {
    caught(
        "CREATE ROLE ops; GRANT USAGE ON SCHEMA health TO ops; GRANT ops TO butler_general_app",
        ViolationKind::SchemaAccess,
        "butler_general_app → member of ops (INHERIT) → USAGE on schema health",
    )
    .await;
}

#[tokio::test]
async fn membership_without_inherit_but_with_set_role() {
    caught(
        "CREATE ROLE ops; GRANT SELECT ON health.vitals TO ops; \
         ALTER ROLE butler_general_app NOINHERIT; GRANT ops TO butler_general_app",
        ViolationKind::ObjectAccess,
        "butler_general_app → can SET ROLE ops (member without INHERIT) → SELECT on table \
         health.vitals (latent: no USAGE on its schema yet)",
    )
    .await;
}

#[tokio::test]
async fn grant_to_public() {
    caught(
        "GRANT USAGE ON SCHEMA health TO PUBLIC",
        ViolationKind::SchemaAccess,
        "butler_general_app → PUBLIC → USAGE on schema health",
    )
    .await;
}

#[tokio::test]
async fn ownership_of_an_object_elsewhere() {
    caught(
        "ALTER TABLE health.vitals OWNER TO butler_general_app",
        ViolationKind::Ownership,
        "butler_general_app → owns table health.vitals",
    )
    .await;
}

#[tokio::test]
async fn superuser() {
    caught(
        "ALTER ROLE butler_general_app SUPERUSER",
        ViolationKind::Superuser,
        "butler_general_app → SUPERUSER: bypasses every privilege check",
    )
    .await;
}

#[tokio::test]
async fn bypassrls_with_row_level_security_tables() {
    caught(
        "ALTER ROLE butler_general_app BYPASSRLS; \
         ALTER TABLE general.notes ENABLE ROW LEVEL SECURITY",
        ViolationKind::BypassRls,
        "butler_general_app → BYPASSRLS: ignores the row-level security of 1 table(s)",
    )
    .await;
}

#[tokio::test]
async fn default_privilege_exposing_future_tables() {
    caught(
        "ALTER DEFAULT PRIVILEGES FOR ROLE butlers_owner IN SCHEMA health \
         GRANT SELECT ON TABLES TO butler_general_app",
        ViolationKind::DefaultPrivilege,
        "butler_general_app → SELECT on future tables of butlers_owner in schema health",
    )
    .await;
}

#[tokio::test]
async fn wrong_search_path() {
    caught(
        "ALTER ROLE butler_general_app SET search_path = health, public",
        ViolationKind::SearchPath,
        "butler_general_app → search_path includes schema health",
    )
    .await;
}

#[tokio::test]
async fn apply_refuses_a_plan_that_would_break_a_confinement() {
    let (db, _) = topology().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("desired-state");
    let mut files: Vec<(std::path::PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    // Someone adds USAGE on health for the general app in a pull request.
    for (path, text) in &mut files {
        if path.ends_with("health.toml") {
            *text = text.replace(
                "grants = { butler_health_app = [\"USAGE\"] }",
                "grants = { butler_health_app = [\"USAGE\"], butler_general_app = [\"USAGE\"] }",
            );
        }
    }
    let desired = config::load_files(&files)
        .expect("still valid TOML")
        .catalog;
    let mut client = db.client().await;
    let err = apply::apply(
        &mut client,
        &desired,
        &ApplyOptions::default(),
        &mut NoHooks,
    )
    .await
    .expect_err("the plan breaks the confinement");
    match err {
        ApplyError::Violation(paths) => assert!(
            paths.contains(&"butler_general_app → USAGE on schema health".to_string()),
            "{paths:?}"
        ),
        other => panic!("unexpected {other}"),
    }
    let allowed = ApplyOptions {
        allow_violation: true,
        ..ApplyOptions::default()
    };
    apply::apply(&mut client, &desired, &allowed, &mut NoHooks)
        .await
        .expect("--allow-violation applies it");
}

async fn server_version(db: &TestDb) -> i32 {
    let client = db.client().await;
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int4", &[])
        .await
        .expect("server version");
    row.get(0)
}

const VIEW_PATH: &str = "butler_general_app → SELECT, INSERT, UPDATE, DELETE on view general.v \
                         (runs as owner butlers_owner, security_invoker off) → reads health.vitals";

#[tokio::test]
async fn view_reading_another_service_with_its_owners_rights() {
    // The schema's default privileges give the app every table privilege on the view.
    caught(
        "SET ROLE butlers_owner; \
         CREATE VIEW general.v AS SELECT id FROM health.vitals; \
         RESET ROLE;",
        ViolationKind::ViewOwnerRights,
        VIEW_PATH,
    )
    .await;
}

#[tokio::test]
async fn security_invoker_view_reads_with_the_readers_rights() {
    let (db, desired) = topology().await;
    let sql = "SET ROLE butlers_owner; \
               CREATE VIEW general.v WITH (security_invoker = true) \
                 AS SELECT id FROM health.vitals; \
               RESET ROLE;";
    if server_version(&db).await < 150000 {
        // PostgreSQL 14 has no security_invoker: such a view cannot exist there.
        let err = db
            .client()
            .await
            .batch_execute(sql)
            .await
            .expect_err("security_invoker needs PostgreSQL 15");
        let message = err.as_db_error().expect("a server error").message();
        assert!(message.contains("security_invoker"), "{message}");
        return;
    }
    db.exec(sql).await;
    let report = verify_live(&db, &desired).await;
    assert!(report.ok, "{:#?}", violations(&report));
    let general = report
        .roles
        .iter()
        .find(|r| r.role == "butler_general_app")
        .expect("confined");
    assert_eq!(general.access["health"], verify::Access::None);
}

#[tokio::test]
async fn security_definer_function_runs_with_its_owners_reach() {
    let function = |definer: &str| {
        format!(
            "SET ROLE butlers_owner; \
             CREATE FUNCTION general.count_vitals() RETURNS bigint LANGUAGE plpgsql {definer} \
               AS $$BEGIN RETURN (SELECT count(*) FROM health.vitals); END$$; \
             GRANT EXECUTE ON FUNCTION general.count_vitals() TO butler_general_app; \
             RESET ROLE;"
        )
    };
    let (db, desired) = topology().await;
    db.exec(&function("SECURITY DEFINER")).await;
    let report = verify_live(&db, &desired).await;
    let found = violations(&report);
    let prefix = "butler_general_app → EXECUTE on function general.count_vitals() \
                  (SECURITY DEFINER, runs as owner butlers_owner) → butlers_owner can reach \
                  schema(s) ";
    assert!(
        found
            .iter()
            .any(|(k, p)| *k == ViolationKind::SecurityDefiner
                && p.starts_with(prefix)
                && p.contains("health")),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|(k, _)| *k != ViolationKind::Unexplained),
        "{found:#?}"
    );

    // The same function without SECURITY DEFINER runs with the caller's rights.
    let (db, desired) = topology().await;
    db.exec(&function("")).await;
    let report = verify_live(&db, &desired).await;
    assert!(report.ok, "{:#?}", violations(&report));
}

#[tokio::test]
async fn sql_standard_definer_body_is_narrowed_to_what_it_reads() {
    let (db, desired) = topology().await;
    db.exec(
        "SET ROLE butlers_owner; \
         CREATE FUNCTION general.count_vitals() RETURNS bigint LANGUAGE sql SECURITY DEFINER \
           RETURN (SELECT count(*) FROM health.vitals); \
         CREATE FUNCTION general.count_notes() RETURNS bigint LANGUAGE sql SECURITY DEFINER \
           BEGIN ATOMIC SELECT count(*) FROM general.notes; END; \
         RESET ROLE;",
    )
    .await;
    let report = verify_live(&db, &desired).await;
    // EXECUTE is PUBLIC's by default, and the app can enter general.
    assert_eq!(
        violations(&report),
        vec![(
            ViolationKind::SecurityDefiner,
            "butler_general_app → PUBLIC → EXECUTE on function general.count_vitals() \
             (SECURITY DEFINER, runs as owner butlers_owner) → reads health.vitals"
                .to_string()
        )]
    );
}

#[tokio::test]
async fn plan_refuses_a_view_grant_that_opens_a_path() {
    let (db, _) = topology().await;
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("desired-state");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with("general.toml") {
            text.push_str(
                "\n[views.\"general.v\"]\ngrants = { butler_general_app = [\"SELECT\"] }\n",
            );
        }
        std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
    }
    std::fs::write(
        dir.path().join("general.views.sql"),
        "CREATE VIEW general.v AS SELECT id FROM health.vitals;\n",
    )
    .unwrap();
    let url = db.url();
    let args = [
        "plan",
        "--dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
    ];
    let o = common::pgrecon_with(&args, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("error: the planned state breaks a declared confinement:"),
        "{err}"
    );
    assert!(err.contains(&format!("  ✗ {VIEW_PATH}\n")), "{err}");
}
