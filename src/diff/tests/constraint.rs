//! Constraints and foreign keys.

use super::*;

#[test]
fn a_foreign_key_cycle_between_new_tables_creates_both_tables_then_both_keys() {
    let (mut desired, live) = catalogs();
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
    put(&mut desired, a);
    put(&mut desired, b);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "create table general.a",
            "create table general.b",
            "add foreign key a_b_fk to table general.a",
            "add foreign key b_a_fk to table general.b",
        ]
    );
    // Keys of new tables are not added NOT VALID, and carry no hazard.
    assert!(!plan.steps[2].sql[0].contains("NOT VALID"));
    assert!(plan.steps[2].hazards.is_empty());
    assert!(plan.steps[0].sql[0].contains("CONSTRAINT a_pkey PRIMARY KEY (id)"));
    assert!(!plan.steps[0].sql[0].contains("FOREIGN KEY"));
}

#[test]
fn a_foreign_key_on_an_existing_table_is_added_not_valid_then_validated() {
    let (mut desired, mut live) = catalogs();
    let mut parent = table("general.p", &[("id", "integer")]);
    parent
        .constraints
        .insert("p_pkey".into(), pk("", "p_pkey", &["id"]));
    put(&mut live, parent.clone());
    put(&mut desired, parent);
    put(&mut live, table("general.c", &[("p_id", "integer")]));
    let mut want = table("general.c", &[("p_id", "integer")]);
    want.constraints
        .insert("c_p_fk".into(), fk("c_p_fk", "p_id", "general.p", "id"));
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "add foreign key c_p_fk to table general.c",
            "validate foreign key c_p_fk of table general.c",
        ]
    );
    assert_eq!(
        plan.steps[0].sql,
        vec![
            "ALTER TABLE general.c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES general.p (id) NOT VALID"
        ]
    );
    assert_eq!(
        plan.steps[1].hazards[0].kind,
        plan::HazardKind::ValidatesData
    );
}

#[test]
fn replacing_a_referenced_primary_key_re_creates_the_foreign_keys_around_it() {
    let (mut desired, mut live) = catalogs();
    let mut parent = table("general.p", &[("id", "integer"), ("code", "text")]);
    parent
        .constraints
        .insert("p_pkey".into(), pk("", "p_pkey", &["id"]));
    put(&mut live, parent.clone());
    parent.constraints.insert(
        "p_pkey".into(),
        Constraint {
            deferrable: true,
            ..pk("", "p_pkey", &["id"])
        },
    );
    put(&mut desired, parent);
    let mut child = table("general.c", &[("p_id", "integer")]);
    child
        .constraints
        .insert("c_p_fk".into(), fk("c_p_fk", "p_id", "general.p", "id"));
    put(&mut live, child.clone());
    put(&mut desired, child);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop foreign key c_p_fk from table general.c",
            "drop primary key p_pkey from table general.p",
            "add primary key p_pkey to table general.p",
            "add foreign key c_p_fk to table general.c",
            "validate foreign key c_p_fk of table general.c",
        ]
    );
}
