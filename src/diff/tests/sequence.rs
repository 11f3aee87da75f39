//! Sequences.

use super::*;

#[test]
fn a_new_sequence_owned_by_a_new_table_column_is_created_first_and_owned_after() {
    let (mut desired, live) = catalogs();
    desired.sequences.insert(
        qn("general.ticket_seq"),
        Sequence {
            name: qn("general.ticket_seq"),
            owner: None,
            data_type: "integer".into(),
            options: SequenceOptions::default(),
            owned_by: Some((qn("general.tickets"), "no".into())),
            comment: None,
        },
    );
    let mut t = table("general.tickets", &[("no", "integer")]);
    t.columns[0].default = Some("nextval('general.ticket_seq'::regclass)".into());
    desired.tables.insert(t.name.clone(), t);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "create sequence general.ticket_seq",
            "create table general.tickets",
            "make sequence general.ticket_seq owned by general.tickets.no",
        ]
    );
}
