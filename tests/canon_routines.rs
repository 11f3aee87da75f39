//! `canon` for functions and procedures against a real PostgreSQL: a declared statement
//! becomes the server's `pg_get_functiondef` text and identity, the same as introspection
//! reads once it is applied; what the server rejects is named and located at the
//! statement.

mod common;

use common::TestDb;
use pgrecon::canon::{self, CanonError};
use pgrecon::config;
use pgrecon::introspect;
use pgrecon::model::*;
use std::path::PathBuf;

const TOML: &str = r#"
[roles.owner]
[schemas.app]
owner = "owner"
"#;

fn desired(sql: &str) -> config::Desired {
    desired_with(TOML, sql)
}

fn desired_with(toml: &str, sql: &str) -> config::Desired {
    config::load_files(&[
        (PathBuf::from("all.toml"), toml.into()),
        (PathBuf::from("functions.sql"), sql.into()),
    ])
    .unwrap_or_else(|e| panic!("{}", config::render(&e)))
}

fn id(name: &str, arguments: &str) -> FunctionId {
    FunctionId {
        schema: "app".into(),
        name: name.into(),
        arguments: arguments.into(),
    }
}

const SQL: &str = "
CREATE TYPE app.mood AS ENUM ('ok');
CREATE FUNCTION app.f(a int, m mood, OUT b text) LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE PROCEDURE app.p(x int4)
BEGIN ATOMIC
  SELECT x + 1;
END;
";

#[tokio::test]
async fn declared_routines_canonicalise_to_what_introspection_reads() {
    let db = TestDb::new().await;
    db.exec("CREATE ROLE owner; CREATE SCHEMA app AUTHORIZATION owner")
        .await;
    // The enum is live; the statements name it unqualified and spell types their way.
    let (types, routines) = SQL.split_once(";\n").unwrap();
    db.exec(types).await;
    // The key names the type as the server prints it, qualified.
    let toml = format!("{TOML}[functions.\"app.f(integer, app.mood)\"]\ncomment = \"c\"\n");
    let d = desired_with(&toml, routines);
    // Offline, the unqualified type cannot be resolved: the identity is provisional.
    let provisional = &d.catalog.functions[&id("f", "integer, mood")];
    assert_eq!(provisional.comment.as_deref(), Some("c"));
    let mut client = db.client().await;
    let canonical = canon::in_scratch_transaction(&mut client, &d.catalog)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<String> = canonical.functions.keys().map(|k| k.to_string()).collect();
    assert_eq!(keys, ["app.f(integer, app.mood)", "app.p(integer)"]);
    let f = &canonical.functions[&id("f", "integer, app.mood")];
    assert_eq!(
        f.comment.as_deref(),
        Some("c"),
        "the entry follows its routine"
    );

    // Applied as written, introspection reads exactly the canonical definitions.
    db.exec(&format!("SET search_path = app; {routines}")).await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    for (k, f) in &canonical.functions {
        assert_eq!(f.definition, live.functions[k].definition, "{k}");
        assert_eq!(f.is_procedure, live.functions[k].is_procedure, "{k}");
    }
    let f = canonical.functions[&id("f", "integer, app.mood")]
        .definition
        .clone()
        .unwrap();
    assert!(
        f.text
            .starts_with("CREATE OR REPLACE FUNCTION app.f(a integer, m app.mood, OUT b text)"),
        "{}",
        f.text
    );
    assert_eq!(f.result.as_deref(), Some("text"));
    // Canonical text is a fixed point, and then needs no scratch copy at all.
    let again = canon::in_scratch_transaction_with_live(&mut client, &canonical, &live)
        .await
        .unwrap();
    assert_eq!(again.functions, canonical.functions);
}

#[tokio::test]
async fn a_whitespace_only_body_edit_is_a_change() {
    let db = TestDb::new().await;
    db.exec("CREATE ROLE owner; CREATE SCHEMA app AUTHORIZATION owner")
        .await;
    db.exec("CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        .await;
    let mut client = db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    let d = desired("CREATE FUNCTION app.g() RETURNS int LANGUAGE sql AS 'SELECT  1'");
    let canonical = canon::in_scratch_transaction(&mut client, &d.catalog)
        .await
        .unwrap();
    let key = id("g", "");
    assert_ne!(
        canonical.functions[&key].definition,
        live.functions[&key].definition
    );
    let d = desired("create function app.g() returns integer language sql as 'SELECT 1'");
    let canonical = canon::in_scratch_transaction(&mut client, &d.catalog)
        .await
        .unwrap();
    assert_eq!(
        canonical.functions[&key].definition,
        live.functions[&key].definition
    );
}

#[tokio::test]
async fn rejected_routines_are_named_and_located() {
    let db = TestDb::new().await;
    db.exec("CREATE ROLE owner; CREATE SCHEMA app AUTHORIZATION owner")
        .await;
    let d = desired(
        "CREATE FUNCTION app.ok() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
         CREATE FUNCTION app.broken(a nosuchtype) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
    );
    let mut client = db.client().await;
    let err = canon::in_scratch_transaction(&mut client, &d.catalog)
        .await
        .expect_err("an unknown type is rejected");
    let CanonError::Rejected(problems) = &err else {
        panic!("unexpected error: {err}");
    };
    assert_eq!(problems.len(), 1, "{err}");
    let located = err.located(&d.sources);
    assert!(
        located.contains("function app.broken(nosuchtype): type nosuchtype does not exist"),
        "{located}"
    );
    assert!(located.contains("functions.sql:2:17"), "{located}");
    assert!(!located.contains("pgrecon_canon"), "{located}");
}
