//! Roles: built-in roles, passwords and their sources, `valid_until`.

use super::*;

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
