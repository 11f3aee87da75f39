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

/// A view `name` reading `reads`, owned by `owner`, with `grants`, in `state`.
fn add_view(state: &mut Catalog, name: &str, reads: &[&str], grants: Acl) -> QualifiedName {
    let name = QualifiedName::parse(name).unwrap();
    let mut view = View::new(name.clone(), false);
    view.reads = reads
        .iter()
        .map(|r| (QualifiedName::parse(r).unwrap(), None))
        .collect();
    state.relations.insert(
        name.clone(),
        Relation {
            name: name.clone(),
            kind: RelationKind::View,
            owner: Some("owner".into()),
            acl: grants,
        },
    );
    state.views.insert(name.clone(), view);
    name
}

/// A function `general.f()` owned by `owner` with `body` (`pg_get_functiondef` form).
fn add_function(state: &mut Catalog, language: &str, body: &str, definer: bool, grants: Acl) {
    let id = FunctionId {
        schema: "general".into(),
        name: "f".into(),
        arguments: String::new(),
    };
    let security = if definer { " SECURITY DEFINER\n" } else { "" };
    let text = format!(
        "CREATE OR REPLACE FUNCTION general.f()\n RETURNS bigint\n LANGUAGE {language}\n\
         {security}{body}\n"
    );
    state.functions.insert(
        id.clone(),
        Function {
            id,
            is_procedure: false,
            owner: Some("owner".into()),
            acl: grants,
            definition: Some(RoutineDefinition {
                text,
                arguments: String::new(),
                result: Some("bigint".into()),
                language: language.into(),
                security_definer: definer,
            }),
            comment: None,
            used_by: Vec::new(),
        },
    );
}

#[test]
fn a_view_reads_with_its_owners_rights() {
    let (desired, mut live) = topology();
    let v = add_view(
        &mut live,
        "general.v",
        &["health.vitals", "general.notes", "pg_catalog.pg_class"],
        acl(&[("app", &[Privilege::Select])]),
    );
    let report = verify(&desired, &live);
    assert_eq!(
        paths(&report),
        vec![
            "app → SELECT on view general.v (runs as owner owner, security_invoker off) → \
             reads health.vitals"
                .to_string()
        ]
    );
    assert_eq!(kinds(&report), vec![ViolationKind::ViewOwnerRights]);
    assert_eq!(report.roles[0].access["health"], Access::Read);
    assert!(
        !report.roles[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("denied on")),
        "{:?}",
        report.roles[0].evidence
    );

    // security_invoker: the reader's own rights apply, and it has none on health.
    live.views.get_mut(&v).unwrap().security_invoker = true;
    let report = verify(&desired, &live);
    assert!(report.ok, "{:?}", paths(&report));
    assert_eq!(report.roles[0].access["health"], Access::None);

    // A materialized view holds what its owner read, whatever the option says.
    let view = live.views.get_mut(&v).unwrap();
    view.materialized = true;
    live.relations.get_mut(&v).unwrap().kind = RelationKind::MaterializedView;
    assert_eq!(
        paths(&verify(&desired, &live)),
        vec![
            "app → SELECT on materialized view general.v (filled by its owner owner) → \
             reads health.vitals"
                .to_string()
        ]
    );
}

#[test]
fn a_view_path_is_followed_through_views_and_public_counts_where_usable() {
    let (desired, mut live) = topology();
    add_view(
        &mut live,
        "general.base",
        &["health.vitals"],
        Acl::default(),
    );
    let mut inner = live.views[&QualifiedName::new("general", "base")].clone();
    inner.security_invoker = true; // read as the outer view's owner: still a path
    live.views.insert(inner.name.clone(), inner);
    add_view(
        &mut live,
        "general.summary",
        &["general.base"],
        acl(&[("PUBLIC", &[Privilege::Select])]),
    );
    assert_eq!(
        paths(&verify(&desired, &live)),
        vec![
            "app → PUBLIC → SELECT on view general.summary (runs as owner owner, \
             security_invoker off) → reads general.base (view) → reads health.vitals"
                .to_string()
        ]
    );
    // A view the role may not use, or one outside its confinement it cannot read, is
    // no path of its own.
    let (desired, mut live) = topology();
    add_view(&mut live, "general.v", &["health.vitals"], Acl::default());
    add_view(
        &mut live,
        "health.v",
        &["health.vitals"],
        acl(&[("PUBLIC", &[Privilege::Select])]),
    );
    assert!(verify(&desired, &live).ok);
}

#[test]
fn a_definer_function_reaches_what_its_owner_reaches() {
    let (desired, mut live) = topology();
    let execute = || acl(&[("app", &[Privilege::Execute])]);
    let plpgsql = "AS $function$BEGIN RETURN 1; END$function$";
    add_function(&mut live, "plpgsql", plpgsql, true, execute());
    let report = verify(&desired, &live);
    // `owner` owns every schema; `public`, owned, counts too.
    assert_eq!(
        paths(&report),
        vec![
            "app → EXECUTE on function general.f() (SECURITY DEFINER, runs as owner owner) → \
             owner can reach schema(s) health, public"
                .to_string()
        ]
    );
    assert_eq!(kinds(&report), vec![ViolationKind::SecurityDefiner]);
    assert_eq!(report.roles[0].access["health"], Access::Read);

    // Not a definer: runs with the caller's rights.
    add_function(&mut live, "plpgsql", plpgsql, false, execute());
    assert!(verify(&desired, &live).ok);

    // An owner that reaches nothing outside: no path.
    for s in ["health", "public"] {
        live.schemas.get_mut(s).unwrap().owner = Some("postgres".into());
    }
    add_function(&mut live, "plpgsql", plpgsql, true, execute());
    assert!(
        verify(&desired, &live).ok,
        "{:?}",
        paths(&verify(&desired, &live))
    );
    // Through a membership it inherits.
    live.schemas.get_mut("health").unwrap().acl = acl(&[("ops", &[Privilege::Usage])]);
    live.roles
        .get_mut("owner")
        .unwrap()
        .member_of
        .insert("ops".into(), Membership::default());
    assert_eq!(
        paths(&verify(&desired, &live)),
        vec![
            "app → EXECUTE on function general.f() (SECURITY DEFINER, runs as owner owner) → \
             owner can reach schema(s) health"
                .to_string()
        ]
    );
}

#[test]
fn a_sql_standard_definer_body_is_narrowed_to_what_it_reads() {
    let (desired, mut live) = topology();
    let execute = || acl(&[("app", &[Privilege::Execute])]);
    add_function(
        &mut live,
        "sql",
        "RETURN (SELECT count(*) AS count FROM health.vitals)",
        true,
        execute(),
    );
    assert_eq!(
        paths(&verify(&desired, &live)),
        vec![
            "app → EXECUTE on function general.f() (SECURITY DEFINER, runs as owner owner) → \
             reads health.vitals"
                .to_string()
        ]
    );
    add_function(
        &mut live,
        "sql",
        "BEGIN ATOMIC\n SELECT count(*) AS count\n    FROM general.notes;\nEND",
        true,
        execute(),
    );
    assert!(verify(&desired, &live).ok);
    // A body that may run any query keeps the owner's whole reach.
    add_function(
        &mut live,
        "sql",
        "RETURN length((query_to_xml('select * from health.vitals'::text, true, true, ''::text))::text)",
        true,
        execute(),
    );
    assert!(
        paths(&verify(&desired, &live))
            .iter()
            .any(|p| p.ends_with("owner can reach schema(s) health, public")),
        "{:?}",
        paths(&verify(&desired, &live))
    );
}

#[test]
fn sql_bodies_are_narrowed_only_when_nothing_else_can_run() {
    let def = |language: &str, body: &str| RoutineDefinition {
        text: format!(
            "CREATE OR REPLACE FUNCTION a.f()\n RETURNS bigint\n LANGUAGE {language}\n{body}\n"
        ),
        arguments: String::new(),
        result: None,
        language: language.into(),
        security_definer: true,
    };
    let narrowed = |language: &str, body: &str| paths::sql_body_relations(&def(language, body));
    assert_eq!(
        narrowed(
            "sql",
            "BEGIN ATOMIC\n WITH w AS (SELECT 1 FROM b.t) SELECT count(*) FROM w JOIN c.u ON true;\n INSERT INTO d.x VALUES (pg_catalog.now());\nEND"
        ),
        Some(vec![
            QualifiedName::new("b", "t"),
            QualifiedName::new("c", "u"),
            QualifiedName::new("d", "x")
        ])
    );
    for (language, body) in [
        ("plpgsql", "AS $function$BEGIN RETURN 1; END$function$"),
        ("sql", "AS $function$SELECT 1$function$"),
        // A string body with what looks like a SQL-standard one inside.
        ("sql", "AS $function$\nRETURN 1$function$"),
        ("sql", "RETURN b.g()"),
        ("sql", "RETURN (1 OPERATOR(b.+) 2)"),
        ("sql", "RETURN pg_catalog.nextval('b.s'::regclass)"),
        ("sql", "RETURN pg_catalog.ts_stat('select 1')"),
        ("sql", "RETURN (SELECT"),
    ] {
        assert_eq!(narrowed(language, body), None, "{body}");
    }
}

#[test]
fn projection_carries_views_and_routine_definitions() {
    let (mut desired, live) = topology();
    let mut general = live.schemas["general"].clone();
    general.acl = acl(&[("app", &[Privilege::Usage])]);
    desired.schemas.insert("general".into(), general);
    let mut declared = Catalog::default();
    add_view(
        &mut declared,
        "general.v",
        &["health.vitals"],
        acl(&[("app", &[Privilege::Select])]),
    );
    add_function(
        &mut declared,
        "plpgsql",
        "AS $function$BEGIN RETURN 1; END$function$",
        true,
        acl(&[("app", &[Privilege::Execute])]),
    );
    desired.relations.extend(declared.relations);
    desired.views.extend(declared.views);
    desired.functions.extend(declared.functions);
    assert!(verify(&desired, &live).ok, "nothing of it exists yet");
    let report = verify(&desired, &project(&desired, &live));
    assert_eq!(
        kinds(&report),
        vec![
            ViolationKind::ViewOwnerRights,
            ViolationKind::SecurityDefiner
        ],
        "{:?}",
        paths(&report)
    );
}
