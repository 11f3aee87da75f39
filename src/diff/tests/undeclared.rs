//! Undeclared objects in managed schemas.

use super::*;

#[test]
fn an_undeclared_table_is_a_note_and_with_prune_a_destructive_drop() {
    let (mut desired, mut live) = catalogs();
    put(&mut desired, table("general.notes", &[("id", "integer")]));
    put(&mut live, table("general.notes", &[("id", "integer")]));
    let mut stray = table("general.stray", &[("id", "integer")]);
    stray
        .constraints
        .insert("stray_pkey".into(), pk("", "stray_pkey", &["id"]));
    put(&mut live, stray);
    live.unmanaged.push(UnmanagedObject {
        kind: "view".into(),
        schema: "general".into(),
        name: "recent".into(),
    });
    let d = run(&desired, &live, false);
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    let notes: Vec<(NoteKind, String)> = d
        .notes
        .iter()
        .map(|n| (n.kind, format!("{}: {}", n.object, n.message)))
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                NoteKind::Unexpected,
                "table general.stray: table is not declared; left alone (use --prune to drop it)"
                    .into()
            ),
            (
                NoteKind::Unmanaged,
                "schema general: view general.recent".into()
            ),
        ]
    );

    let plan = plan_of(&desired, &live, true);
    assert_eq!(summaries(&plan), vec!["drop table general.stray"]);
    assert!(plan.steps[0].is_destructive());
    assert_eq!(plan.steps[0].sql, vec!["DROP TABLE general.stray"]);
}

#[test]
fn pruned_tables_referencing_each_other_drop_their_foreign_keys_first() {
    let (desired, mut live) = catalogs();
    let mut a = table("general.a", &[("id", "integer"), ("b_id", "integer")]);
    a.constraints
        .insert("a_pkey".into(), pk("", "a_pkey", &["id"]));
    a.constraints
        .insert("a_b_fk".into(), fk("a_b_fk", "b_id", "general.b", "id"));
    let mut b = table("general.b", &[("id", "integer"), ("a_id", "integer")]);
    b.constraints
        .insert("b_pkey".into(), pk("", "b_pkey", &["id"]));
    b.constraints
        .insert("b_a_fk".into(), fk("b_a_fk", "a_id", "general.a", "id"));
    put(&mut live, a);
    put(&mut live, b);
    let plan = plan_of(&desired, &live, true);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop foreign key a_b_fk from table general.a",
            "drop foreign key b_a_fk from table general.b",
            "drop table general.a",
            "drop table general.b",
        ]
    );
}
