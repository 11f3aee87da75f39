//! Tables as a whole.

use super::*;

#[test]
fn identical_tables_have_no_changes() {
    let (mut desired, mut live) = catalogs();
    let mut t = table("general.notes", &[("id", "bigint"), ("body", "text")]);
    t.columns[0].not_null = true;
    t.constraints.insert(
        "notes_pkey".into(),
        pk("general.notes", "notes_pkey", &["id"]),
    );
    put(&mut desired, t.clone());
    put(&mut live, t);
    let d = run(&desired, &live, false);
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert!(d.notes.is_empty(), "{:#?}", d.notes);
}

#[test]
fn renamed_table_is_renamed_before_its_columns_change() {
    let (mut desired, mut live) = catalogs();
    put(&mut live, table("general.memo", &[("id", "integer")]));
    let mut want = table("general.notes", &[("id", "bigint")]);
    want.renamed_from = Some("memo".into());
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "rename table general.memo to notes",
            "change type of column id of table general.notes",
        ]
    );
    // The old name is neither unexpected nor dropped.
    assert!(plan.notes.is_empty(), "{:#?}", plan.notes);
}

#[test]
fn a_new_table_gets_its_owner_and_grants_in_the_same_plan() {
    let (mut desired, live) = catalogs();
    desired.roles.insert("owner".into(), Role::new("owner"));
    desired.roles.insert("app".into(), Role::new("app"));
    let mut acl = Acl::default();
    acl.grant(Grantee::Role("app".into()), Privilege::Select, false);
    desired
        .schemas
        .get_mut("general")
        .unwrap()
        .object_grants
        .insert(ObjectKind::Table, acl.clone());
    desired
        .schemas
        .get_mut("general")
        .unwrap()
        .object_grants
        .insert(ObjectKind::Sequence, {
            let mut a = Acl::default();
            a.grant(Grantee::Role("app".into()), Privilege::Usage, false);
            a
        });
    let mut t = table("general.notes", &[("id", "bigint"), ("body", "text")]);
    t.columns[0].identity = Some(Identity {
        kind: IdentityKind::Always,
        options: SequenceOptions::default(),
    });
    t.columns[1].acl = {
        let mut a = Acl::default();
        a.grant(Grantee::Role("app".into()), Privilege::Update, false);
        a
    };
    desired.tables.insert(t.name.clone(), t);
    desired.relations.insert(
        qn("general.notes"),
        Relation {
            name: qn("general.notes"),
            kind: RelationKind::Table,
            owner: Some("owner".into()),
            acl: Acl::default(),
        },
    );
    let mut live = live;
    live.roles.insert("owner".into(), Role::new("owner"));
    live.roles.insert("app".into(), Role::new("app"));
    let plan = plan_of(&desired, &live, false);
    assert!(plan.notes.is_empty(), "{:#?}", plan.notes);
    assert_eq!(
        summaries(&plan),
        vec![
            "create table general.notes",
            "grant SELECT on table general.notes to app",
            "grant USAGE on sequence general.notes_id_seq to app",
            "grant UPDATE (body) on table general.notes to app",
        ]
    );
    assert_eq!(
        plan.steps[0].sql,
        vec![
            "CREATE TABLE general.notes (\n    id bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE \
             NAME general.notes_id_seq),\n    body text\n)",
            "ALTER TABLE general.notes OWNER TO owner",
        ]
    );
    assert_eq!(
        plan.steps[3].sql,
        vec!["GRANT UPDATE (body) ON TABLE general.notes TO app"]
    );
}

/// A no-op diff of a large catalog stays cheap (the budget is the whole plan well under a
/// second for 10,000 tables). Run with `cargo test --release -- --ignored no_op_diff`.
#[test]
#[ignore]
fn no_op_diff_of_ten_thousand_tables() {
    let (mut desired, mut live) = catalogs();
    for n in 0..10_000 {
        let mut t = table(
            &format!("general.t{n}"),
            &[
                ("id", "bigint"),
                ("a", "text"),
                ("b", "integer"),
                ("c", "timestamp with time zone"),
            ],
        );
        t.columns[0].not_null = true;
        t.constraints
            .insert(format!("t{n}_pkey"), pk("", &format!("t{n}_pkey"), &["id"]));
        if n > 0 {
            t.constraints.insert(
                format!("t{n}_fk"),
                fk(
                    &format!("t{n}_fk"),
                    "b",
                    &format!("general.t{}", n - 1),
                    "id",
                ),
            );
        }
        put(&mut desired, t.clone());
        put(&mut live, t);
    }
    let started = std::time::Instant::now();
    let plan = plan_of(&desired, &live, false);
    let elapsed = started.elapsed();
    assert!(plan.is_empty());
    eprintln!("no-op diff + plan of 10,000 tables: {elapsed:?}");
}

#[test]
fn changes_that_cannot_be_made_in_place_are_error_notes() {
    let (mut desired, mut live) = catalogs();
    let d = |base: &str| Domain {
        name: qn("general.code"),
        owner: None,
        base_type: base.into(),
        collation: None,
        not_null: false,
        default: None,
        checks: BTreeMap::new(),
        comment: None,
    };
    live.domains.insert(qn("general.code"), d("text"));
    desired.domains.insert(qn("general.code"), d("integer"));
    let mut have = table("general.events", &[("day", "date")]);
    have.partition_by = Some("RANGE (day)".into());
    put(&mut live, have);
    let mut want = table("general.events", &[("day", "date")]);
    want.partition_by = Some("LIST (day)".into());
    put(&mut desired, want);
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
                NoteKind::Error,
                "domain general.code: cannot change a domain's type or collation in place (text \
                 → integer); nothing planned for it"
                    .into()
            ),
            (
                NoteKind::Error,
                "partitioned table general.events: cannot change how a table is partitioned in \
                 place (RANGE (day) → LIST (day)); nothing planned for it"
                    .into()
            ),
        ]
    );
}
