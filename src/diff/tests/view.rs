//! Views and materialized views.

use super::*;

fn view(name: &str, definition: &str, columns: &[&str], reads: &[&str]) -> View {
    let mut v = View::new(qn(name), false);
    v.definition = definition.into();
    v.columns = columns
        .iter()
        .map(|c| ViewColumn {
            name: (*c).into(),
            type_name: "integer".into(),
        })
        .collect();
    v.reads = reads.iter().map(|r| (qn(r), None)).collect();
    v
}

fn add(c: &mut Catalog, v: View) {
    c.relations.insert(
        v.name.clone(),
        Relation {
            name: v.name.clone(),
            kind: v.kind(),
            owner: None,
            acl: Acl::default(),
        },
    );
    c.views.insert(v.name.clone(), v);
}

#[test]
fn appended_columns_replace_in_place_and_removed_ones_rebuild_the_readers() {
    let (mut desired, mut live) = catalogs();
    add(&mut live, view("general.a", "SELECT 1 AS x", &["x"], &[]));
    add(
        &mut desired,
        view("general.a", "SELECT 1 AS x, 2 AS y", &["x", "y"], &[]),
    );
    add(
        &mut live,
        view("general.b", "SELECT 1 AS x, 2 AS y", &["x", "y"], &[]),
    );
    add(
        &mut desired,
        view("general.b", "SELECT 1 AS x", &["x"], &[]),
    );
    // Reads b, unchanged itself: dropped before b and created after it.
    let c = view(
        "general.c",
        "SELECT b.x FROM general.b",
        &["x"],
        &["general.b"],
    );
    add(&mut live, c.clone());
    add(&mut desired, c);
    // Same canonical text: nothing.
    let d = view("general.d", "SELECT 4 AS z", &["z"], &[]);
    add(&mut live, d.clone());
    add(&mut desired, d);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "replace view general.a",
            "drop view general.c",
            "drop view general.b",
            "re-create view general.b",
            "re-create view general.c",
        ]
    );
}

#[test]
fn a_materialized_view_change_is_a_rebuild_and_undeclared_views_are_pruned() {
    let (mut desired, mut live) = catalogs();
    let mut m = view("general.m", "SELECT 1 AS x", &["x"], &[]);
    m.materialized = true;
    let mut m2 = m.clone();
    m2.definition = "SELECT 2 AS x".into();
    add(&mut live, m);
    add(&mut desired, m2);
    add(
        &mut live,
        view("general.gone", "SELECT 1 AS x", &["x"], &[]),
    );
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop materialized view general.m",
            "re-create materialized view general.m"
        ]
    );
    assert!(
        plan.notes.iter().any(
            |n| n.kind == NoteKind::Unexpected && n.message.starts_with("view is not declared")
        )
    );
    let pruned = plan_of(&desired, &live, true);
    assert!(
        pruned
            .steps
            .iter()
            .any(|s| s.summary == "drop view general.gone" && s.is_destructive())
    );
}

#[test]
fn a_comment_on_a_column_the_view_lacks_is_an_error_note() {
    let (mut desired, live) = catalogs();
    let mut v = view("general.v", "SELECT 1 AS x", &["x"], &[]);
    v.column_comments.insert("nope".into(), "c".into());
    v.column_comments.insert("x".into(), "the x".into());
    add(&mut desired, v);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(summaries(&plan), vec!["create view general.v"]);
    let sql = plan.steps[0].sql.join("\n");
    assert!(
        sql.contains("COMMENT ON COLUMN general.v.x IS 'the x'"),
        "{sql}"
    );
    assert!(!sql.contains("nope"), "{sql}");
    assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Error));
}

#[test]
fn views_in_schemas_that_declare_none_stay_unmanaged() {
    let (desired, mut live) = catalogs();
    add(&mut live, view("general.v", "SELECT 1 AS x", &["x"], &[]));
    let d = diff(&desired, &live, &DiffOptions { prune: true }).unwrap();
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert!(
        d.notes
            .iter()
            .any(|n| n.kind == NoteKind::Unmanaged && n.message == "view general.v")
    );
}

#[test]
fn a_pruned_view_is_dropped_before_the_table_it_reads() {
    let (mut desired, mut live) = catalogs();
    add(
        &mut desired,
        view("general.kept", "SELECT 1 AS x", &["x"], &[]),
    );
    add(
        &mut live,
        view("general.kept", "SELECT 1 AS x", &["x"], &[]),
    );
    let t = table("general.t", &[("id", "integer")]);
    live.tables.insert(t.name.clone(), t);
    let mut v = view(
        "general.reads_t",
        "SELECT t.id FROM general.t",
        &["id"],
        &[],
    );
    v.reads = vec![(qn("general.t"), Some("id".into()))];
    add(&mut live, v);
    let plan = plan_of(&desired, &live, true);
    let at = |s: &str| summaries(&plan).iter().position(|x| *x == s).unwrap();
    assert!(
        at("drop view general.reads_t") < at("drop table general.t"),
        "{:?}",
        summaries(&plan)
    );
}
