//! Columns of existing tables.

use super::*;
use crate::diff::tables::{ColumnTypeChange, identity_sequence_name};

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
