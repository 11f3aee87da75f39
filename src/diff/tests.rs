use super::*;
use crate::model::testing::live_base;

fn acl(entries: &[(&str, &[Privilege], bool)]) -> Acl {
    let mut a = Acl::default();
    for (g, ps, grantable) in entries {
        for p in *ps {
            a.grant(Grantee::parse(g), *p, *grantable);
        }
    }
    a
}

#[test]
fn identical_catalogs_have_no_changes() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut role = Role::new("app");
    role.attributes.login = true;
    desired.roles.insert("app".into(), role.clone());
    live.roles.insert("app".into(), role);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.is_empty(), "{:?}", d.changes);
}

#[test]
fn undeclared_public_create_on_managed_schema_is_revoked() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut want = Schema::new("public");
    want.owner = Some("pg_database_owner".into());
    want.acl = acl(&[("PUBLIC", &[Privilege::Usage], false)]);
    desired.schemas.insert("public".into(), want.clone());
    let mut have = want.clone();
    have.acl = acl(&[("PUBLIC", &[Privilege::Usage, Privilege::Create], false)]);
    live.schemas.insert("public".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert_eq!(
        d.changes,
        vec![Change::Revoke {
            target: GrantTarget {
                kind: ObjectKind::Schema,
                objects: vec![ObjectRef::schema("public")],
            },
            grantee: Grantee::Public,
            privileges: vec![Privilege::Create],
            grant_option_only: false,
        }]
    );
}

#[test]
fn schema_object_grants_apply_to_every_existing_table_in_one_change() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut s = Schema::new("general");
    s.object_grants.insert(
        ObjectKind::Table,
        acl(&[("app", &[Privilege::Select], false)]),
    );
    desired.schemas.insert("general".into(), s);
    desired.roles.insert("app".into(), Role::new("app"));
    live.roles.insert("app".into(), Role::new("app"));
    live.schemas
        .insert("general".into(), Schema::new("general"));
    for t in ["a", "b"] {
        let name = QualifiedName::new("general", t);
        live.relations.insert(
            name.clone(),
            Relation {
                name,
                kind: RelationKind::Table,
                owner: Some("postgres".into()),
                acl: Acl::default(),
            },
        );
    }
    // A third table already has the grant: it must not be touched.
    let name = QualifiedName::new("general", "c");
    live.relations.insert(
        name.clone(),
        Relation {
            name,
            kind: RelationKind::Table,
            owner: Some("postgres".into()),
            acl: acl(&[("app", &[Privilege::Select], false)]),
        },
    );
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    match &d.changes[0] {
        Change::Grant { target, .. } => assert_eq!(target.objects.len(), 2),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn grant_option_is_revoked_without_revoking_the_privilege() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut want = Schema::new("s");
    want.acl = acl(&[("app", &[Privilege::Usage], false)]);
    desired.schemas.insert("s".into(), want.clone());
    desired.roles.insert("app".into(), Role::new("app"));
    live.roles.insert("app".into(), Role::new("app"));
    let mut have = want;
    have.acl = acl(&[("app", &[Privilege::Usage], true)]);
    live.schemas.insert("s".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(matches!(
        &d.changes[..],
        [Change::Revoke {
            grant_option_only: true,
            ..
        }]
    ));
}

#[test]
fn owned_role_pattern_drops_only_with_prune() {
    let mut desired = Catalog::default();
    desired.scope.owned_role_patterns = vec!["butler_*_app".into()];
    let mut live = live_base();
    live.roles
        .insert("butler_old_app".into(), Role::new("butler_old_app"));
    live.roles
        .insert("someone_else".into(), Role::new("someone_else"));
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.changes.is_empty());
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.notes[0].kind, NoteKind::Unexpected);
    let d = diff(&desired, &live, &DiffOptions { prune: true }).unwrap();
    assert_eq!(
        d.changes,
        vec![Change::DropRole {
            name: "butler_old_app".into(),
            reassign_to: None
        }]
    );
}

#[test]
fn undeclared_roles_are_never_touched() {
    let desired = Catalog::default();
    let mut live = live_base();
    let mut r = Role::new("dba");
    r.attributes.superuser = true;
    live.roles.insert("dba".into(), r);
    let d = diff(&desired, &live, &DiffOptions { prune: true }).unwrap();
    assert!(d.changes.is_empty() && d.notes.is_empty());
}

#[test]
fn unreadable_password_is_noted_not_reset() {
    use secrecy::SecretString;
    let mut desired = Catalog::default();
    let mut want = Role::new("app");
    want.password = Password::Desired {
        source: PasswordSource::Env("X".into()),
        secret: Some(SecretString::from("pw")),
    };
    desired.roles.insert("app".into(), want);
    let mut live = live_base();
    let mut have = Role::new("app");
    have.password = Password::Unreadable;
    live.roles.insert("app".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.changes.is_empty());
    assert_eq!(d.notes[0].kind, NoteKind::Unverifiable);
    // With a readable, different verifier the password is re-set.
    let mut have = Role::new("app");
    have.password = Password::Stored(SecretString::from(password::verifier_for("other")));
    live.roles.insert("app".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(matches!(
        &d.changes[..],
        [Change::SetPassword {
            reason: PasswordReason::Differs,
            ..
        }]
    ));
}

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

#[test]
fn external_role_must_exist() {
    let mut desired = Catalog::default();
    let mut r = Role::new("ghost");
    r.external = true;
    desired.roles.insert("ghost".into(), r);
    let err = diff(&desired, &live_base(), &DiffOptions::default()).unwrap_err();
    assert_eq!(err, DiffError::ExternalRoleMissing("ghost".into()));
}
