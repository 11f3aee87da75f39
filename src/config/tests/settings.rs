//! Settings of roles and the database.

use super::*;

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
