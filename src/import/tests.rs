//! Import round trips: what import writes loads back as the catalog it was written from.

use crate::model::*;
use std::path::PathBuf;

fn qn(s: &str, n: &str) -> QualifiedName {
    QualifiedName::new(s, n)
}

fn constraint(name: &str, kind: ConstraintKind) -> (String, Constraint) {
    (
        name.into(),
        Constraint {
            name: name.into(),
            renamed_from: None,
            kind,
            deferrable: false,
            initially_deferred: false,
            validated: true,
            comment: None,
        },
    )
}

fn key(column: Option<&str>, expression: Option<&str>) -> IndexKey {
    IndexKey {
        column: column.map(str::to_string),
        expression: expression.map(str::to_string),
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: None,
    }
}

/// A live catalog with one of everything the relational layer holds.
fn live() -> Catalog {
    let mut c = Catalog {
        server: Some(ServerInfo {
            version_num: 150000,
            version: "PostgreSQL 15".into(),
            system_identifier: "1".into(),
            current_user: "postgres".into(),
            can_read_passwords: true,
        }),
        database: Some(Database {
            name: Some("db".into()),
            owner: Some("postgres".into()),
            ..Database::default()
        }),
        ..Catalog::default()
    };
    c.roles.insert("postgres".into(), Role::new("postgres"));
    c.roles.insert("app".into(), Role::new("app"));
    let mut schema = Schema::new("My Schema");
    schema.owner = Some("postgres".into());
    c.schemas.insert(schema.name.clone(), schema);
    let s = "My Schema";

    c.enums.insert(
        qn(s, "mood"),
        EnumType {
            acl: None,
            name: qn(s, "mood"),
            owner: Some("postgres".into()),
            values: vec!["sad".into(), "it's ok".into()],
            comment: Some("how one feels".into()),
        },
    );
    c.domains.insert(
        qn(s, "Email"),
        Domain {
            acl: None,
            name: qn(s, "Email"),
            owner: Some("app".into()),
            base_type: "character varying(200)".into(),
            collation: Some("\"C\"".into()),
            not_null: true,
            default: Some("'x@y'::character varying".into()),
            checks: [(
                "has at".to_string(),
                "((VALUE)::text ~ '@'::text)".to_string(),
            )]
            .into(),
            comment: None,
        },
    );
    c.sequences.insert(
        qn(s, "Notes_id_seq"),
        Sequence {
            name: qn(s, "Notes_id_seq"),
            owner: None,
            data_type: "integer".into(),
            options: SequenceOptions {
                start: Some(10),
                increment: Some(5),
                min_value: None,
                max_value: Some(1000),
                cache: Some(2),
                cycle: true,
            },
            owned_by: Some((qn(s, "Notes"), "id".into())),
            comment: Some("ids".into()),
        },
    );
    c.extensions.insert(
        "uuid-ossp".into(),
        Extension {
            name: "uuid-ossp".into(),
            schema: Some("public".into()),
            version: Some("1.1".into()),
            comment: None,
            update_targets: Vec::new(),
            owner: None,
        },
    );

    let mut notes = Table::new(qn(s, "Notes"));
    notes.comment = Some("notes \"quoted\"\nand a newline".into());
    notes.row_level_security = true;
    notes.force_row_level_security = true;
    let mut id = Column::new("id", "integer");
    id.not_null = true;
    id.default = Some("nextval('\"My Schema\".\"Notes_id_seq\"'::regclass)".into());
    let mut body = Column::new("Body Text", "text");
    body.collation = Some("\"C\"".into());
    body.comment = Some("the body".into());
    body.acl
        .grant(Grantee::Role("app".into()), Privilege::Select, true);
    body.acl
        .grant(Grantee::Role("app".into()), Privilege::Update, true);
    body.acl
        .grant(Grantee::Public, Privilege::References, false);
    let mut ident = Column::new("n", "bigint");
    ident.not_null = true;
    ident.identity = Some(Identity {
        kind: IdentityKind::ByDefault,
        options: SequenceOptions {
            start: Some(100),
            ..SequenceOptions::default()
        },
    });
    let mut simple = Column::new("m", "bigint");
    simple.not_null = true;
    simple.identity = Some(Identity {
        kind: IdentityKind::Always,
        options: SequenceOptions::default(),
    });
    let mut generated = Column::new("twice", "integer");
    generated.generated = Some("(id * 2)".into());
    let mut during = Column::new("during", "tsrange");
    during.default = Some("'empty'::tsrange".into());
    notes.columns = vec![
        id,
        body,
        ident,
        simple,
        generated,
        during,
        Column::new("mood", "\"My Schema\".mood"),
        Column::new("email", "\"My Schema\".\"Email\""),
    ];
    notes.constraints.extend([
        constraint(
            "Notes_pkey",
            ConstraintKind::PrimaryKey {
                columns: vec!["id".into()],
                include: vec!["n".into()],
            },
        ),
        constraint(
            "notes_body_key",
            ConstraintKind::Unique {
                columns: vec!["Body Text".into(), "m".into()],
                include: vec![],
                nulls_not_distinct: true,
            },
        ),
        constraint(
            "notes_check",
            ConstraintKind::Check {
                expression: "(length(\"Body Text\") > 0)".into(),
                no_inherit: true,
            },
        ),
        constraint(
            "notes_simple_check",
            ConstraintKind::Check {
                expression: "(id > 0)".into(),
                no_inherit: false,
            },
        ),
        constraint(
            "notes_during_excl",
            ConstraintKind::Exclusion {
                method: "gist".into(),
                elements: vec![
                    ExclusionElement {
                        column: Some("during".into()),
                        expression: None,
                        operator: "&&".into(),
                    },
                    ExclusionElement {
                        column: None,
                        expression: Some("int4range(id, n::integer)".into()),
                        operator: "&&".into(),
                    },
                ],
                predicate: Some("(id > 10)".into()),
            },
        ),
        constraint(
            "notes_self_fk",
            ConstraintKind::ForeignKey {
                columns: vec!["m".into()],
                references: qn(s, "Notes"),
                referenced_columns: vec!["id".into()],
                on_update: ForeignKeyAction::Cascade,
                on_delete: ForeignKeyAction::SetNull,
                match_full: true,
            },
        ),
    ]);
    if let Some(c) = notes.constraints.get_mut("notes_self_fk") {
        c.deferrable = true;
        c.initially_deferred = true;
        c.comment = Some("to itself".into());
    }
    let mut k1 = key(None, Some("lower(\"Body Text\")"));
    k1.descending = true;
    k1.nulls_first = Some(false);
    k1.collation = Some("\"POSIX\"".into());
    let mut k2 = key(Some("Body Text"), None);
    k2.opclass = Some("text_pattern_ops".into());
    notes.indexes.insert(
        "notes_lower".into(),
        Index {
            name: "notes_lower".into(),
            renamed_from: None,
            unique: true,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys: vec![k1, k2, key(Some("id"), None)],
            include: vec!["m".into()],
            predicate: Some("(id > 0)".into()),
            with: [("fillfactor".to_string(), "70".to_string())].into(),
            concurrently: false,
            valid: true,
            comment: Some("lower".into()),
        },
    );
    notes.indexes.insert(
        "notes_during".into(),
        Index {
            name: "notes_during".into(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "gist".into(),
            keys: vec![key(Some("during"), None)],
            include: vec![],
            predicate: None,
            with: Default::default(),
            concurrently: false,
            valid: true,
            comment: None,
        },
    );
    notes.policies.insert(
        "mine".into(),
        Policy {
            comment: None,
            name: "mine".into(),
            permissive: false,
            command: "UPDATE".into(),
            roles: vec!["app".into()],
            using: Some("(\"Body Text\" = CURRENT_USER)".into()),
            with_check: Some("true".into()),
        },
    );
    notes.policies.insert(
        "all".into(),
        Policy {
            comment: None,
            name: "all".into(),
            permissive: true,
            command: "ALL".into(),
            roles: vec!["PUBLIC".into()],
            using: Some("true".into()),
            with_check: None,
        },
    );
    c.tables.insert(notes.name.clone(), notes);

    let mut events = Table::new(qn(s, "events"));
    events.unlogged = false;
    events.columns = vec![Column::new("at", "timestamp with time zone")];
    events.partition_by = Some("RANGE (at)".into());
    c.tables.insert(events.name.clone(), events);
    let mut jan = Table::new(qn(s, "events_2024_01"));
    jan.partition_of = Some(PartitionOf {
        parent: qn(s, "events"),
        bound: "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')".into(),
    });
    c.tables.insert(jan.name.clone(), jan);
    let mut log = Table::new(qn(s, "log"));
    log.unlogged = true;
    log.columns = vec![Column::new("line", "text")];
    c.tables.insert(log.name.clone(), log);

    for (name, kind, owner) in [
        ("Notes", RelationKind::Table, "app"),
        ("events", RelationKind::PartitionedTable, "postgres"),
        ("events_2024_01", RelationKind::Table, "postgres"),
        ("log", RelationKind::Table, "postgres"),
        ("Notes_id_seq", RelationKind::Sequence, "app"),
        ("Notes_n_seq", RelationKind::Sequence, "app"),
        ("Notes_m_seq", RelationKind::Sequence, "app"),
    ] {
        let mut acl = Acl::default();
        if name == "log" {
            acl.grant(Grantee::Role("app".into()), Privilege::Insert, false);
        }
        c.relations.insert(
            qn(s, name),
            Relation {
                name: qn(s, name),
                kind,
                owner: Some(owner.into()),
                acl,
            },
        );
    }
    c
}

#[test]
fn tables_and_types_load_back_as_they_were() {
    let live = live();
    let (files, _) = super::render(&live, &super::ImportOptions::default()).expect("render");
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(name, text)| (PathBuf::from(name), text))
        .collect();
    let all = files
        .iter()
        .map(|(p, t)| format!("--- {}\n{t}", p.display()))
        .collect::<Vec<_>>()
        .join("\n");
    let desired = match crate::config::load_files(&files) {
        Ok(d) => d.catalog,
        Err(e) => panic!("{}\n{all}", crate::config::render(&e)),
    };
    for (name, t) in &live.tables {
        assert_eq!(desired.tables.get(name), Some(t), "table {name}\n{all}");
    }
    assert_eq!(desired.tables.len(), live.tables.len());
    for (name, d) in &live.domains {
        assert_eq!(desired.domains.get(name), Some(d), "domain {name}\n{all}");
    }
    for (name, e) in &live.enums {
        assert_eq!(desired.enums.get(name), Some(e), "enum {name}\n{all}");
    }
    for (name, q) in &live.sequences {
        let got = desired.sequences.get(name).expect("sequence declared");
        assert_eq!(
            (&got.data_type, &got.options, &got.owned_by, &got.comment),
            (&q.data_type, &q.options, &q.owned_by, &q.comment),
            "sequence {name}\n{all}"
        );
    }
    assert_eq!(desired.extensions, live.extensions, "{all}");
    for name in live.tables.keys() {
        let (want, have) = (&desired.relations[name], &live.relations[name]);
        assert_eq!((&want.owner, &want.acl), (&have.owner, &have.acl), "{name}");
    }
    assert!(desired.schemas["My Schema"].manage_tables);
}

/// An import is the whole truth of what it read: every schema it writes is managed whole,
/// tables or not, so `--prune` drops what the source lacks.
#[test]
fn imported_schemas_are_managed_whole() {
    let mut live = live();
    let mut kinds = Schema::new("kinds");
    kinds.owner = Some("postgres".into());
    live.schemas.insert(kinds.name.clone(), kinds);
    // A view that calls an aggregate is left out, so its schema is not managed whole.
    let mut partial = Schema::new("partial");
    partial.owner = Some("postgres".into());
    live.schemas.insert(partial.name.clone(), partial);
    let mut view = View::new(qn("partial", "v"), false);
    view.definition = " SELECT 1 AS one;".into();
    view.calls = vec![FunctionId {
        schema: "partial".into(),
        name: "agg".into(),
        arguments: "integer".into(),
    }];
    live.views.insert(view.name.clone(), view);
    let (files, _) = super::render(&live, &super::ImportOptions::default()).expect("render");
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(name, text)| (PathBuf::from(name), text))
        .collect();
    let desired = match crate::config::load_files(&files) {
        Ok(d) => d.catalog,
        Err(e) => panic!("{}", crate::config::render(&e)),
    };
    for name in ["kinds", "My Schema"] {
        let schema = &desired.schemas[name];
        assert!(schema.manage_all && schema.manage_tables, "{name}");
    }
    assert!(!desired.views.contains_key(&qn("partial", "v")));
    assert!(!desired.schemas["partial"].manage_all);
}

#[test]
fn an_import_of_every_schema_claims_them_all() {
    let load = |options: &super::ImportOptions| {
        let (files, _) = super::render(&live(), options).expect("render");
        let files: Vec<(PathBuf, String)> = files
            .into_iter()
            .map(|(name, text)| (PathBuf::from(name), text))
            .collect();
        match crate::config::load_files(&files) {
            Ok(d) => d.catalog,
            Err(e) => panic!("{}", crate::config::render(&e)),
        }
    };
    let all = load(&super::ImportOptions::default());
    assert_eq!(all.scope.owned_schema_patterns, ["*"]);
    assert_eq!(all.scope.owned_extension_patterns, ["*"]);
    // An import of some schemas says nothing about the others.
    let some = load(&super::ImportOptions {
        schemas: vec!["My Schema".into()],
    });
    assert!(some.scope.owned_schema_patterns.is_empty());
    assert!(some.scope.owned_extension_patterns.is_empty());
}
