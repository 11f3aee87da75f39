use super::*;
use crate::model::*;

fn live_base() -> Catalog {
    let mut live = crate::model::testing::live_base();
    let mut postgres = Role::new("postgres");
    postgres.attributes.superuser = true;
    postgres.attributes.login = true;
    live.roles.insert("postgres".into(), postgres);
    live
}

fn classify_of(desired: &Catalog, live: &Catalog, all: bool) -> DriftReport {
    let d = diff::diff(desired, live, &DiffOptions::default()).unwrap();
    let plan = plan::build(&d).unwrap();
    let confinement = verify::verify(desired, live);
    classify(desired, live, &plan, &confinement, all)
}

#[test]
fn identical_catalogs_are_in_sync() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let role = Role::new("app");
    desired.roles.insert("app".into(), role.clone());
    live.roles.insert("app".into(), role);
    let r = classify_of(&desired, &live, false);
    assert!(r.in_sync, "{r:#?}");
    assert_eq!(r.exit_code(), EXIT_IN_SYNC);
    assert_eq!(r.counts.roles_checked, 1);
    assert_eq!(r.unmanaged, None);
    assert_eq!(r.summary(), "in sync");
}

#[test]
fn groups_missing_different_and_unexpected() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    // Missing: a role and everything that completes it.
    let mut new_role = Role::new("new_app");
    new_role.comment = Some("new".into());
    desired.roles.insert("new_app".into(), new_role);
    // Different: a changed search_path.
    let mut app = Role::new("app");
    app.settings.insert(
        "search_path".into(),
        SettingValue::List(vec!["general".into(), "public".into()]),
    );
    desired.roles.insert("app".into(), app.clone());
    let mut live_app = app.clone();
    live_app.settings.insert(
        "search_path".into(),
        SettingValue::List(vec!["health".into()]),
    );
    // Unexpected: an undeclared membership.
    live_app
        .member_of
        .insert("ops".into(), Membership::default());
    live.roles.insert("app".into(), live_app);
    live.roles.insert("ops".into(), Role::new("ops"));
    // Unexpected too: an undeclared role matching an owned pattern.
    desired.scope.owned_role_patterns = vec!["*_app".into()];
    live.roles
        .insert("stray_app".into(), Role::new("stray_app"));

    let r = classify_of(&desired, &live, false);
    assert!(!r.in_sync);
    assert_eq!(r.exit_code(), EXIT_DRIFT);
    let summaries =
        |items: &[DriftItem]| items.iter().map(|i| i.summary.clone()).collect::<Vec<_>>();
    assert_eq!(r.missing.len(), 2, "{:#?}", r.missing);
    assert!(r.missing.iter().all(|i| i.object == "role new_app"));
    assert_eq!(r.different.len(), 1, "{:#?}", summaries(&r.different));
    assert!(
        r.different[0].summary.contains("search_path"),
        "{:?}",
        r.different
    );
    assert_eq!(r.unexpected.len(), 2, "{:#?}", summaries(&r.unexpected));
    assert!(
        r.unexpected
            .iter()
            .any(|i| i.action == Some(Action::Revoke) && i.summary.contains("ops"))
    );
    assert!(
        r.unexpected
            .iter()
            .any(|i| i.action.is_none() && i.object == "role stray_app")
    );
    assert_eq!(
        (r.counts.missing, r.counts.different, r.counts.unexpected),
        (2, 1, 2)
    );
    assert_eq!(r.summary(), "2 missing, 1 different, 2 unexpected");
    // `ops` and `postgres` are outside the scope: only listed with `all`.
    assert_eq!(r.unmanaged, None);
    let all = classify_of(&desired, &live, true);
    let unmanaged: Vec<&str> = all
        .unmanaged
        .as_ref()
        .unwrap()
        .iter()
        .map(|i| i.object.as_str())
        .collect();
    assert_eq!(unmanaged, ["role ops", "role postgres"]);
    assert_eq!(all.counts.unmanaged, Some(2));
}

#[test]
fn a_broken_confinement_exits_3_even_in_sync() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut app = Role::new("app");
    app.confinement = Some(Confinement {
        schemas: vec!["general".into()],
        may_own: false,
    });
    desired.roles.insert("app".into(), app.clone());
    let mut live_app = app.clone();
    live_app.attributes.superuser = true;
    live.roles.insert("app".into(), live_app);
    desired.roles.get_mut("app").unwrap().attributes.superuser = true;
    let r = classify_of(&desired, &live, false);
    assert!(r.in_sync, "{r:#?}");
    assert!(!r.confinements_hold);
    assert_eq!(r.exit_code(), EXIT_VIOLATION);
    assert!(r.violations.iter().any(|v| v.kind == "superuser"));
    assert!(render_text(&r).contains("Confinement violations: "));
}

#[test]
fn the_json_report_is_versioned_and_stable() {
    let desired = Catalog::default();
    let live = live_base();
    let r = classify_of(&desired, &live, false);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["kind"], "pgrecon-drift");
    for key in [
        "schemas_checked",
        "tables_checked",
        "roles_checked",
        "missing",
        "different",
        "unexpected",
        "unmanaged",
        "violations",
    ] {
        assert!(json["counts"].get(key).is_some(), "counts.{key}");
    }
    for key in ["missing", "different", "unexpected", "violations", "notes"] {
        assert!(json[key].is_array(), "{key}");
    }
    assert!(json["unmanaged"].is_null());
    let back: DriftReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}
