//! The full example: roles, schemas, grants and settings into the expected catalog.

use super::*;

#[test]
fn full_example_loads_into_the_expected_catalog() {
    use Privilege::*;
    let desired = load_example();
    let c = &desired.catalog;
    assert!(desired.warnings.is_empty());

    // scope
    assert_eq!(c.scope.owned_role_patterns, vec!["butler_*_app"]);
    assert_eq!(c.scope.owned_schema_patterns, vec!["butler_*"]);
    assert_eq!(c.scope.reassign_owned_to.as_deref(), Some("platform_admin"));

    // roles
    assert_eq!(
        c.roles.keys().map(String::as_str).collect::<Vec<_>>(),
        vec![
            "auditor",
            "butler_general_app",
            "butler_reporting_app",
            "butlers_owner",
            "migrator",
            "ops",
            "platform_admin",
            "postgres",
            "readers"
        ]
    );
    let postgres = &c.roles["postgres"];
    assert!(postgres.external);
    assert_eq!(postgres.comment.as_deref(), Some("bootstrap superuser"));
    assert_eq!(postgres.attributes, Default::default());
    assert!(matches!(postgres.password, Password::Unmanaged));

    let app = &c.roles["butler_general_app"];
    assert!(!app.external);
    assert!(app.attributes.login);
    assert!(app.attributes.inherit);
    assert!(!app.attributes.superuser && !app.attributes.createdb && !app.attributes.bypassrls);
    assert_eq!(app.attributes.connection_limit, 20);
    assert_eq!(
        app.attributes.valid_until.as_deref(),
        Some("2027-01-01 00:00:00+00")
    );
    assert_eq!(app.comment.as_deref(), Some("runtime role of general"));
    match &app.password {
        Password::Desired { source, secret } => {
            assert_eq!(
                source,
                &PasswordSource::Env("BUTLER_GENERAL_APP_PASSWORD".into())
            );
            assert!(secret.is_none());
        }
        other => panic!("unexpected password {other:?}"),
    }
    assert_eq!(
        app.member_of,
        BTreeMap::from([
            ("readers".to_string(), Membership::default()),
            (
                "ops".to_string(),
                Membership {
                    admin: true,
                    inherit: Some(false),
                    set: Some(true)
                }
            ),
        ])
    );
    assert_eq!(
        app.settings,
        BTreeMap::from([
            ("search_path".into(), list(&["general", "shared", "public"])),
            ("statement_timeout".into(), scalar("30s")),
            ("work_mem".into(), scalar("64MB")),
            ("lock_timeout".into(), scalar("5000")),
            ("jit".into(), scalar("off")),
            ("random_page_cost".into(), scalar("1.5")),
        ])
    );
    assert_eq!(
        app.database_settings,
        BTreeMap::from([
            ("search_path".into(), list(&["general", "public"])),
            ("temp_tablespaces".into(), list(&["fast", "Slow Disk"])),
        ])
    );
    let platform = &c.roles["platform_admin"];
    assert!(platform.attributes.createrole && !platform.attributes.login);
    assert_eq!(platform.attributes.connection_limit, -1);

    // database
    let db = c.database.as_ref().expect("database is managed");
    assert_eq!(db.name.as_deref(), Some("app"));
    assert_eq!(db.owner, None);
    assert_eq!(db.comment.as_deref(), Some("the butlers"));
    assert_eq!(
        db.acl,
        acl(&[
            (Grantee::Public, &[Connect, Temporary], false),
            (role("butler_general_app"), &[Connect], false),
        ])
    );
    assert_eq!(
        db.settings,
        BTreeMap::from([("statement_timeout".into(), scalar("30s"))])
    );

    // schemas
    let general = &c.schemas["general"];
    assert_eq!(general.owner.as_deref(), Some("butlers_owner"));
    assert_eq!(general.comment.as_deref(), Some("general butler"));
    assert_eq!(
        general.acl,
        acl(&[
            (role("butler_general_app"), &[Usage], false),
            (role("butler_reporting_app"), &[Usage], true),
        ])
    );
    let tables = acl(&[(
        role("butler_general_app"),
        &[Select, Insert, Update, Delete],
        false,
    )]);
    let sequences = acl(&[(role("butler_general_app"), &[Usage, Select], false)]);
    let functions = acl(&[(Grantee::Public, &[Execute], false)]);
    assert_eq!(
        general.object_grants,
        BTreeMap::from([
            (ObjectKind::Table, tables.clone()),
            (ObjectKind::Sequence, sequences.clone()),
            (ObjectKind::Function, functions.clone()),
        ])
    );
    let shared = &c.schemas["shared"];
    // `PUBLIC = []` means no privileges: normalised away.
    assert_eq!(
        shared.acl,
        acl(&[(role("butler_general_app"), &[Usage, Create], false)])
    );
    let all_tables = ObjectKind::Table.privileges();
    assert_eq!(
        shared.object_grants,
        BTreeMap::from([(
            ObjectKind::Table,
            acl(&[(role("readers"), all_tables, false)])
        )])
    );

    // default privileges: desugared *_grants for each creator, plus the explicit entry
    let key = |r: &str, s: &str, k| DefaultPrivilegeKey {
        for_role: r.into(),
        schema: s.into(),
        kind: k,
    };
    let expected = BTreeMap::from([
        (
            key("butlers_owner", "general", ObjectKind::Table),
            tables.clone(),
        ),
        (
            key("butlers_owner", "general", ObjectKind::Sequence),
            sequences.clone(),
        ),
        (
            key("butlers_owner", "general", ObjectKind::Function),
            functions.clone(),
        ),
        (
            key("migrator", "general", ObjectKind::Table),
            tables.union(&acl(&[
                (role("auditor"), &[Select], false),
                (role("butler_general_app"), &[Truncate], false),
            ])),
        ),
        (key("migrator", "general", ObjectKind::Sequence), sequences),
        (key("migrator", "general", ObjectKind::Function), functions),
        (
            key("butlers_owner", "shared", ObjectKind::Table),
            acl(&[(role("readers"), all_tables, false)]),
        ),
    ]);
    assert_eq!(c.default_privileges, expected);

    // per-object grants
    let notes = QualifiedName::new("general", "notes");
    assert_eq!(c.relations[&notes].kind, RelationKind::Table);
    assert_eq!(c.relations[&notes].owner, None);
    assert_eq!(
        c.relations[&notes].acl,
        acl(&[(role("butler_reporting_app"), &[Select], false)])
    );
    let seq = QualifiedName::new("general", "notes_id_seq");
    assert_eq!(c.relations[&seq].kind, RelationKind::Sequence);
    assert_eq!(
        c.relations[&seq].acl,
        acl(&[(role("butler_general_app"), &[Usage], false)])
    );
    assert!(
        c.relations
            .contains_key(&QualifiedName::new("general", "Odd.Name"))
    );
    let add = FunctionId {
        schema: "general".into(),
        name: "add".into(),
        arguments: "integer, integer".into(),
    };
    assert_eq!(
        c.functions[&add].acl,
        acl(&[(Grantee::Public, &[Execute], false)])
    );
    assert_eq!(c.relations.len(), 3);
    assert_eq!(c.functions.len(), 1);
    assert!(c.server.is_none());

    // sources
    let s = &desired.sources;
    assert_eq!(
        s.describe(&s.roles["butler_general_app"]),
        "roles.toml:30:8"
    );
    assert_eq!(s.describe(&s.schemas["general"]), "sub/schemas.toml:8:10");
    assert_eq!(s.scope.as_ref().unwrap().file, "roles.toml");
    assert_eq!(
        s.describe(&s.grants[&(GrantSite::Relation(notes), role("butler_reporting_app"))]),
        "sub/schemas.toml:28:1"
    );
    assert_eq!(
        s.describe(&s.memberships[&("butler_general_app".to_string(), "ops".to_string())]),
        "roles.toml:37:34"
    );
    assert!(
        s.default_privileges
            .contains_key(&key("migrator", "general", ObjectKind::Table))
    );
    assert_eq!(s.files.len(), 2);
}

#[test]
fn loading_is_deterministic_whatever_the_file_order() {
    let a = load_example();
    let b = load_files(&[
        (PathBuf::from("sub/schemas.toml"), SCHEMAS.to_string()),
        (PathBuf::from("roles.toml"), ROLES.to_string()),
    ])
    .unwrap();
    assert_eq!(a.catalog.roles, b.catalog.roles);
    assert_eq!(a.catalog.schemas, b.catalog.schemas);
    assert_eq!(a.catalog.default_privileges, b.catalog.default_privileges);
    assert_eq!(a.sources.roles, b.sources.roles);
}

#[test]
fn an_empty_desired_state_is_valid() {
    let desired = load_files(&[(PathBuf::from("empty.toml"), "# nothing\n".into())]).unwrap();
    assert!(desired.catalog.roles.is_empty());
    assert!(desired.catalog.database.is_none());
}

#[test]
fn all_errors_are_reported_at_once_across_files() {
    let err = load_files(&[
        (
            PathBuf::from("a.toml"),
            "[roles.a]\nlogn = true\nlogin = 1\n".into(),
        ),
        (
            PathBuf::from("b.toml"),
            "[roles.b]\nmember_of = [\"ghost\"]\n[schemas.s]\nowner = \"nobody\"\n".into(),
        ),
    ])
    .unwrap_err();
    let kinds: Vec<(Option<&str>, ErrorKind)> =
        err.errors.iter().map(|e| (e.file(), e.kind())).collect();
    assert_eq!(
        kinds,
        vec![
            (Some("a.toml"), ErrorKind::UnknownKey),
            (Some("a.toml"), ErrorKind::WrongType),
            (Some("b.toml"), ErrorKind::UndeclaredRole),
            (Some("b.toml"), ErrorKind::UndeclaredRole),
        ]
    );
    assert_eq!(err.to_string(), "found 4 errors in the desired state");
    assert_eq!(err.errors[0].help_text(), Some("did you mean `login`?"));
}
