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
    for text in [ROLES, SCHEMAS, TABLES] {
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
confined_to = ["s"]
may_own = false
[roles.q]
[schemas.s]
owner = "r"
comment = "c"
grants = { r = { privileges = [], with_grant_option = true, grantable = [] } }
table_grants = {}
sequence_grants = {}
function_grants = {}
default_privileges_for = []
default_privileges = [{ for_role = "r", on = "functions", grants = {} }]
manage_tables = true
[table_grants."s.other"]
[sequence_grants."s.other_seq"]
[function_grants."s.f()"]
[tables."s.t"]
renamed_from = "old_t"
owner = "r"
comment = "c"
unlogged = false
row_level_security = true
force_row_level_security = false
partition_by = "LIST (id)"
grants = {}
primary_key = { columns = ["id"], name = "t_pk", include = [], deferrable = false, initially_deferred = false, renamed_from = "t_pkey", comment = "c" }
columns.id = { type = "int", not_null = true, collation = "C", comment = "c", renamed_from = "ident", using = "ident::int", grants = {} }
columns.n = { type = "int", identity = { kind = "by_default", start = 1, increment = 1, min_value = 1, max_value = 9, cache = 1, cycle = false } }
columns.g = { type = "int", generated = "id * 2" }
columns.v = { type = "int", generated = "id * 3", virtual = true }
columns.nn = { type = "int", not_null_name = "nn_present" }
columns.d = { type = "int", default = "0" }
unique.t_d_key = { columns = ["d"], include = [], nulls_not_distinct = false, deferrable = false, initially_deferred = false, renamed_from = "t_d_uq", comment = "c" }
foreign_keys.t_fk = { columns = ["d"], references = "s.t", referenced_columns = ["d"], on_delete = "restrict", on_update = "set_default", match = "simple", deferrable = false, initially_deferred = false, renamed_from = "t_fk_old", comment = "c" }
checks.t_check = { expression = "id > 0", no_inherit = false, renamed_from = "t_check_old", comment = "c" }
exclusions.t_excl = { method = "gist", elements = [{ column = "id", operator = "=" }, { expression = "d + 1", operator = "=" }], where = "true", deferrable = false, initially_deferred = false, renamed_from = "t_excl_old", comment = "c" }
indexes.t_idx = { columns = [{ column = "id", order = "asc", nulls = "last", opclass = "int4_ops", collation = "C" }, { expression = "d + 1" }], unique = false, nulls_not_distinct = false, method = "btree", include = ["g"], where = "true", with = {}, concurrently = false, renamed_from = "t_idx_old", comment = "c" }
policies.t_policy = { command = "update", permissive = true, roles = ["r"], using = "true", with_check = "true" }
[tables."s.t_1"]
partition_of = { parent = "s.t", bound = "FOR VALUES IN (1)" }
[sequences."s.q"]
type = "smallint"
start = 1
increment = 1
min_value = 1
max_value = 9
cache = 1
cycle = false
owned_by = "s.t.id"
owner = "r"
comment = "c"
grants = {}
[enums."s.e"]
values = ["a"]
owner = "r"
comment = "c"
[domains."s.d"]
type = "text"
not_null = false
default = "''"
collation = "C"
checks = {}
owner = "r"
comment = "c"
[extensions.x]
schema = "s"
version = "1"
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
        raw::fields_of::<raw::RawTable>(),
        raw::fields_of::<raw::RawPartitionOf>(),
        raw::fields_of::<raw::RawColumn>(),
        raw::fields_of::<raw::RawIdentityOptions>(),
        raw::fields_of::<raw::RawPrimaryKeyOptions>(),
        raw::fields_of::<raw::RawUnique>(),
        raw::fields_of::<raw::RawForeignKey>(),
        raw::fields_of::<raw::RawCheckOptions>(),
        raw::fields_of::<raw::RawExclusion>(),
        raw::fields_of::<raw::RawExclusionElement>(),
        raw::fields_of::<raw::RawIndex>(),
        raw::fields_of::<raw::RawIndexKeyOptions>(),
        raw::fields_of::<raw::RawPolicy>(),
        raw::fields_of::<raw::RawSequence>(),
        raw::fields_of::<raw::RawEnum>(),
        raw::fields_of::<raw::RawDomain>(),
        raw::fields_of::<raw::RawExtension>(),
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
    assert_eq!(desired.catalog.tables.len(), 2);
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

// ---------------------------------------------------------------------------------------
// The relational layer

const TABLES: &str = r#"
[roles.butlers_owner]
[roles.butler_general_app]
[roles.auditor]
[roles.app]
[roles.platform]

[schemas.general]
owner = "butlers_owner"

[schemas.shared]
owner = "platform"
manage_tables = false

[schemas.audit]
manage_tables = true

[schemas.empty]
owner = "platform"

[tables."general.authors"]
primary_key = ["id"]
unique.authors_email_key = { columns = ["email"] }
[tables."general.authors".columns]
id = { type = "bigint", identity = "by_default" }
email = { type = "text", not_null = true }

[tables."general.notes"]
renamed_from = "old_notes"
comment = "the notes"
unlogged = true
row_level_security = true
force_row_level_security = true
grants = { butler_general_app = ["SELECT", "INSERT"] }
primary_key = ["id"]

[tables."general.notes".columns]
id         = { type = "bigint", identity = { kind = "always", start = 10, increment = 2, min_value = 1, max_value = 100000, cache = 5, cycle = true } }
body       = { type = " text ", not_null = true, collation = "C", comment = "the body" }
created_at = { type = "timestamptz", not_null = true, default = "now()" }
title      = { type = "varchar(200)", renamed_from = "subject", using = "subject::varchar(200)" }
total      = { type = "numeric(10,2)", generated = "price * qty" }
secret     = { type = "text", grants = { auditor = ["SELECT", "update"] } }
author_id  = { type = "bigint" }
slug       = { type = "text" }
room       = { type = "int" }
start_at   = { type = "timestamp" }
end_at     = { type = "timestamp" }
email      = { type = "text" }
price      = { type = "numeric" }
qty        = { type = "int" }
deleted_at = { type = "timestamptz" }

[tables."general.notes".unique]
notes_slug_key = { columns = ["slug"], include = ["title"], nulls_not_distinct = true, deferrable = true, initially_deferred = true, renamed_from = "notes_slug_uq", comment = "one slug" }

[tables."general.notes".foreign_keys]
notes_author_fkey = { columns = ["author_id"], references = "general.authors", on_delete = "cascade", on_update = "set_null", match = "full", deferrable = true, renamed_from = "fk_author", comment = "who" }
notes_author_email_fkey = { columns = ["email"], references = "general.authors", referenced_columns = ["email"] }

[tables."general.notes".checks]
notes_body_check = "length(body) > 0"
notes_total_check = { expression = " total >= 0 ", no_inherit = true, renamed_from = "total_check" }

[tables."general.notes".exclusions]
rooms_no_overlap = { method = "GiST", elements = [{ column = "room", operator = "=" }, { expression = "tsrange(start_at, end_at)", operator = "&&" }], where = "deleted_at IS NULL", deferrable = true }

[tables."general.notes".indexes]
notes_created_at_idx = { columns = ["created_at"] }
notes_full_idx = { columns = ["title", { column = "body", order = "desc", nulls = "first", opclass = "text_pattern_ops", collation = "C" }, { expression = "lower(email)", nulls = "first" }, { column = "slug", order = "desc", nulls = "last" }], unique = true, nulls_not_distinct = true, method = "btree", include = ["room"], where = "deleted_at IS NULL", with = { fillfactor = 70, deduplicate_items = false, Foo = "bar", ratio = 0.5 }, concurrently = true, renamed_from = "notes_old_idx", comment = "all of it" }
notes_email_uidx = { columns = ["email"], unique = true }

[tables."general.notes".policies]
own_rows = { command = "select", permissive = false, roles = ["butler_general_app", "auditor"], using = "owner = current_user" }
everyone = { with_check = "true" }

[tables."general.events"]
owner = "platform"
partition_by = "RANGE (created_at)"
primary_key = { columns = ["id", "created_at"], name = "events_pk", include = ["kind"], deferrable = true, initially_deferred = true, renamed_from = "events_pkey", comment = "the key" }
columns.id = { type = "bigint" }
columns.created_at = { type = "date" }
columns.kind = { type = "general.mood" }

[tables."general.events_2022_01"]
partition_of = { parent = "general.events", bound = "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')" }
indexes.events_2022_01_kind_idx = { columns = ["kind"] }

[tables."audit.log"]
columns.id = { type = "bigint" }

[sequences."general.ticket_seq"]
type = "integer"
start = 5
increment = 5
min_value = 5
max_value = 1000
cache = 10
cycle = true
owned_by = "general.notes.id"
comment = "tickets"
grants = { app = ["USAGE", "SELECT"] }

[sequences."shared.plain_seq"]
owner = "app"

[enums."general.mood"]
values = ["sad", "ok", "happy"]
comment = "moods"

[enums."shared.level"]
values = ["low"]
owner = "app"

[domains."general.email"]
type = "text"
not_null = true
default = "'nobody@example.com'"
collation = "C"
checks = { email_check = "VALUE ~ '@'" }
comment = "an address"

[extensions.pgcrypto]
schema = "public"
version = "1.3"

[extensions.btree_gist]
schema = "shared"

[extensions.plpgsql]
"#;

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
            not_null: true,
            collation: Some(s("C")),
            comment: Some(s("the body")),
            ..col("body", "text")
        },
        Column {
            not_null: true,
            default: Some(s("now()")),
            ..col("created_at", "timestamptz")
        },
        Column {
            renamed_from: Some(s("subject")),
            using: Some(s("subject::varchar(200)")),
            ..col("title", "varchar(200)")
        },
        Column {
            generated: Some(s("price * qty")),
            ..col("total", "numeric(10,2)")
        },
        Column {
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
                }
            ),
            (
                s("pgcrypto"),
                Extension {
                    name: s("pgcrypto"),
                    schema: Some(s("public")),
                    version: Some(s("1.3")),
                }
            ),
            (
                s("plpgsql"),
                Extension {
                    name: s("plpgsql"),
                    schema: None,
                    version: None,
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
        GrantTarget::Column(q("general", "notes"), s("secret")),
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

#[test]
fn checks_load_in_file_order_with_their_expectations() {
    use crate::checks::{Check, Expectation, When};
    let files = vec![
        (
            PathBuf::from("a.toml"),
            "[[check]]\nname = \"no orphans\"\nquery = \" SELECT count(*) = 0 FROM pg_class \"\nexpect = true\nwhen = \"before\"\n"
                .to_string(),
        ),
        (
            PathBuf::from("b.toml"),
            "[[check]]\nname = \"one app\"\nquery = \"SELECT 1 FROM pg_roles WHERE rolname = 'app'\"\nrows = 1\n"
                .to_string(),
        ),
    ];
    let desired = load_files(&files).unwrap_or_else(|e| panic!("{}", render(&e)));
    assert_eq!(
        desired.checks,
        vec![
            Check {
                name: "no orphans".into(),
                query: "SELECT count(*) = 0 FROM pg_class".into(),
                expect: Expectation::Expect(true),
                when: When::Before,
            },
            Check {
                name: "one app".into(),
                query: "SELECT 1 FROM pg_roles WHERE rolname = 'app'".into(),
                expect: Expectation::Rows(1),
                when: When::Both,
            },
        ]
    );
    assert_eq!(desired.sources.checks["one app"].file, "b.toml");
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
