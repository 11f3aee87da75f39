//! Reading a directory of files.

use super::*;

#[test]
fn load_dir_reads_nested_files_in_path_order_and_skips_hidden_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("b/c/z.toml"), "[roles.z]\n").unwrap();
    std::fs::write(dir.path().join("a.toml"), "[roles.a]\n").unwrap();
    std::fs::write(dir.path().join(".git/x.toml"), "not toml at all [").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not toml at all [").unwrap();
    let desired = load_dir(dir.path()).unwrap();
    let labels: Vec<&str> = desired
        .sources
        .files
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(labels, vec!["a.toml", "b/c/z.toml"]);
    assert_eq!(desired.sources.roles["z"].file, "b/c/z.toml");

    let missing = load_dir(&dir.path().join("nope")).unwrap_err();
    assert_eq!(missing.errors[0].kind(), ErrorKind::Io);
}

#[test]
fn sql_files_accept_only_create_statements_of_the_kinds_declared_in_sql() {
    let sql = "-- nothing but comments here\n\
               GRANT SELECT ON app.t TO x;\n\
               CREATE TABLE app.t (id int);\n\
               SELEC 1;\n\
               /* a comment */ ;\n";
    let files = vec![
        (PathBuf::from("app.toml"), "[schemas.app]\n".to_string()),
        (PathBuf::from("objects.sql"), sql.to_string()),
    ];
    let errors = load_files(&files).unwrap_err();
    let found: Vec<(ErrorKind, &str)> = errors
        .errors
        .iter()
        .map(|e| (e.kind(), e.message()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                ErrorKind::SqlStatement,
                "a GRANT or REVOKE cannot be declared in a .sql file"
            ),
            (
                ErrorKind::SqlStatement,
                "a table (CREATE TABLE) cannot be declared in a .sql file"
            ),
            (
                ErrorKind::SqlSyntax,
                "invalid SQL: syntax error at or near \"SELEC\""
            ),
        ]
    );
    // Each error points at its own statement.
    let rendered = crate::config::error::render(&errors);
    assert!(rendered.contains("objects.sql:2:1"), "{rendered}");
    assert!(rendered.contains("objects.sql:3:1"), "{rendered}");
    assert!(rendered.contains("objects.sql:4:1"), "{rendered}");
}

#[test]
fn the_summary_counts_the_kinds_declared_in_sql() {
    let toml = "[schemas.app]\n[tables.\"app.t\"]\ncolumns.id = { type = \"integer\" }\n";
    let sql = "CREATE VIEW app.v AS SELECT 1 AS a;\n\
               CREATE MATERIALIZED VIEW app.m AS SELECT 1 AS a;\n\
               CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n\
               CREATE PROCEDURE app.p() LANGUAGE sql AS 'SELECT 1';\n\
               CREATE TRIGGER tg BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();\n";
    let desired = load_files(&[
        (PathBuf::from("app.toml"), toml.to_string()),
        (PathBuf::from("app.sql"), sql.to_string()),
    ])
    .unwrap_or_else(|e| panic!("{}", crate::config::error::render(&e)));
    assert_eq!(
        summary(&desired.catalog),
        "1 schema, 1 table, 1 view, 1 materialized view, 1 function, 1 procedure, 1 trigger"
    );
}
