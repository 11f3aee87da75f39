//! Errors of the relational layer: every kind reported, SQL syntax errors in the string.

use super::*;

#[test]
fn table_errors_are_all_reported_with_their_kind() {
    let text = r#"
[roles.app]
[schemas.s]
[tables."s.t"]
primary_key = ["id", "nope"]
columns.id = { type = "bigint", identity = "always", default = "1" }
columns.v = { type = "varchar(", generated = "1 +" }
indexes.t_idx = { columns = [{ column = "v", order = "up" }] }
foreign_keys.t_fk = { columns = ["id"], references = "s.ghost", on_delete = "cascades" }
policies.p = { roles = ["ghost_role"] }
[tables."x.t"]
[sequences."s.q"]
owned_by = "s.t.missing"
increment = 0
[enums."s.e"]
values = []
"#;
    let err = load_files(&[(PathBuf::from("t.toml"), text.into())]).unwrap_err();
    let kinds: Vec<ErrorKind> = err.errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        vec![
            ErrorKind::UnknownColumn,    // primary key `nope`
            ErrorKind::Conflict,         // identity + default
            ErrorKind::SqlSyntax,        // varchar(
            ErrorKind::SqlSyntax,        // 1 +
            ErrorKind::InvalidValue,     // order = "up"
            ErrorKind::UndeclaredTable,  // s.ghost
            ErrorKind::InvalidValue,     // cascades
            ErrorKind::UndeclaredRole,   // ghost_role
            ErrorKind::UndeclaredSchema, // x
            ErrorKind::UnknownColumn,    // owned_by missing
            ErrorKind::InvalidValue,     // increment 0
            ErrorKind::InvalidValue,     // empty enum
        ],
        "{}",
        render(&err)
    );
}

#[test]
fn sql_syntax_errors_point_into_the_string() {
    let text = "[schemas.s]\n[tables.\"s.t\"]\ncolumns.a = { type = \"int\", default = \"  length(x) >> > 0\" }\n";
    let err = load_files(&[(PathBuf::from("t.toml"), text.into())]).unwrap_err();
    let e = &err.errors[0];
    assert_eq!(e.kind(), ErrorKind::SqlSyntax);
    let span = e.span().unwrap();
    assert_eq!(&text[span.clone()], ">");
    assert_eq!(span.start, text.find(">> >").unwrap() + 3);
    // Escapes in the string: the whole value.
    let text =
        "[schemas.s]\n[tables.\"s.t\"]\ncolumns.a = { type = \"int\", default = \"\\u0031 +\" }\n";
    let err = load_files(&[(PathBuf::from("t.toml"), text.into())]).unwrap_err();
    assert_eq!(&text[err.errors[0].span().unwrap()], "\"\\u0031 +\"");
}

#[test]
fn manage_all_implies_tables_and_conflicts_with_manage_tables_false() {
    let text = "[schemas.s]\nmanage_all = true\n[schemas.t]\n";
    let c = load_files(&[(PathBuf::from("t.toml"), text.into())])
        .unwrap()
        .catalog;
    assert!(c.schemas["s"].manage_all && c.schemas["s"].manage_tables);
    assert!(!c.schemas["t"].manage_all && !c.schemas["t"].manage_tables);

    let text = "[schemas.s]\nmanage_all = true\nmanage_tables = false\n";
    let err = load_files(&[(PathBuf::from("t.toml"), text.into())]).unwrap_err();
    let e = &err.errors[0];
    assert_eq!(e.kind(), ErrorKind::InvalidValue, "{}", render(&err));
    assert_eq!(&text[e.span().unwrap()], "false");
}

#[test]
fn not_valid_is_a_key_of_checks_and_foreign_keys_only() {
    let text = r#"
[schemas.s]
[tables."s.t"]
primary_key = ["id"]
columns.id = { type = "int" }
columns.n = { type = "int" }
checks.t_n = { expression = "n > 0", not_valid = true }
checks.t_id = "id > 0"
foreign_keys.t_fk = { columns = ["n"], references = "s.t", not_valid = true }
"#;
    let c = load_files(&[(PathBuf::from("t.toml"), text.into())])
        .unwrap_or_else(|e| panic!("{}", render(&e)))
        .catalog;
    let t = &c.tables[&crate::model::QualifiedName::new("s", "t")];
    assert!(!t.constraints["t_n"].validated);
    assert!(!t.constraints["t_fk"].validated);
    assert!(t.constraints["t_id"].validated);
    assert!(t.constraints["t_pkey"].validated);

    let text = "[schemas.s]\n[tables.\"s.t\"]\ncolumns.n = { type = \"int\" }\nunique.t_u = { columns = [\"n\"], not_valid = true }\n";
    let err = load_files(&[(PathBuf::from("t.toml"), text.into())]).unwrap_err();
    let e = &err.errors[0];
    assert_eq!(e.kind(), ErrorKind::UnknownKey, "{}", render(&err));
    assert_eq!(&text[e.span().unwrap()], "not_valid");
}
