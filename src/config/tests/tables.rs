//! The relational layer: tables, sequences, types and extensions into the model.

use super::*;

fn load_tables() -> Desired {
    load_files(&[(PathBuf::from("tables.toml"), TABLES.to_string())])
        .unwrap_or_else(|e| panic!("{}", render(&e)))
}

#[test]
fn tables_map_to_the_expected_model() {
    use crate::model::*;
    let desired = load_tables();
    let c = &desired.catalog;
    let q = QualifiedName::new;
    let s = |x: &str| x.to_string();
    let strings = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    // general.notes, field by field
    let notes = &c.tables[&q("general", "notes")];
    let mut secret_acl = Acl::default();
    secret_acl.grant(role("auditor"), Privilege::Select, false);
    secret_acl.grant(role("auditor"), Privilege::Update, false);
    let col = |name: &str, ty: &str| Column::new(name, ty);
    let expected_columns = vec![
        Column {
            needs_using: false,
            not_null: true,
            identity: Some(Identity {
                kind: IdentityKind::Always,
                options: SequenceOptions {
                    start: Some(10),
                    increment: Some(2),
                    min_value: Some(1),
                    max_value: Some(100000),
                    cache: Some(5),
                    cycle: true,
                },
            }),
            ..col("id", "bigint")
        },
        Column {
            needs_using: false,
            not_null: true,
            collation: Some(s("C")),
            comment: Some(s("the body")),
            ..col("body", "text")
        },
        Column {
            needs_using: false,
            not_null: true,
            default: Some(s("now()")),
            ..col("created_at", "timestamptz")
        },
        Column {
            needs_using: false,
            renamed_from: Some(s("subject")),
            using: Some(s("subject::varchar(200)")),
            ..col("title", "varchar(200)")
        },
        Column {
            needs_using: false,
            generated: Some(s("price * qty")),
            ..col("total", "numeric(10,2)")
        },
        Column {
            needs_using: false,
            acl: secret_acl,
            ..col("secret", "text")
        },
        col("author_id", "bigint"),
        col("slug", "text"),
        col("room", "int"),
        col("start_at", "timestamp"),
        col("end_at", "timestamp"),
        col("email", "text"),
        col("price", "numeric"),
        col("qty", "int"),
        col("deleted_at", "timestamptz"),
    ];
    assert_eq!(notes.columns, expected_columns);

    let constraint = |name: &str, kind: ConstraintKind| Constraint {
        name: s(name),
        renamed_from: None,
        kind,
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
    };
    let expected_constraints = BTreeMap::from([
        (
            s("notes_pkey"),
            constraint(
                "notes_pkey",
                ConstraintKind::PrimaryKey {
                    columns: strings(&["id"]),
                    include: vec![],
                },
            ),
        ),
        (
            s("notes_slug_key"),
            Constraint {
                renamed_from: Some(s("notes_slug_uq")),
                deferrable: true,
                initially_deferred: true,
                comment: Some(s("one slug")),
                ..constraint(
                    "notes_slug_key",
                    ConstraintKind::Unique {
                        columns: strings(&["slug"]),
                        include: strings(&["title"]),
                        nulls_not_distinct: true,
                    },
                )
            },
        ),
        (
            s("notes_author_fkey"),
            Constraint {
                renamed_from: Some(s("fk_author")),
                deferrable: true,
                comment: Some(s("who")),
                ..constraint(
                    "notes_author_fkey",
                    ConstraintKind::ForeignKey {
                        columns: strings(&["author_id"]),
                        references: q("general", "authors"),
                        // Defaulted to the referenced table's primary key.
                        referenced_columns: strings(&["id"]),
                        on_update: ForeignKeyAction::SetNull,
                        on_delete: ForeignKeyAction::Cascade,
                        match_full: true,
                    },
                )
            },
        ),
        (
            s("notes_author_email_fkey"),
            constraint(
                "notes_author_email_fkey",
                ConstraintKind::ForeignKey {
                    columns: strings(&["email"]),
                    references: q("general", "authors"),
                    referenced_columns: strings(&["email"]),
                    on_update: ForeignKeyAction::NoAction,
                    on_delete: ForeignKeyAction::NoAction,
                    match_full: false,
                },
            ),
        ),
        (
            s("notes_body_check"),
            constraint(
                "notes_body_check",
                ConstraintKind::Check {
                    expression: s("length(body) > 0"),
                    no_inherit: false,
                },
            ),
        ),
        (
            s("notes_total_check"),
            Constraint {
                renamed_from: Some(s("total_check")),
                ..constraint(
                    "notes_total_check",
                    ConstraintKind::Check {
                        expression: s("total >= 0"),
                        no_inherit: true,
                    },
                )
            },
        ),
        (
            s("rooms_no_overlap"),
            Constraint {
                deferrable: true,
                ..constraint(
                    "rooms_no_overlap",
                    ConstraintKind::Exclusion {
                        method: s("gist"),
                        elements: vec![
                            ExclusionElement {
                                column: Some(s("room")),
                                expression: None,
                                operator: s("="),
                            },
                            ExclusionElement {
                                column: None,
                                expression: Some(s("tsrange(start_at, end_at)")),
                                operator: s("&&"),
                            },
                        ],
                        predicate: Some(s("deleted_at IS NULL")),
                    },
                )
            },
        ),
    ]);
    assert_eq!(notes.constraints, expected_constraints);

    let key = |column: Option<&str>, expression: Option<&str>| IndexKey {
        column: column.map(s),
        expression: expression.map(s),
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: None,
    };
    let index = |name: &str, keys: Vec<IndexKey>| Index {
        name: s(name),
        renamed_from: None,
        unique: false,
        nulls_not_distinct: false,
        method: s("btree"),
        keys,
        include: vec![],
        predicate: None,
        with: BTreeMap::new(),
        concurrently: false,
        valid: true,
        comment: None,
    };
    let expected_indexes = BTreeMap::from([
        (
            s("notes_created_at_idx"),
            index("notes_created_at_idx", vec![key(Some("created_at"), None)]),
        ),
        (
            s("notes_full_idx"),
            Index {
                renamed_from: Some(s("notes_old_idx")),
                unique: true,
                nulls_not_distinct: true,
                include: strings(&["room"]),
                predicate: Some(s("deleted_at IS NULL")),
                with: BTreeMap::from([
                    (s("fillfactor"), s("70")),
                    (s("deduplicate_items"), s("false")),
                    (s("foo"), s("bar")),
                    (s("ratio"), s("0.5")),
                ]),
                concurrently: true,
                comment: Some(s("all of it")),
                ..index(
                    "notes_full_idx",
                    vec![
                        key(Some("title"), None),
                        // DESC NULLS FIRST is DESC's default: not kept.
                        IndexKey {
                            opclass: Some(s("text_pattern_ops")),
                            collation: Some(s("C")),
                            descending: true,
                            ..key(Some("body"), None)
                        },
                        // ASC NULLS FIRST differs from ASC's default: kept.
                        IndexKey {
                            nulls_first: Some(true),
                            ..key(None, Some("lower(email)"))
                        },
                        IndexKey {
                            descending: true,
                            nulls_first: Some(false),
                            ..key(Some("slug"), None)
                        },
                    ],
                )
            },
        ),
        (
            s("notes_email_uidx"),
            Index {
                unique: true,
                ..index("notes_email_uidx", vec![key(Some("email"), None)])
            },
        ),
    ]);
    assert_eq!(notes.indexes, expected_indexes);

    let expected_policies = BTreeMap::from([
        (
            s("own_rows"),
            Policy {
                comment: None,
                name: s("own_rows"),
                permissive: false,
                command: s("SELECT"),
                roles: strings(&["auditor", "butler_general_app"]),
                using: Some(s("owner = current_user")),
                with_check: None,
            },
        ),
        (
            s("everyone"),
            Policy {
                comment: None,
                name: s("everyone"),
                permissive: true,
                command: s("ALL"),
                roles: strings(&["PUBLIC"]),
                using: None,
                with_check: Some(s("true")),
            },
        ),
    ]);
    assert_eq!(notes.policies, expected_policies);
    assert_eq!(notes.renamed_from.as_deref(), Some("old_notes"));
    assert_eq!(notes.comment.as_deref(), Some("the notes"));
    assert!(notes.unlogged && notes.row_level_security && notes.force_row_level_security);
    assert_eq!(notes.partition_by, None);
    assert_eq!(notes.partition_of, None);

    // relations: owner defaults to the schema's, per-object grants, kinds
    let mut notes_acl = Acl::default();
    notes_acl.grant(role("butler_general_app"), Privilege::Select, false);
    notes_acl.grant(role("butler_general_app"), Privilege::Insert, false);
    assert_eq!(
        c.relations[&q("general", "notes")],
        Relation {
            name: q("general", "notes"),
            kind: RelationKind::Table,
            owner: Some(s("butlers_owner")),
            acl: notes_acl,
        }
    );
    let events = &c.relations[&q("general", "events")];
    assert_eq!(events.kind, RelationKind::PartitionedTable);
    assert_eq!(events.owner.as_deref(), Some("platform"));
    assert_eq!(
        c.relations[&q("general", "events_2022_01")].kind,
        RelationKind::Table
    );
    // A schema without an owner: the table's owner is not managed.
    assert_eq!(c.relations[&q("audit", "log")].owner, None);

    // partitions
    let events_table = &c.tables[&q("general", "events")];
    assert_eq!(
        events_table.partition_by.as_deref(),
        Some("RANGE (created_at)")
    );
    assert_eq!(
        events_table.constraints["events_pk"],
        Constraint {
            name: s("events_pk"),
            renamed_from: Some(s("events_pkey")),
            kind: ConstraintKind::PrimaryKey {
                columns: strings(&["id", "created_at"]),
                include: strings(&["kind"]),
            },
            deferrable: true,
            initially_deferred: true,
            validated: true,
            comment: Some(s("the key")),
        }
    );
    // Primary key columns are NOT NULL, as PostgreSQL makes them.
    assert!(events_table.columns.iter().take(2).all(|c| c.not_null));
    assert!(!events_table.columns[2].not_null);
    let partition = &c.tables[&q("general", "events_2022_01")];
    assert_eq!(
        partition.partition_of,
        Some(PartitionOf {
            parent: q("general", "events"),
            bound: s("FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')"),
        })
    );
    assert!(partition.columns.is_empty());

    // sequences
    let mut seq_acl = Acl::default();
    seq_acl.grant(role("app"), Privilege::Usage, false);
    seq_acl.grant(role("app"), Privilege::Select, false);
    assert_eq!(
        c.sequences[&q("general", "ticket_seq")],
        Sequence {
            name: q("general", "ticket_seq"),
            owner: Some(s("butlers_owner")),
            data_type: s("integer"),
            options: SequenceOptions {
                start: Some(5),
                increment: Some(5),
                min_value: Some(5),
                max_value: Some(1000),
                cache: Some(10),
                cycle: true,
            },
            owned_by: Some((q("general", "notes"), s("id"))),
            comment: Some(s("tickets")),
        }
    );
    assert_eq!(
        c.relations[&q("general", "ticket_seq")],
        Relation {
            name: q("general", "ticket_seq"),
            kind: RelationKind::Sequence,
            owner: Some(s("butlers_owner")),
            acl: seq_acl,
        }
    );
    let plain = &c.sequences[&q("shared", "plain_seq")];
    assert_eq!(plain.data_type, "bigint");
    assert_eq!(plain.owner.as_deref(), Some("app"));
    assert_eq!(plain.options, SequenceOptions::default());
    assert_eq!(
        c.relations[&q("shared", "plain_seq")].owner.as_deref(),
        Some("app")
    );

    // enums, domains, extensions
    assert_eq!(
        c.enums[&q("general", "mood")],
        EnumType {
            acl: None,
            name: q("general", "mood"),
            owner: Some(s("butlers_owner")),
            values: strings(&["sad", "ok", "happy"]),
            comment: Some(s("moods")),
        }
    );
    assert_eq!(c.enums[&q("shared", "level")].owner.as_deref(), Some("app"));
    assert_eq!(
        c.domains[&q("general", "email")],
        Domain {
            acl: None,
            name: q("general", "email"),
            owner: Some(s("butlers_owner")),
            base_type: s("text"),
            collation: Some(s("C")),
            not_null: true,
            default: Some(s("'nobody@example.com'")),
            checks: BTreeMap::from([(s("email_check"), s("VALUE ~ '@'"))]),
            comment: Some(s("an address")),
        }
    );
    assert_eq!(
        c.extensions,
        BTreeMap::from([
            (
                s("btree_gist"),
                Extension {
                    name: s("btree_gist"),
                    schema: Some(s("shared")),
                    version: None,
                    comment: None,
                    update_targets: Vec::new(),
                    owner: None,
                }
            ),
            (
                s("pgcrypto"),
                Extension {
                    name: s("pgcrypto"),
                    schema: Some(s("public")),
                    version: Some(s("1.3")),
                    comment: None,
                    update_targets: Vec::new(),
                    owner: None,
                }
            ),
            (
                s("plpgsql"),
                Extension {
                    name: s("plpgsql"),
                    schema: None,
                    version: None,
                    comment: None,
                    update_targets: Vec::new(),
                    owner: None,
                }
            ),
        ])
    );

    // manage_tables: explicit wins, else whether a table is declared in the schema
    assert!(c.schemas["general"].manage_tables);
    assert!(!c.schemas["shared"].manage_tables);
    assert!(c.schemas["audit"].manage_tables);
    assert!(!c.schemas["empty"].manage_tables);

    // sources
    let src = &desired.sources;
    assert_eq!(
        src.describe(&src.relations[&q("general", "notes")]),
        "tables.toml:28:9"
    );
    assert!(src.types.contains_key(&q("general", "mood")));
    assert!(src.extensions.contains_key("pgcrypto"));
    assert!(src.grants.contains_key(&(
        GrantSite::Column(q("general", "notes"), s("secret")),
        role("auditor")
    )));
}

#[test]
fn column_order_is_the_order_written_in_every_form() {
    // Inline, dotted keys and sub-tables: the key order, never the alphabetical one.
    let text = r#"
[schemas.s]
[tables."s.inline"]
columns = { zeta = { type = "int" }, alpha = { type = "int" }, mid = { type = "int" } }
[tables."s.dotted"]
columns.zeta = { type = "int" }
columns.alpha = { type = "int" }
columns.mid = { type = "int" }
[tables."s.headers".columns.zeta]
type = "int"
[tables."s.headers".columns.alpha]
type = "int"
[tables."s.headers".columns.mid]
type = "int"
"#;
    let desired = load_files(&[(PathBuf::from("t.toml"), text.into())])
        .unwrap_or_else(|e| panic!("{}", render(&e)));
    for table in ["inline", "dotted", "headers"] {
        let names: Vec<&str> = desired.catalog.tables[&QualifiedName::new("s", table)]
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["zeta", "alpha", "mid"], "{table}");
    }
}

#[test]
fn primary_key_name_defaults_to_table_pkey_within_63_bytes() {
    let long = "t".repeat(63);
    let text = format!(
        "[schemas.s]\n[tables.\"s.notes\"]\nprimary_key = [\"id\"]\ncolumns.id = {{ type = \"int\" }}\n\
         [tables.\"s.{long}\"]\nprimary_key = [\"id\"]\ncolumns.id = {{ type = \"int\" }}\n"
    );
    let desired =
        load_files(&[(PathBuf::from("t.toml"), text)]).unwrap_or_else(|e| panic!("{}", render(&e)));
    let t = &desired.catalog.tables;
    assert!(
        t[&QualifiedName::new("s", "notes")]
            .constraints
            .contains_key("notes_pkey")
    );
    let names: Vec<&String> = t[&QualifiedName::new("s", long.as_str())]
        .constraints
        .keys()
        .collect();
    assert_eq!(names, [&format!("{}_pkey", "t".repeat(58))]);
}

#[test]
fn owners_default_to_the_schema_owner_declared_in_another_file() {
    let desired = load_files(&[
        (
            PathBuf::from("a.toml"),
            "[tables.\"s.t\"]\n[sequences.\"s.q\"]\n[enums.\"s.e\"]\nvalues = [\"x\"]\n\
             [domains.\"s.d\"]\ntype = \"int\"\n[tables.\"s.mine\"]\nowner = \"other\"\n"
                .into(),
        ),
        (
            PathBuf::from("b.toml"),
            "[roles.owner]\n[roles.other]\n[schemas.s]\nowner = \"owner\"\n".into(),
        ),
    ])
    .unwrap_or_else(|e| panic!("{}", render(&e)));
    let c = &desired.catalog;
    let q = |n: &str| QualifiedName::new("s", n);
    assert_eq!(c.relations[&q("t")].owner.as_deref(), Some("owner"));
    assert_eq!(c.relations[&q("mine")].owner.as_deref(), Some("other"));
    assert_eq!(c.relations[&q("q")].owner.as_deref(), Some("owner"));
    assert_eq!(c.sequences[&q("q")].owner.as_deref(), Some("owner"));
    assert_eq!(c.enums[&q("e")].owner.as_deref(), Some("owner"));
    assert_eq!(c.domains[&q("d")].owner.as_deref(), Some("owner"));
    assert!(c.schemas["s"].manage_tables);
}

/// Scale check (run with `--ignored --nocapture`, in release for real numbers): 10,000
/// tables of 14 columns, 4 indexes and 3 constraints each.
#[test]
#[ignore]
fn loading_ten_thousand_tables() {
    use std::fmt::Write;
    let mut text = String::from("[roles.app]\n[schemas.s]\nowner = \"app\"\n");
    for i in 0..10_000 {
        let _ = write!(
            text,
            "[tables.\"s.t{i}\"]\nprimary_key = [\"id\"]\n\
             columns.id = {{ type = \"bigint\", identity = \"always\" }}\n\
             columns.parent_id = {{ type = \"bigint\" }}\n"
        );
        for c in 0..12 {
            let (ty, default) = match c % 4 {
                0 => ("text", "''"),
                1 => ("timestamptz", "now()"),
                2 => ("numeric(10,2)", "0"),
                _ => ("jsonb", "'{{}}'::jsonb"),
            };
            let _ = writeln!(
                text,
                "columns.c{c} = {{ type = \"{ty}\", not_null = true, default = \"{default}\" }}"
            );
        }
        let parent = if i == 0 { 0 } else { i - 1 };
        let _ = write!(
            text,
            "foreign_keys.t{i}_parent_fkey = {{ columns = [\"parent_id\"], references = \"s.t{parent}\" }}\n\
             checks.t{i}_c2_check = \"c2 >= 0\"\n\
             indexes.t{i}_c0_idx = {{ columns = [\"c0\"] }}\n\
             indexes.t{i}_c1_idx = {{ columns = [\"c1\", \"c5\"], where = \"c9 IS NOT NULL\" }}\n\
             indexes.t{i}_lower_idx = {{ columns = [{{ expression = \"lower(c4)\" }}] }}\n\
             indexes.t{i}_parent_idx = {{ columns = [\"parent_id\"] }}\n"
        );
    }
    let start = std::time::Instant::now();
    let desired = load_files(&[(PathBuf::from("big.toml"), text)])
        .unwrap_or_else(|e| panic!("{}", render(&e)));
    let elapsed = start.elapsed();
    assert_eq!(desired.catalog.tables.len(), 10_000);
    println!("loaded 10,000 tables in {elapsed:?}");
}
