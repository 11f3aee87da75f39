//! Apply as a managed cloud's admin role: `CREATEROLE`, owning its schemas, no superuser.
//! What it may do, it plans and applies; what it may not (a SUPERUSER, BYPASSRLS or
//! REPLICATION attribute, another owner's objects, on 16+ a role it holds no admin
//! option on) is refused at plan time, each with the privilege that is missing.

mod common;

use common::TestDb;
use pgrecon::diff::{DiffOptions, NoteKind};
use pgrecon::pipeline;

const SETUP: &str = "
CREATE ROLE cloud_admin LOGIN CREATEROLE;
GRANT CREATE ON DATABASE pgrecon_test TO cloud_admin;
CREATE ROLE stranger;
CREATE SCHEMA app AUTHORIZATION cloud_admin;
CREATE SCHEMA theirs AUTHORIZATION stranger;
CREATE TABLE theirs.t (id int);
ALTER TABLE theirs.t OWNER TO stranger;
CREATE EXTENSION citext;
CREATE ROLE member_r;
GRANT stranger TO member_r;
";

/// The test database as `cloud_admin` (the embedded cluster trusts local connections).
fn as_cloud_admin(db: &TestDb) -> (tokio_postgres::Config, String) {
    let mut config = db.config();
    config.user("cloud_admin");
    let url = db
        .url()
        .replacen("postgresql://postgres@", "postgresql://cloud_admin@", 1);
    assert!(url.contains("cloud_admin@"), "{url}");
    (config, url)
}

#[tokio::test]
async fn a_cloud_admin_is_refused_at_plan_time_what_it_may_not_do() {
    let db = TestDb::embedded().await;
    db.exec(SETUP).await;
    let version: i32 = db
        .client()
        .await
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .unwrap()
        .get(0);
    let desired = common::load_toml(
        r#"
[roles.cloud_admin]
external = true
[roles.stranger]
comment = "not ours"
[roles.svc]
bypassrls = true
[roles.worker]
login = true
[schemas.app]
owner = "cloud_admin"
[schemas.theirs]
owner = "stranger"
[tables."theirs.t"]
owner = "stranger"
columns.id = { type = "integer" }
columns.added = { type = "text" }
[[schemas.theirs.default_privileges]]
for_role = "stranger"
on = "tables"
grants = { worker = ["SELECT"] }
[extensions.citext]
comment = "case-insensitive text"
[tables."app.given"]
owner = "stranger"
columns.id = { type = "integer" }
[roles.member_r]
"#,
    );
    let (config, _) = as_cloud_admin(&db);
    let settings = pgrecon::conn::ConnectionSettings::from_config(config);
    let mut client = pgrecon::conn::connect(&settings).await.unwrap();
    let planned = pipeline::read_and_plan(
        &mut client,
        &desired.catalog,
        &DiffOptions::default(),
        &pgrecon::scratch::CanonSite::Target,
        Some("cloud_admin"),
    )
    .await
    .unwrap();
    let mut refused: Vec<String> = planned
        .plan
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Error)
        .map(|n| format!("{}: {}", n.object, n.message))
        .collect();
    refused.sort();
    let mut expected: Vec<String> = [
        "column added on theirs.t: cannot add column added to table theirs.t as cloud_admin: \
         needs the privileges of its owner stranger (`GRANT stranger TO cloud_admin`)",
        "extension citext: cannot set comment on extension citext as cloud_admin: needs the \
         privileges of its owner postgres (`GRANT postgres TO cloud_admin`)",
        "role stranger: cannot change this role's default privileges as cloud_admin: needs \
         the privileges of stranger (`GRANT stranger TO cloud_admin`)",
        "table app.given: cannot create table app.given as cloud_admin: it gives the object \
         to role stranger, which needs `SET ROLE stranger` (`GRANT stranger TO cloud_admin`)",
        "table app.given: cannot create table app.given as cloud_admin: its new owner \
         stranger needs CREATE on schema app",
    ]
    .map(String::from)
    .to_vec();
    if version >= 160000 {
        expected.extend(
            [
                "role svc: cannot create this role as cloud_admin: needs BYPASSRLS itself (or \
                 superuser), to give or take BYPASSRLS",
                "role stranger: cannot comment on this role as cloud_admin: needs the admin \
                 option on role stranger (`GRANT stranger TO cloud_admin WITH ADMIN OPTION`)",
                "role stranger: cannot change the members of this role as cloud_admin: needs \
                 the admin option on role stranger (`GRANT stranger TO cloud_admin WITH ADMIN \
                 OPTION`)",
                "role stranger: cannot change the members of this role as cloud_admin: needs \
                 to be the role that granted the membership of member_r (postgres): from \
                 PostgreSQL 16 a role revokes only the memberships it granted",
            ]
            .map(String::from),
        );
    } else {
        // Before 16, CREATEROLE manages every role but a superuser.
        expected.push(
            "role svc: cannot create this role as cloud_admin: needs superuser, to give or \
             take BYPASSRLS"
                .to_string(),
        );
    }
    expected.sort();
    assert_eq!(refused, expected, "{:#?}", planned.plan.notes);

    // Nothing was applied: the CLI refuses the plan as impossible and exits non-zero.
    let (_, url) = as_cloud_admin(&db);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("all.toml"),
        r#"
[roles.cloud_admin]
external = true
[roles.svc]
bypassrls = true
"#,
    )
    .unwrap();
    let out = common::pgrecon_with(
        &[
            "apply",
            "--dir",
            &dir.path().to_string_lossy(),
            "--database-url",
            &url,
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("needs"), "{stderr}");
    let exists: bool = db
        .client()
        .await
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'svc')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!exists);
}

#[tokio::test]
async fn a_cloud_admin_applies_what_it_may() {
    let db = TestDb::embedded().await;
    db.exec(SETUP).await;
    let (_, url) = as_cloud_admin(&db);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("all.toml"),
        r#"
[roles.cloud_admin]
external = true
[roles.worker]
login = true
password = { env = "WORKER_PASSWORD" }
member_of = ["readers"]
[roles.readers]
[schemas.app]
owner = "cloud_admin"
grants = { readers = ["USAGE"] }
[tables."app.notes"]
owner = "cloud_admin"
columns.id = { type = "bigint", identity = "always" }
columns.body = { type = "text", not_null = true }
primary_key = ["id"]
grants = { readers = ["SELECT"] }
"#,
    )
    .unwrap();
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let env = [("WORKER_PASSWORD", "correct horse")];
    let apply = common::pgrecon_with(&["apply", "--dir", &dir_arg, "--database-url", &url], &env);
    assert!(
        apply.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&apply.stdout),
        String::from_utf8_lossy(&apply.stderr)
    );
    // The password it set cannot be read back by a non-superuser: reported as such,
    // which is neither a change to plan nor drift.
    for command in ["plan", "drift"] {
        let out = common::pgrecon_with(&[command, "--dir", &dir_arg, "--database-url", &url], &env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{command}: {stdout}");
        assert!(stdout.contains("cannot be checked"), "{command}: {stdout}");
    }
}
