//! Object grants and revokes.

use super::*;

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
