use super::*;
use crate::diff::{Change, GrantTarget, ParameterTarget};
use crate::model::*;

fn grant_usage(schema: &str, role: &str) -> Change {
    Change::Grant {
        target: GrantTarget {
            kind: ObjectKind::Schema,
            objects: vec![ObjectRef::schema(schema)],
        },
        grantee: Grantee::Role(role.into()),
        privileges: vec![Privilege::Usage],
        with_grant_option: false,
    }
}

fn plan_of(changes: Vec<Change>) -> Plan {
    build(&Diff {
        changes,
        notes: vec![],
    })
    .unwrap()
}

#[test]
fn roles_and_schemas_come_before_the_grants_that_need_them() {
    let plan = plan_of(vec![
        grant_usage("general", "app"),
        Change::CreateSchema {
            name: "general".into(),
            owner: Some("owner".into()),
        },
        Change::CreateRole {
            name: "app".into(),
            attributes: RoleAttributes::default(),
        },
        Change::CreateRole {
            name: "owner".into(),
            attributes: RoleAttributes::default(),
        },
    ]);
    let order: Vec<&str> = plan.steps.iter().map(|s| s.summary.as_str()).collect();
    assert_eq!(
        order,
        vec![
            "create role app",
            "create role owner",
            "create schema general",
            "grant USAGE on schema general to app",
        ]
    );
    assert_eq!(
        plan.steps.iter().map(|s| s.number).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
}

#[test]
fn revokes_run_before_the_drop_of_their_grantee() {
    let plan = plan_of(vec![
        Change::DropRole {
            name: "old".into(),
            reassign_to: None,
        },
        Change::Revoke {
            target: GrantTarget {
                kind: ObjectKind::Schema,
                objects: vec![ObjectRef::schema("s")],
            },
            grantee: Grantee::Role("old".into()),
            privileges: vec![Privilege::Usage],
            grant_option_only: false,
        },
    ]);
    assert_eq!(plan.steps[0].action, Action::Revoke);
    assert_eq!(plan.steps[1].action, Action::Drop);
    assert!(plan.steps[1].is_destructive());
    assert_eq!(plan.summary.destructive, 1);
}

#[test]
fn plan_is_deterministic_and_id_depends_on_content() {
    let changes = vec![
        Change::CreateRole {
            name: "a".into(),
            attributes: RoleAttributes::default(),
        },
        Change::SetParameter {
            target: ParameterTarget::Role { role: "a".into() },
            name: "search_path".into(),
            from: None,
            to: Some(SettingValue::List(vec!["x".into(), "public".into()])),
        },
    ];
    let a = plan_of(changes.clone());
    let b = plan_of(changes.clone());
    assert_eq!(a, b);
    assert_eq!(a.plan_id, b.plan_id);
    let mut other = changes;
    other.pop();
    assert_ne!(plan_of(other).plan_id, a.plan_id);
    assert_eq!(
        a.steps[1].sql,
        vec!["ALTER ROLE a SET search_path TO 'x', 'public'".to_string()]
    );
}

#[test]
fn password_steps_never_print_a_secret_and_execute_by_reference() {
    let plan = plan_of(vec![Change::SetPassword {
        role: "app".into(),
        source: PasswordSource::Env("APP_PW".into()),
        reason: crate::diff::PasswordReason::New,
    }]);
    let step = &plan.steps[0];
    assert!(step.sql[0].starts_with("-- "));
    assert!(step.sql[0].contains("env APP_PW"));
    assert_eq!(
        step.exec,
        Exec::SetPassword {
            role: "app".into(),
            source: PasswordSource::Env("APP_PW".into()),
        }
    );
}

#[test]
fn cycles_are_reported_with_the_objects_involved() {
    // Two nodes that each create what the other requires cannot be ordered.
    let mk = |create: &str, require: &str| Node {
        step: Step {
            number: 0,
            action: Action::Create,
            object: ObjectRef::role(create),
            summary: format!("create {create}"),
            details: vec![],
            sql: vec![],
            hazards: vec![],
            transactional: true,
            exec: Exec::Sql(vec![]),
        },
        phase: 0,
        creates: vec![Key::Role(create.into())],
        requires: vec![Key::Role(require.into())],
        drops: vec![],
        renames: vec![],
    };
    let err = order(&[mk("a", "b"), mk("b", "a")]).unwrap_err();
    assert_eq!(
        err,
        PlanError::Cycle(vec!["create a".into(), "create b".into()])
    );
}
