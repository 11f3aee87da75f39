//! Collations, composite and range types from `.sql` files, with their TOML entries.

use super::*;
use crate::model::{Attribute, CollationProvider};

const TOML: &str = r#"
[roles.owner]
[roles.other]
[schemas.app]
owner = "owner"

[types."app.address"]
owner = "other"
comment = "where"

[collations."app.ci"]
comment = "case-insensitive"
"#;

const SQL: &str = r#"
CREATE TYPE app.address AS (
    street text,
    city varchar(40) COLLATE "C",   -- a comment
    geo app.point2 [],
    note text collate app.ci
);
CREATE TYPE app.span AS RANGE (subtype = timestamp with time zone, subtype_diff = app.diff);
CREATE TYPE app.floatrange AS RANGE (subtype = float8, multirange_type_name = floats);
CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION app.bytes (locale = 'C');
CREATE COLLATION app.mixed (lc_collate = 'C', lc_ctype = 'en_US.UTF-8');
"#;

fn load(toml: &str, sql: &str) -> Result<Desired, ConfigErrors> {
    load_files(&[
        (PathBuf::from("all.toml"), toml.to_string()),
        (PathBuf::from("app/types.sql"), sql.to_string()),
    ])
}

fn q(name: &str) -> QualifiedName {
    QualifiedName::new("app", name)
}

#[test]
fn definitions_are_read_from_the_parse_tree_as_written() {
    let desired = load(TOML, SQL).unwrap_or_else(|e| panic!("{}", error::render(&e)));
    let c = &desired.catalog;
    let address = &c.composite_types[&q("address")];
    let attribute = |name: &str, type_name: &str, collation: Option<&str>| Attribute {
        name: name.into(),
        type_name: type_name.into(),
        collation: collation.map(str::to_string),
    };
    assert_eq!(
        address.attributes,
        vec![
            attribute("street", "text", None),
            attribute("city", "varchar(40)", Some("\"C\"")),
            attribute("geo", "app.point2 []", None),
            attribute("note", "text", Some("app.ci")),
        ]
    );
    assert_eq!(address.owner.as_deref(), Some("other"));
    assert_eq!(address.comment.as_deref(), Some("where"));

    let span = &c.range_types[&q("span")];
    assert_eq!(span.subtype, "timestamp with time zone");
    assert_eq!(span.subtype_diff.as_deref(), Some("app.diff"));
    assert_eq!(span.multirange, q("span_multirange"));
    assert_eq!(span.owner.as_deref(), Some("owner"), "the schema's owner");
    assert_eq!(c.range_types[&q("floatrange")].multirange, q("floats"));

    let ci = &c.collations[&q("ci")];
    assert_eq!(ci.provider, CollationProvider::Icu);
    assert_eq!(ci.locale.as_deref(), Some("und-u-ks-level2"));
    assert_eq!((ci.lc_collate.as_deref(), ci.deterministic), (None, false));
    assert_eq!(ci.comment.as_deref(), Some("case-insensitive"));
    let bytes = &c.collations[&q("bytes")];
    assert_eq!(bytes.provider, CollationProvider::Libc);
    assert_eq!(bytes.locale, None);
    assert_eq!(
        (bytes.lc_collate.as_deref(), bytes.lc_ctype.as_deref()),
        (Some("C"), Some("C"))
    );
    let mixed = &c.collations[&q("mixed")];
    assert_eq!(mixed.lc_ctype.as_deref(), Some("en_US.UTF-8"));
    assert!(desired.sources.collations.contains_key(&q("ci")));
    assert!(desired.sources.types.contains_key(&q("floats")));
}

#[test]
fn mistakes_are_errors_at_their_place() {
    let toml = r#"
[roles.owner]
[schemas.app]
owner = "owner"
[enums."app.mood"]
values = ["ok"]
[types."app.missing"]
[types."app.mood"]
[collations."app.nowhere"]
comment = "x"
[types."app.t"]
colour = "red"
"#;
    let sql = "CREATE TYPE t AS (a int);\n\
               CREATE TYPE app.t AS (a int);\n\
               CREATE TYPE app.t AS RANGE (subtype = int);\n\
               CREATE COLLATION app.c FROM \"C\";\n\
               CREATE COLLATION app.d (provider = icu);\n\
               CREATE COLLATION app.e (locale = 'C', rules = '&a < b');\n\
               CREATE TYPE app.r AS RANGE (subtype_diff = f);\n\
               CREATE TYPE other.x AS (a int);\n";
    let errors = load(toml, sql).unwrap_err();
    let found: Vec<(ErrorKind, &str)> = errors
        .errors
        .iter()
        .map(|e| (e.kind(), e.message()))
        .collect();
    let expected = [
        (ErrorKind::InvalidName, "the type is not schema-qualified"),
        (ErrorKind::Duplicate, "type `app.t` is declared twice"),
        (
            ErrorKind::SqlStatement,
            "CREATE COLLATION … FROM is not supported",
        ),
        (
            ErrorKind::SqlStatement,
            "a collation with provider = icu needs its locale",
        ),
        (
            ErrorKind::SqlStatement,
            "collation option `rules` is not supported",
        ),
        (ErrorKind::SqlStatement, "a range type needs its subtype"),
        (
            ErrorKind::UnknownKey,
            "unknown key `colour` in type `app.t`",
        ),
        (
            ErrorKind::MissingKey,
            "type `app.missing` is not declared by a CREATE TYPE statement",
        ),
        (
            ErrorKind::MissingKey,
            "type `app.mood` is not declared by a CREATE TYPE statement",
        ),
        (
            ErrorKind::MissingKey,
            "collation `app.nowhere` is not declared by a CREATE COLLATION statement",
        ),
        (
            ErrorKind::UndeclaredSchema,
            "schema `other` of type `other.x` is not declared",
        ),
    ];
    for e in &expected {
        assert!(found.contains(e), "missing {e:?} in {found:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    let rendered = error::render(&errors);
    // The unqualified name is pointed at, the enum's entry is suggested.
    assert!(rendered.contains("app/types.sql:1:13"), "{rendered}");
    assert!(rendered.contains("[enums.\"app.mood\"]"), "{rendered}");
}
