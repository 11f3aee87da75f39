use super::*;

fn acl(entries: &[(&str, &[Privilege])]) -> Acl {
    let mut a = Acl::default();
    for (g, ps) in entries {
        for p in *ps {
            a.grant(Grantee::parse(g), *p, false);
        }
    }
    a
}

/// The butler topology, converged: `app` confined to general + shared.
fn topology() -> (Catalog, Catalog) {
    let mut desired = Catalog::default();
    let mut app = Role::new("app");
    app.attributes.login = true;
    app.settings.insert(
        "search_path".into(),
        SettingValue::List(vec!["general".into(), "shared".into(), "public".into()]),
    );
    app.confinement = Some(Confinement {
        schemas: vec!["general".into(), "shared".into()],
        may_own: false,
    });
    desired.roles.insert("app".into(), app.clone());
    desired.roles.insert("owner".into(), Role::new("owner"));
    let mut live = Catalog {
        server: Some(ServerInfo {
            version_num: 150000,
            version: "15".into(),
            system_identifier: "1".into(),
            current_user: "postgres".into(),
            can_read_passwords: true,
        }),
        database: Some(Database {
            name: Some("db".into()),
            acl: acl(&[("PUBLIC", &[Privilege::Connect, Privilege::Temporary])]),
            ..Database::default()
        }),
        ..Catalog::default()
    };
    let mut app_live = app;
    app_live.confinement = None;
    live.roles.insert("app".into(), app_live);
    live.roles.insert("owner".into(), Role::new("owner"));
    live.roles.insert("ops".into(), Role::new("ops"));
    for (s, grants) in [
        ("general", acl(&[("app", &[Privilege::Usage])])),
        ("shared", acl(&[("app", &[Privilege::Usage])])),
        ("health", Acl::default()),
        ("public", acl(&[("PUBLIC", &[Privilege::Usage])])),
    ] {
        let mut schema = Schema::new(s);
        schema.owner = Some("owner".into());
        schema.acl = grants;
        live.schemas.insert(s.into(), schema);
    }
    for (s, t, grants) in [
        (
            "general",
            "notes",
            acl(&[(
                "app",
                &[
                    Privilege::Select,
                    Privilege::Insert,
                    Privilege::Update,
                    Privilege::Delete,
                ],
            )]),
        ),
        ("health", "vitals", Acl::default()),
    ] {
        let name = QualifiedName::new(s, t);
        live.relations.insert(
            name.clone(),
            Relation {
                name,
                kind: RelationKind::Table,
                owner: Some("owner".into()),
                acl: grants,
            },
        );
    }
    (desired, live)
}

fn kinds(report: &Report) -> Vec<ViolationKind> {
    report.violations().map(|(_, v)| v.kind).collect()
}

fn paths(report: &Report) -> Vec<String> {
    report.violations().map(|(_, v)| v.path.clone()).collect()
}

#[test]
fn clean_topology_holds_with_evidence() {
    let (desired, live) = topology();
    let report = verify(&desired, &live);
    assert!(report.ok, "{:?}", paths(&report));
    let r = &report.roles[0];
    assert_eq!(r.access["general"], Access::Write);
    assert_eq!(r.access["shared"], Access::Usage);
    assert_eq!(r.access["health"], Access::None);
    assert!(
        r.evidence
            .iter()
            .any(|e| e == "search_path is general, shared, public")
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.contains("denied on 1 schema(s)") && e.contains("health"))
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.starts_with("schema general: write (read and write on 1 of 1"))
    );
    assert!(r.evidence.iter().any(|e| e == "owns nothing"));
}

#[test]
fn membership_with_inherit_leaks_with_its_path() {
    let (desired, mut live) = topology();
    live.schemas.get_mut("health").unwrap().acl = acl(&[("ops", &[Privilege::Usage])]);
    live.roles
        .get_mut("app")
        .unwrap()
        .member_of
        .insert("ops".into(), Membership::default());
    let report = verify(&desired, &live);
    assert!(!report.ok);
    assert_eq!(
        paths(&report),
        vec!["app → member of ops (INHERIT) → USAGE on schema health".to_string()]
    );
    assert_eq!(report.roles[0].access["health"], Access::Usage);
}

#[test]
fn membership_without_inherit_still_leaks_through_set_role() {
    let (desired, mut live) = topology();
    live.relations
        .get_mut(&QualifiedName::new("health", "vitals"))
        .unwrap()
        .acl = acl(&[("ops", &[Privilege::Select])]);
    let app = live.roles.get_mut("app").unwrap();
    app.attributes.inherit = false;
    app.member_of.insert("ops".into(), Membership::default());
    let report = verify(&desired, &live);
    assert_eq!(
        paths(&report),
        vec![
            "app → can SET ROLE ops (member without INHERIT) → SELECT on table health.vitals (latent: no USAGE on its schema yet)"
                .to_string()
        ]
    );
}

#[test]
fn public_grants_count_only_where_the_schema_is_reachable() {
    let (desired, mut live) = topology();
    live.relations
        .get_mut(&QualifiedName::new("health", "vitals"))
        .unwrap()
        .acl = acl(&[("PUBLIC", &[Privilege::Select])]);
    assert!(
        verify(&desired, &live).ok,
        "unreachable PUBLIC grant is not access"
    );
    live.schemas.get_mut("health").unwrap().acl = acl(&[("PUBLIC", &[Privilege::Usage])]);
    let report = verify(&desired, &live);
    assert_eq!(
        paths(&report),
        vec![
            "app → PUBLIC → USAGE on schema health".to_string(),
            "app → PUBLIC → SELECT on table health.vitals".to_string()
        ]
    );
}

#[test]
fn attributes_ownership_default_privileges_and_search_path() {
    let (desired, mut live) = topology();
    let app = live.roles.get_mut("app").unwrap();
    app.attributes.superuser = true;
    app.settings.insert(
        "search_path".into(),
        SettingValue::List(vec!["health".into(), "public".into()]),
    );
    live.relations
        .get_mut(&QualifiedName::new("general", "notes"))
        .unwrap()
        .owner = Some("app".into());
    live.default_privileges.insert(
        DefaultPrivilegeKey {
            for_role: "owner".into(),
            schema: "health".into(),
            kind: ObjectKind::Table,
        },
        acl(&[("app", &[Privilege::Select])]),
    );
    let report = verify(&desired, &live);
    let k = kinds(&report);
    for expected in [
        ViolationKind::Superuser,
        ViolationKind::Ownership,
        ViolationKind::DefaultPrivilege,
        ViolationKind::SearchPath,
    ] {
        assert!(
            k.contains(&expected),
            "{expected:?} missing from {:?}",
            paths(&report)
        );
    }
    assert!(paths(&report).contains(&"app → search_path includes schema health".to_string()));
}

#[test]
fn bypassrls_matters_only_with_row_level_security() {
    let (desired, mut live) = topology();
    live.roles.get_mut("app").unwrap().attributes.bypassrls = true;
    assert!(verify(&desired, &live).ok);
    let mut t = Table::new(QualifiedName::new("general", "notes"));
    t.row_level_security = true;
    live.tables.insert(t.name.clone(), t);
    assert_eq!(
        kinds(&verify(&desired, &live)),
        vec![ViolationKind::BypassRls]
    );
}

#[test]
fn projection_applies_declared_grants_before_anything_runs() {
    let (mut desired, mut live) = topology();
    // Live has a stray grant the plan would revoke: the projected state is clean.
    live.schemas.get_mut("health").unwrap().acl = acl(&[("app", &[Privilege::Usage])]);
    let mut health = Schema::new("health");
    health.owner = Some("owner".into());
    desired.schemas.insert("health".into(), health.clone());
    assert!(!verify(&desired, &live).ok);
    assert!(verify(&desired, &project(&desired, &live)).ok);
    // A declared grant that breaks the confinement is caught on the projection.
    health.acl = acl(&[("app", &[Privilege::Usage])]);
    desired.schemas.insert("health".into(), health);
    assert!(!verify(&desired, &project(&desired, &live)).ok);
}
