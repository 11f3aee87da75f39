//! Role and database parameters.

use super::*;

#[test]
fn settings_compare_lists_by_element() {
    let mut desired = Catalog::default();
    let mut want = Role::new("app");
    want.settings.insert(
        "search_path".into(),
        SettingValue::List(vec!["general".into(), "public".into()]),
    );
    desired.roles.insert("app".into(), want);
    let mut live = live_base();
    let mut have = Role::new("app");
    have.settings.insert(
        "search_path".into(),
        SettingValue::from_stored("search_path", "general, public"),
    );
    live.roles.insert("app".into(), have);
    assert!(
        diff(&desired, &live, &DiffOptions::default())
            .unwrap()
            .is_empty()
    );
}
