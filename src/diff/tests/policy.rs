//! Policies.

use super::*;

#[test]
fn policies_alter_in_place_when_only_roles_or_expressions_change() {
    let (mut desired, mut live) = catalogs();
    let p = |roles: &[&str], using: Option<&str>, command: &str| Policy {
        name: "own_rows".into(),
        permissive: true,
        command: command.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        using: using.map(str::to_string),
        with_check: None,
    };
    let mut have = table("general.t", &[("owner", "text")]);
    have.row_level_security = true;
    have.policies.insert(
        "own_rows".into(),
        p(&["app"], Some("(owner = CURRENT_USER)"), "ALL"),
    );
    put(&mut live, have.clone());
    let mut want = have.clone();
    want.policies.insert(
        "own_rows".into(),
        p(&["app", "reporting"], Some("(owner = CURRENT_USER)"), "ALL"),
    );
    put(&mut desired, want.clone());
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        plan.steps[0].sql,
        vec!["ALTER POLICY own_rows ON general.t TO app, reporting"]
    );

    want.policies.insert(
        "own_rows".into(),
        p(&["app"], Some("(owner = CURRENT_USER)"), "SELECT"),
    );
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop policy own_rows on general.t",
            "create policy own_rows on general.t",
        ]
    );
}
