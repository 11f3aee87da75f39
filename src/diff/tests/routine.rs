//! Functions and procedures declared in `.sql` files.

use super::*;

fn routine(name: &str, arguments: &str, body: &str, result: &str) -> Function {
    let id = FunctionId {
        schema: "general".into(),
        name: name.into(),
        arguments: arguments.into(),
    };
    Function {
        is_procedure: false,
        owner: Some("app".into()),
        acl: Acl::default(),
        definition: Some(RoutineDefinition {
            text: format!(
                "CREATE OR REPLACE FUNCTION general.{name}(a {arguments})\n RETURNS {result}\n \
                 LANGUAGE sql\nAS $function${body}$function$\n"
            ),
            arguments: format!("a {arguments}"),
            result: Some(result.into()),
            language: "sql".into(),
            security_definer: false,
        }),
        comment: None,
        used_by: Vec::new(),
        id,
    }
}

fn with(c: &mut Catalog, f: Function) {
    c.functions.insert(f.id.clone(), f);
}

#[test]
fn a_new_routine_is_created_before_tables_with_its_grants_and_public_revoked() {
    let (mut desired, mut live) = catalogs();
    live.roles.insert("app".into(), Role::new("app"));
    desired.roles.insert("app".into(), Role::new("app"));
    let mut f = routine("f", "integer", "SELECT a", "integer");
    f.acl = acl(&[("app_user", &[Privilege::Execute], false)]);
    with(&mut desired, f);
    let t = table("general.t", &[("id", "integer")]);
    desired.tables.insert(t.name.clone(), t);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        [
            "create function general.f(integer)",
            "create table general.t",
            "grant EXECUTE on function general.f(integer) to app_user",
            "revoke EXECUTE on function general.f(integer) from PUBLIC",
        ]
    );
}

#[test]
fn an_unchanged_routine_plans_nothing_and_a_new_body_is_replaced_in_place() {
    let (mut desired, mut live) = catalogs();
    let mut have = routine("f", "integer", "SELECT a", "integer");
    have.acl = acl(&[("PUBLIC", &[Privilege::Execute], false)]);
    with(&mut live, have.clone());
    let mut want = have.clone();
    want.acl = Acl::default();
    desired
        .schemas
        .get_mut("general")
        .unwrap()
        .object_grants
        .insert(ObjectKind::Function, have.acl.clone());
    with(&mut desired, want);
    assert!(run(&desired, &live, false).changes.is_empty());

    with(
        &mut desired,
        routine("f", "integer", "SELECT a ", "integer"),
    );
    let plan = plan_of(&desired, &live, false);
    assert_eq!(summaries(&plan), ["replace function general.f(integer)"]);
}

#[test]
fn a_new_result_type_drops_and_creates_again() {
    let (mut desired, mut live) = catalogs();
    with(&mut live, routine("f", "integer", "SELECT a", "integer"));
    with(&mut desired, routine("f", "integer", "SELECT a", "bigint"));
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        [
            "drop function general.f(integer) to create it again",
            "create function general.f(integer) again",
            "revoke EXECUTE on function general.f(integer) from PUBLIC",
        ]
    );
    assert_eq!(
        plan.steps[0].hazards[0].kind,
        plan::HazardKind::AccessExclusiveLock
    );
}

#[test]
fn undeclared_routines_are_dropped_with_prune_only_where_routines_are_declared() {
    let (mut desired, mut live) = catalogs();
    live.schemas.insert("other".into(), Schema::new("other"));
    desired.schemas.insert("other".into(), Schema::new("other"));
    let kept = routine("kept", "integer", "SELECT a", "integer");
    with(&mut live, kept.clone());
    with(&mut desired, kept);
    with(
        &mut live,
        routine("legacy", "integer", "SELECT a", "integer"),
    );
    let mut elsewhere = routine("helper", "integer", "SELECT a", "integer");
    elsewhere.id.schema = "other".into();
    with(&mut live, elsewhere);

    let d = run(&desired, &live, false);
    let notes: Vec<String> = d
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Unexpected)
        .map(|n| format!("{}: {}", n.object, n.message))
        .collect();
    assert_eq!(
        notes,
        [
            "function general.legacy(integer): function is not declared; left alone (use --prune \
          to drop it)"
        ]
    );
    let plan = plan_of(&desired, &live, true);
    let drops: Vec<&str> = summaries(&plan)
        .into_iter()
        .filter(|s| s.starts_with("drop"))
        .collect();
    assert_eq!(drops, ["drop function general.legacy(integer)"]);
    assert!(plan.steps.iter().any(|s| {
        s.hazards
            .iter()
            .any(|h| h.kind == plan::HazardKind::DeletesData)
    }));
}
