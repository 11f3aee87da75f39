use super::*;
use crate::model::{
    Acl, DefaultPrivilegeKey, FunctionId, Grantee, Membership, ObjectKind, Privilege,
    QualifiedName, RelationKind, SettingValue,
};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;

const ROLES: &str = r#"
#:schema ../schemas/desired-state.schema.json

[scope]
owned_roles = ["butler_*_app"]
owned_schemas = ["butler_*"]
reassign_owned_to = "platform_admin"

[roles.platform_admin]
createrole = true
comment = "runs pgrecon"

[roles.postgres]
external = true
comment = "bootstrap superuser"

[roles.butlers_owner]
comment = "owns every butler schema; used by migrations only"

[roles.migrator]
login = true
member_of = ["butlers_owner"]

[roles.readers]
[roles.ops]
[roles.auditor]
[roles.butler_reporting_app]
login = true

[roles.butler_general_app]
login = true
inherit = true
connection_limit = 20
valid_until = "2027-01-01 00:00:00+00"
comment = "runtime role of general"
password = { env = "BUTLER_GENERAL_APP_PASSWORD" }
member_of = ["readers", { role = "ops", admin = true, inherit = false, set = true }]
search_path = ["general", "shared", "public"]
settings = { statement_timeout = "30s", work_mem = "64MB", Lock_Timeout = 5000, jit = false, random_page_cost = 1.5 }
database_settings = { search_path = ["general", "public"], temp_tablespaces = "fast, \"Slow Disk\"" }
"#;

const SCHEMAS: &str = r#"
[database]
name = "app"
comment = "the butlers"
grants = { PUBLIC = ["CONNECT", "TEMPORARY"], butler_general_app = ["CONNECT"] }
settings = { statement_timeout = "30s" }

[schemas.general]
owner = "butlers_owner"
comment = "general butler"
grants = { butler_general_app = ["USAGE"], butler_reporting_app = { privileges = ["usage"], with_grant_option = true } }
table_grants = { butler_general_app = ["SELECT", "INSERT", "UPDATE", "DELETE"] }
sequence_grants = { butler_general_app = ["USAGE", "SELECT"] }
function_grants = { PUBLIC = ["EXECUTE"] }
default_privileges_for = ["butlers_owner", "migrator"]

[[schemas.general.default_privileges]]
for_role = "migrator"
on = "tables"
grants = { auditor = ["SELECT"], butler_general_app = ["TRUNCATE"] }

[schemas.shared]
owner = "butlers_owner"
grants = { PUBLIC = [] , butler_general_app = ["ALL"] }
table_grants = { readers = ["all privileges"] }

[table_grants."general.notes"]
butler_reporting_app = ["SELECT"]

[sequence_grants."general.notes_id_seq"]
butler_general_app = ["USAGE"]

[function_grants."general.add( integer,integer )"]
PUBLIC = ["EXECUTE"]

[table_grants.'"general"."Odd.Name"']
butler_reporting_app = ["select"]
"#;

fn load_example() -> Desired {
    load_files(&[
        (PathBuf::from("roles.toml"), ROLES.to_string()),
        (PathBuf::from("sub/schemas.toml"), SCHEMAS.to_string()),
    ])
    .unwrap_or_else(|e| panic!("{}", render(&e)))
}

fn acl(entries: &[(Grantee, &[Privilege], bool)]) -> Acl {
    let mut acl = Acl::default();
    for (grantee, privileges, grantable) in entries {
        for p in *privileges {
            acl.grant(grantee.clone(), *p, *grantable);
        }
    }
    acl
}

fn role(name: &str) -> Grantee {
    Grantee::Role(name.to_string())
}

fn scalar(s: &str) -> SettingValue {
    SettingValue::Scalar(s.to_string())
}

fn list(items: &[&str]) -> SettingValue {
    SettingValue::List(items.iter().map(|s| s.to_string()).collect())
}

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
        s.describe(&s.grants[&(GrantTarget::Relation(notes), role("butler_reporting_app"))]),
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
fn the_raw_serde_types_accept_the_example() {
    for text in [ROLES, SCHEMAS] {
        let parsed: Result<raw::RawFile, _> = toml::from_str(text);
        assert!(parsed.is_ok(), "{parsed:?}");
    }
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
fn list_settings_accept_a_string_and_scalars_reject_arrays() {
    let ok = load_files(&[(
        PathBuf::from("r.toml"),
        "[roles.r]\nsearch_path = '\"$user\", public'\n".into(),
    )])
    .unwrap();
    assert_eq!(
        ok.catalog.roles["r"].settings["search_path"],
        list(&["$user", "public"])
    );
    let err = load_files(&[(
        PathBuf::from("r.toml"),
        "[roles.r]\nsettings = { work_mem = [\"1MB\"] }\n".into(),
    )])
    .unwrap_err();
    assert_eq!(err.errors[0].kind(), ErrorKind::InvalidSetting);
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

#[test]
fn builtin_roles_need_no_declaration() {
    let desired = load_files(&[(
        PathBuf::from("a.toml"),
        "[roles.app]\nmember_of = [\"pg_read_all_data\"]\n[database]\ngrants = { pg_monitor = [\"CONNECT\"] }\n"
            .into(),
    )])
    .unwrap();
    assert!(
        desired.catalog.roles["app"]
            .member_of
            .contains_key("pg_read_all_data")
    );
}

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
fn scram_verifiers_are_checked() {
    let good = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$\
                AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:\
                BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";
    assert_eq!(load::check_scram(good), Ok(()));
    assert!(load::check_scram("md5abcdef").is_err());
    assert!(load::check_scram("SCRAM-SHA-256$0:c2FsdA==$AA==:AA==").is_err());
}

const SCRAM: &str = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$\
                     AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:\
                     BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";

#[test]
fn secrets_are_resolved_from_env_file_and_verifier() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("roles/secrets")).unwrap();
    std::fs::write(dir.path().join("roles/secrets/file_app"), "from-file\n").unwrap();
    std::fs::write(
        dir.path().join("roles/apps.toml"),
        format!(
            "[roles.env_app]\npassword = {{ env = \"ENV_APP_PW\" }}\n\
             [roles.unset_app]\npassword = {{ env = \"UNSET_PW\" }}\n\
             [roles.file_app]\npassword = {{ file = \"secrets/file_app\" }}\n\
             [roles.scram_app]\npassword = {{ scram = \"{SCRAM}\" }}\n"
        ),
    )
    .unwrap();
    let mut desired = load_dir(dir.path()).unwrap_or_else(|e| panic!("{}", render(&e)));
    match &desired.catalog.roles["file_app"].password {
        Password::Desired { source, .. } => assert_eq!(
            source,
            &PasswordSource::File(PathBuf::from("roles/secrets/file_app"))
        ),
        other => panic!("{other:?}"),
    }
    let env = |name: &str| (name == "ENV_APP_PW").then(|| "from-env".to_string());
    resolve_secrets(&mut desired, &env).unwrap_or_else(|e| panic!("{}", render(&e)));
    let secret = |role: &str| match &desired.catalog.roles[role].password {
        Password::Desired { secret, .. } => secret.as_ref().map(|s| s.expose_secret().to_string()),
        other => panic!("{other:?}"),
    };
    assert_eq!(secret("env_app").as_deref(), Some("from-env"));
    assert_eq!(secret("unset_app"), None);
    assert_eq!(secret("file_app").as_deref(), Some("from-file"));
    assert_eq!(secret("scram_app").as_deref(), Some(SCRAM));
    assert_eq!(
        desired.warnings,
        vec!["password of role `unset_app` skipped: environment variable `UNSET_PW` is not set"]
    );
    // Debug output of the whole state never shows a secret.
    let debug = format!("{desired:?}");
    assert!(!debug.contains("from-env") && !debug.contains("from-file"));
    assert!(!debug.contains("c2FsdHNhbHRzYWx0"));
}

#[test]
fn an_unreadable_password_file_is_an_error_at_its_span() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("roles.toml"),
        "[roles.app]\npassword = { file = \"missing\" }\n",
    )
    .unwrap();
    let mut desired = load_dir(dir.path()).unwrap();
    let err = resolve_secrets(&mut desired, &|_| None).unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].kind(), ErrorKind::Password);
    assert_eq!(err.errors[0].file(), Some("roles.toml"));
    let rendered = render(&err);
    assert!(
        rendered.contains("cannot read `missing`: no such file"),
        "{rendered}"
    );
}

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
fn every_raw_field_is_handled_by_the_loader() {
    // The loader's unknown-key check debug-asserts that it never calls a known key
    // unknown; a file using every field exercises each match arm.
    let text = r#"
[scope]
owned_roles = []
owned_schemas = []
reassign_owned_to = "r"
[database]
name = "d"
comment = "c"
grants = {}
settings = {}
[roles.r]
external = false
login = false
superuser = false
createdb = false
createrole = false
replication = false
bypassrls = false
inherit = true
connection_limit = -1
valid_until = "infinity"
comment = "c"
password = { scram = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=" }
member_of = [{ role = "q", admin = false, inherit = true, set = true }]
search_path = []
settings = {}
database_settings = {}
[roles.q]
[schemas.s]
owner = "r"
comment = "c"
grants = { r = { privileges = [], with_grant_option = true } }
table_grants = {}
sequence_grants = {}
function_grants = {}
default_privileges_for = []
default_privileges = [{ for_role = "r", on = "functions", grants = {} }]
[table_grants."s.t"]
[sequence_grants."s.q"]
[function_grants."s.f()"]
"#;
    let fields = [
        raw::fields_of::<raw::RawFile>(),
        raw::fields_of::<raw::RawScope>(),
        raw::fields_of::<raw::RawDatabase>(),
        raw::fields_of::<raw::RawRole>(),
        raw::fields_of::<raw::RawMembership>(),
        raw::fields_of::<raw::RawSchema>(),
        raw::fields_of::<raw::RawDefaultPrivileges>(),
        raw::fields_of::<raw::RawDetailedGrant>(),
    ];
    for field in fields.iter().flat_map(|f| f.iter()) {
        assert!(
            text.contains(&format!("{field} ="))
                || text.contains(&format!("{field}."))
                || text.contains(&format!("[{field}]")),
            "the test file does not use `{field}`"
        );
    }
    let desired = load_files(&[(PathBuf::from("all.toml"), text.into())])
        .unwrap_or_else(|e| panic!("{}", render(&e)));
    assert_eq!(desired.catalog.roles.len(), 2);
    assert!(desired.catalog.default_privileges.is_empty());
}

#[test]
fn json_schema_is_up_to_date() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/desired-state.schema.json");
    let expected = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "schemas/desired-state.schema.json is stale: run UPDATE_SCHEMA=1 cargo test --lib \
         config::tests::json_schema_is_up_to_date"
    );
}

#[test]
fn valid_until_is_canonicalised_like_introspection_reads_it() {
    let desired = load_files(&[(
        PathBuf::from("r.toml"),
        "[roles.a]\nvalid_until = 2027-01-01T02:00:00+02:00\n\
         [roles.b]\nvalid_until = \"2027-01-01\"\n\
         [roles.c]\nvalid_until = \"infinity\"\n"
            .into(),
    )])
    .unwrap_or_else(|e| panic!("{}", render(&e)));
    let r = &desired.catalog.roles;
    assert_eq!(
        r["a"].attributes.valid_until.as_deref(),
        Some("2027-01-01 00:00:00+00")
    );
    assert_eq!(r["a"].attributes, r["b"].attributes);
    assert_eq!(r["c"].attributes.valid_until, None);
}
