//! Names: function keys, control characters in every declared name.

use super::*;

#[test]
fn function_keys_are_normalised() {
    let id = load::parse_function_key("s.f(  character   varying ,numeric(10, 2),\"My Type\" )")
        .unwrap();
    assert_eq!(id.schema, "s");
    assert_eq!(id.name, "f");
    assert_eq!(
        id.arguments,
        "character varying, numeric(10, 2), \"My Type\""
    );
    assert_eq!(load::parse_function_key("s.f()").unwrap().arguments, "");
    assert!(load::parse_function_key("s.f").is_none());
    assert!(load::parse_function_key("f(integer)").is_none());
    assert!(load::parse_function_key("s.f(integer,)").is_none());
}

#[test]
fn control_characters_are_rejected_in_every_declared_name() {
    // `{}` is replaced by a name holding one unsafe character; each variant declares
    // or references one kind of name.
    let base = "[roles.app]\n[schemas.general]\nowner = \"app\"\n";
    let variants = [
        "[roles.{}]\n",
        "[schemas.{}]\n",
        "[roles.r]\nmember_of = [{}]\n",
        "[database]\ngrants = { {} = [\"CONNECT\"] }\n",
        "[schemas.s]\nowner = {}\n",
        "[[schemas.general.default_privileges]]\nfor_role = {}\non = \"tables\"\ngrants = { app = [\"SELECT\"] }\n",
        "[tables.\"general.t\"]\ncolumns = { {} = { type = \"text\" } }\n",
        "[tables.\"general.t\"]\ncolumns = { a = { type = \"text\" } }\nindexes = { {} = { columns = [\"a\"] } }\n",
        "[tables.\"general.t\"]\ncolumns = { a = { type = \"text\" } }\nchecks = { {} = \"a <> ''\" }\n",
        "[tables.\"general.t\"]\ncolumns = { a = { type = \"text\" } }\nrow_level_security = true\npolicies = { {} = { using = \"true\" } }\n",
        "[tables.\"general.t\"]\ncolumns = { a = { type = \"text\" } }\nrow_level_security = true\npolicies = { p = { roles = [{}], using = \"true\" } }\n",
        "[extensions.{}]\n",
    ];
    for c in ['\0', '\n', '\r', '\u{1b}', '\u{7f}', '\u{202e}', '\u{2028}'] {
        let name = crate::escape::toml_string(&format!("x{c}y"));
        for v in variants {
            let text = format!("{base}{}", v.replace("{}", &name));
            let err = load_files(&[(PathBuf::from("a.toml"), text.clone())])
                .expect_err(&format!("accepted:\n{text}"));
            assert!(
                err.errors
                    .iter()
                    .any(|e| e.kind() == ErrorKind::InvalidName),
                "{text}\n{}",
                render(&err)
            );
            let rendered = render(&err);
            let raw = if c == '\n' {
                rendered.contains("x\ny")
            } else {
                rendered.contains(c)
            };
            assert!(!raw, "a raw {c:?} in the diagnostics:\n{rendered}");
        }
    }
    // Qualified object keys: the schema part and the object part.
    for key in ["\"general.t\\u0000\"", "\"general.\\\"t\\nx\\\"\""] {
        for section in ["tables", "sequences", "enums", "domains", "table_grants"] {
            let body = match section {
                "tables" => "columns = { a = { type = \"text\" } }\n",
                "enums" => "values = [\"a\"]\n",
                "domains" => "type = \"text\"\n",
                "table_grants" => "app = [\"SELECT\"]\n",
                _ => "",
            };
            let text = format!("{base}[{section}.{key}]\n{body}");
            let err = load_files(&[(PathBuf::from("a.toml"), text.clone())])
                .expect_err(&format!("accepted:\n{text}"));
            assert!(
                err.errors
                    .iter()
                    .any(|e| e.kind() == ErrorKind::InvalidName),
                "{text}\n{}",
                render(&err)
            );
        }
    }
}
