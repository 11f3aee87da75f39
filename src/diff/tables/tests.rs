use super::*;
use crate::diff::rename::{ColumnRenames, rename_expression};
use crate::diff::shared::mentions;
use crate::diff::{Change, Diff, DiffOptions, NoteKind};
use crate::model::testing::live_base;
use crate::plan::{self, Plan};

fn qn(text: &str) -> QualifiedName {
    QualifiedName::parse(text).unwrap()
}

/// A desired and a live catalog with schema `general` declared and present.
fn catalogs() -> (Catalog, Catalog) {
    let mut desired = Catalog::default();
    let mut s = Schema::new("general");
    s.manage_tables = true;
    desired.schemas.insert("general".into(), s.clone());
    let mut live = live_base();
    live.schemas.insert("general".into(), s);
    (desired, live)
}

fn table(name: &str, columns: &[(&str, &str)]) -> Table {
    let mut t = Table::new(qn(name));
    for (c, ty) in columns {
        t.columns.push(Column::new(*c, *ty));
    }
    t
}

fn pk(table: &str, name: &str, columns: &[&str]) -> Constraint {
    let _ = table;
    Constraint {
        name: name.into(),
        renamed_from: None,
        kind: ConstraintKind::PrimaryKey {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            include: vec![],
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
    }
}

fn fk(name: &str, column: &str, references: &str, referenced: &str) -> Constraint {
    Constraint {
        name: name.into(),
        renamed_from: None,
        kind: ConstraintKind::ForeignKey {
            columns: vec![column.into()],
            references: qn(references),
            referenced_columns: vec![referenced.into()],
            on_update: ForeignKeyAction::NoAction,
            on_delete: ForeignKeyAction::NoAction,
            match_full: false,
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
    }
}

fn put(catalog: &mut Catalog, t: Table) {
    catalog.relations.insert(
        t.name.clone(),
        Relation {
            name: t.name.clone(),
            kind: RelationKind::Table,
            owner: Some("postgres".into()),
            acl: Acl::default(),
        },
    );
    catalog.tables.insert(t.name.clone(), t);
}

fn table_changes(desired: &Catalog, live: &Catalog, prune: bool) -> Vec<TableChange> {
    run(desired, live, prune)
        .changes
        .into_iter()
        .filter_map(|c| match c {
            Change::Table(t) => Some(*t),
            _ => None,
        })
        .collect()
}

fn run(desired: &Catalog, live: &Catalog, prune: bool) -> Diff {
    crate::diff::diff(desired, live, &DiffOptions { prune }).unwrap()
}

fn plan_of(desired: &Catalog, live: &Catalog, prune: bool) -> Plan {
    plan::build(&run(desired, live, prune)).unwrap()
}

fn summaries(plan: &Plan) -> Vec<&str> {
    plan.steps.iter().map(|s| s.summary.as_str()).collect()
}

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
fn renamed_from_renames_a_column_and_without_it_the_column_is_dropped_and_added() {
    let (mut desired, mut live) = catalogs();
    put(
        &mut live,
        table("general.notes", &[("id", "bigint"), ("name", "text")]),
    );
    let mut want = table("general.notes", &[("id", "bigint"), ("title", "text")]);
    want.columns[1].renamed_from = Some("name".into());
    put(&mut desired, want.clone());
    assert_eq!(
        table_changes(&desired, &live, false),
        vec![TableChange::RenameColumn {
            table: qn("general.notes"),
            from: "name".into(),
            to: "title".into(),
        }]
    );

    want.columns[1].renamed_from = None;
    put(&mut desired, want);
    let changes = table_changes(&desired, &live, false);
    assert!(matches!(&changes[0], TableChange::AddColumn { column, .. } if column.name == "title"));
    assert!(matches!(&changes[1], TableChange::DropColumn { column, .. } if column.name == "name"));
    let plan = plan_of(&desired, &live, false);
    let drop = plan
        .steps
        .iter()
        .find(|s| s.summary.starts_with("drop column"))
        .unwrap();
    assert!(drop.is_destructive());
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
fn type_change_uses_the_declared_using_and_flags_a_rewrite() {
    let (mut desired, mut live) = catalogs();
    let mut have = table("general.t", &[("n", "text")]);
    have.columns[0].default = Some("'0'::text".into());
    put(&mut live, have);
    let mut want = table("general.t", &[("n", "integer")]);
    want.columns[0].using = Some("(NULLIF(n, ''::text))::integer".into());
    want.columns[0].default = Some("0".into());
    put(&mut desired, want);
    let changes = table_changes(&desired, &live, false);
    assert_eq!(
        changes,
        vec![TableChange::AlterColumnTypes {
            table: qn("general.t"),
            columns: vec![ColumnTypeChange {
                column: "n".into(),
                from_type: "text".into(),
                to_type: "integer".into(),
                from_collation: None,
                to_collation: None,
                using: Some("(NULLIF(n, ''::text))::integer".into()),
                drop_default: true,
                set_default: Some("0".into()),
            }],
            recreate_generated: vec![],
        }]
    );
    let plan = plan_of(&desired, &live, false);
    let step = &plan.steps[0];
    assert_eq!(
        step.sql,
        vec![
            "ALTER TABLE general.t\n    ALTER COLUMN n DROP DEFAULT,\n    ALTER COLUMN n TYPE \
             integer USING (NULLIF(n, ''::text))::integer,\n    ALTER COLUMN n SET DEFAULT 0"
                .to_string()
        ]
    );
    let kinds: Vec<_> = step.hazards.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        vec![
            plan::HazardKind::RewritesTable,
            plan::HazardKind::AccessExclusiveLock
        ]
    );

    // Without `using`, the column is cast.
    let mut want = table("general.t", &[("n", "bigint")]);
    want.columns[0].default = Some("'0'::text".into());
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert!(plan.steps[0].sql[0].contains("TYPE bigint USING n::bigint"));
}

#[test]
fn not_null_on_an_existing_table_is_proven_by_a_not_valid_check_first() {
    let (mut desired, mut live) = catalogs();
    put(&mut live, table("general.t", &[("body", "text")]));
    let mut want = table("general.t", &[("body", "text")]);
    want.columns[0].not_null = true;
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(
        plan.steps[0].sql,
        vec![
            "ALTER TABLE general.t ADD CONSTRAINT pgrecon_not_null_check CHECK (body IS NOT \
             NULL) NOT VALID",
            "ALTER TABLE general.t VALIDATE CONSTRAINT pgrecon_not_null_check",
            "ALTER TABLE general.t ALTER COLUMN body SET NOT NULL",
            "ALTER TABLE general.t DROP CONSTRAINT pgrecon_not_null_check",
        ]
    );
    assert!(
        plan.steps[0]
            .hazards
            .iter()
            .any(|h| h.kind == plan::HazardKind::ValidatesData)
    );
}

#[test]
fn not_null_implied_by_a_new_primary_key_is_left_to_it_and_dropped_with_the_old_one() {
    let (mut desired, mut live) = catalogs();
    let mut have = table("general.t", &[("a", "integer"), ("b", "integer")]);
    have.columns[0].not_null = true;
    have.constraints
        .insert("t_pkey".into(), pk("general.t", "t_pkey", &["a"]));
    put(&mut live, have);
    let mut want = table("general.t", &[("a", "integer"), ("b", "integer")]);
    want.constraints
        .insert("t_pkey".into(), pk("general.t", "t_pkey", &["b"]));
    put(&mut desired, want);
    let changes = table_changes(&desired, &live, false);
    assert!(
        matches!(&changes[0], TableChange::DropConstraint { drop_not_null, .. } if drop_not_null == &["a".to_string()]),
        "{changes:#?}"
    );
    assert!(matches!(
        &changes[1],
        TableChange::AddConstraint {
            not_valid: false,
            ..
        }
    ));
    assert_eq!(changes.len(), 2, "{changes:#?}");
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop primary key t_pkey from table general.t",
            "add primary key t_pkey to table general.t",
        ]
    );
}

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

#[test]
fn a_concurrent_index_on_an_existing_table_runs_after_the_transaction() {
    let (mut desired, mut live) = catalogs();
    put(&mut live, table("general.t", &[("a", "integer")]));
    let mut want = table("general.t", &[("a", "integer")]);
    want.indexes.insert(
        "t_a_idx".into(),
        Index {
            name: "t_a_idx".into(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys: vec![IndexKey {
                column: Some("a".into()),
                expression: None,
                opclass: None,
                collation: None,
                descending: true,
                nulls_first: Some(true),
            }],
            include: vec![],
            predicate: Some("(a > 0)".into()),
            with: BTreeMap::from([("fillfactor".into(), "70".into())]),
            concurrently: true,
            valid: true,
            comment: Some("by a".into()),
        },
    );
    put(&mut desired, want.clone());
    let plan = plan_of(&desired, &live, false);
    let step = &plan.steps[0];
    assert!(!step.transactional);
    assert_eq!(
        step.exec,
        plan::Exec::NonTransactional {
            statements: vec![
                "CREATE INDEX CONCURRENTLY t_a_idx ON general.t USING btree (a DESC) WITH \
                 (fillfactor = '70') WHERE ((a > 0))"
                    .into(),
                "COMMENT ON INDEX general.t_a_idx IS 'by a'".into(),
            ],
            cleanup: vec!["DROP INDEX CONCURRENTLY IF EXISTS general.t_a_idx".into()],
        }
    );

    // Once it exists, `concurrently` (desired only) makes no difference.
    let mut built = want.indexes["t_a_idx"].clone();
    built.concurrently = false;
    let mut have = table("general.t", &[("a", "integer")]);
    have.indexes.insert("t_a_idx".into(), built);
    put(&mut live, have);
    assert!(run(&desired, &live, false).changes.is_empty());
}

#[test]
fn identity_options_compare_with_their_defaults_resolved() {
    let (mut desired, mut live) = catalogs();
    let mut have = table("general.t", &[("id", "integer")]);
    have.columns[0].not_null = true;
    have.columns[0].identity = Some(Identity {
        kind: IdentityKind::ByDefault,
        options: SequenceOptions {
            start: Some(1),
            increment: Some(1),
            min_value: Some(1),
            max_value: Some(2147483647),
            cache: Some(1),
            cycle: false,
        },
    });
    put(&mut live, have);
    let mut want = table("general.t", &[("id", "integer")]);
    want.columns[0].identity = Some(Identity {
        kind: IdentityKind::ByDefault,
        options: SequenceOptions::default(),
    });
    put(&mut desired, want.clone());
    assert!(run(&desired, &live, false).changes.is_empty());

    want.columns[0].identity = Some(Identity {
        kind: IdentityKind::Always,
        options: SequenceOptions {
            increment: Some(10),
            ..SequenceOptions::default()
        },
    });
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        plan.steps[0].sql,
        vec!["ALTER TABLE general.t ALTER COLUMN id SET GENERATED ALWAYS SET INCREMENT BY 10"]
    );
}

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

#[test]
fn identity_sequence_names_are_shortened_like_postgresql_does() {
    let long = "a".repeat(60);
    let name = identity_sequence_name(&qn("s.t"), &long);
    assert_eq!(name.name.len(), 63);
    assert!(name.name.starts_with("t_aaaa"));
    assert!(name.name.ends_with("a_seq"));
    assert_eq!(
        identity_sequence_name(&qn("s.notes"), "id").name,
        "notes_id_seq"
    );
}

#[test]
fn policies_alter_in_place_when_only_roles_or_expressions_change() {
    let (mut desired, mut live) = catalogs();
    let p = |roles: &[&str], using: Option<&str>, command: &str| Policy {
        name: "own_rows".into(),
        permissive: true,
        command: command.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        using: using.map(str::to_string),
        with_check: None,
    };
    let mut have = table("general.t", &[("owner", "text")]);
    have.row_level_security = true;
    have.policies.insert(
        "own_rows".into(),
        p(&["app"], Some("(owner = CURRENT_USER)"), "ALL"),
    );
    put(&mut live, have.clone());
    let mut want = have.clone();
    want.policies.insert(
        "own_rows".into(),
        p(&["app", "reporting"], Some("(owner = CURRENT_USER)"), "ALL"),
    );
    put(&mut desired, want.clone());
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        plan.steps[0].sql,
        vec!["ALTER POLICY own_rows ON general.t TO app, reporting"]
    );

    want.policies.insert(
        "own_rows".into(),
        p(&["app"], Some("(owner = CURRENT_USER)"), "SELECT"),
    );
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "drop policy own_rows on general.t",
            "create policy own_rows on general.t",
        ]
    );
}

#[test]
fn type_changes_share_one_rewrite_and_carry_the_generated_columns_that_use_them() {
    let (mut desired, mut live) = catalogs();
    let mut have = table(
        "general.t",
        &[
            ("a", "integer"),
            ("b", "integer"),
            ("g", "integer"),
            ("h", "integer"),
        ],
    );
    have.columns[2].generated = Some("(a * 2)".into());
    have.columns[3].generated = Some("(b + 1)".into());
    put(&mut live, have.clone());
    let mut want = have.clone();
    want.columns[0].type_name = "bigint".into();
    want.columns[1].type_name = "bigint".into();
    want.columns[2].type_name = "bigint".into();
    want.columns[2].generated = Some("(a * 2)".into());
    put(&mut desired, want);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec!["change types of columns a, b of table general.t"]
    );
    assert_eq!(
        plan.steps[0].sql,
        vec![
            "ALTER TABLE general.t\n    DROP COLUMN g,\n    DROP COLUMN h,\n    ALTER COLUMN a \
             TYPE bigint USING a::bigint,\n    ALTER COLUMN b TYPE bigint USING b::bigint,\n    \
             ADD COLUMN g bigint GENERATED ALWAYS AS ((a * 2)) STORED,\n    ADD COLUMN h integer GENERATED ALWAYS AS ((b + \
             1)) STORED"
        ]
    );
    assert!(!plan.steps[0].is_destructive());
}

#[test]
fn column_renames_reach_expressions_but_not_literals_qualified_names_or_types() {
    let renames = ColumnRenames::from([
        ("txt".to_string(), "body".to_string()),
        ("text".to_string(), "Text".to_string()),
    ]);
    assert_eq!(
        rename_expression(
            "((txt <> 'txt'::text) AND (lower(txt) <> x.txt) AND (text IS NULL))",
            Some(&renames)
        ),
        "((body <> 'txt'::text) AND (lower(body) <> x.txt) AND (\"Text\" IS NULL))"
    );
    assert!(mentions("(a * 2)", "a"));
    assert!(!mentions("(ab * 2)", "a"));
    assert!(!mentions("(x.a * 2)", "a"));
    assert!(!mentions("('a'::text)", "a"));
    assert!(mentions("(\"A b\" + 1)", "A b"));
}

#[test]
fn renamed_columns_and_tables_keep_their_constraints_indexes_and_foreign_keys() {
    let (mut desired, mut live) = catalogs();
    let check = |name: &str, expr: &str| Constraint {
        name: name.into(),
        renamed_from: None,
        kind: ConstraintKind::Check {
            expression: expr.into(),
            no_inherit: false,
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
    };
    let mut have = table("general.memos", &[("id", "integer"), ("txt", "text")]);
    have.constraints
        .insert("memos_pk".into(), pk("", "memos_pk", &["id"]));
    have.constraints.insert(
        "memos_txt_chk".into(),
        check("memos_txt_chk", "(txt <> ''::text)"),
    );
    put(&mut live, have);
    let mut child = table("general.refs", &[("memo_id", "integer")]);
    child.constraints.insert(
        "refs_memo_fkey".into(),
        fk("refs_memo_fkey", "memo_id", "general.memos", "id"),
    );
    put(&mut live, child.clone());
    let mut want = table("general.notes", &[("id", "integer"), ("body", "text")]);
    want.renamed_from = Some("memos".into());
    want.columns[1].renamed_from = Some("txt".into());
    want.constraints.insert(
        "notes_pkey".into(),
        Constraint {
            renamed_from: Some("memos_pk".into()),
            ..pk("", "notes_pkey", &["id"])
        },
    );
    want.constraints.insert(
        "notes_body_check".into(),
        Constraint {
            renamed_from: Some("memos_txt_chk".into()),
            ..check("notes_body_check", "(body <> ''::text)")
        },
    );
    put(&mut desired, want);
    child.constraints.insert(
        "refs_memo_fkey".into(),
        fk("refs_memo_fkey", "memo_id", "general.notes", "id"),
    );
    put(&mut desired, child);
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        summaries(&plan),
        vec![
            "rename table general.memos to notes",
            "rename column txt of table general.notes to body",
            "rename constraint memos_txt_chk of table general.notes to notes_body_check",
            "rename constraint memos_pk of table general.notes to notes_pkey",
        ]
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
