//! Enum labels.

use super::*;

#[test]
fn enum_labels_are_added_in_place_before_or_after_a_neighbour() {
    let (mut desired, mut live) = catalogs();
    let e = |values: &[&str]| EnumType {
        name: qn("general.mood"),
        owner: None,
        values: values.iter().map(|v| v.to_string()).collect(),
        comment: None,
    };
    live.enums.insert(qn("general.mood"), e(&["ok", "happy"]));
    desired.enums.insert(
        qn("general.mood"),
        e(&["sad", "ok", "fine", "happy", "ecstatic"]),
    );
    let plan = plan_of(&desired, &live, false);
    let sql: Vec<&str> = plan.steps.iter().map(|s| s.sql[0].as_str()).collect();
    assert_eq!(
        sql,
        vec![
            "ALTER TYPE general.mood ADD VALUE 'sad' BEFORE 'ok'",
            "ALTER TYPE general.mood ADD VALUE 'fine' AFTER 'ok'",
            "ALTER TYPE general.mood ADD VALUE 'ecstatic' AFTER 'happy'",
        ]
    );

    // A removed or reordered label is an error, and nothing is planned for the labels.
    desired
        .enums
        .insert(qn("general.mood"), e(&["happy", "ok", "new"]));
    let d = run(&desired, &live, false);
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.notes[0].kind, NoteKind::Error);
    assert!(d.notes[0].message.contains("cannot remove or reorder"));
}
