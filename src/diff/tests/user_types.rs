//! Collations, composite and range types.

use super::*;

fn attr(name: &str, type_name: &str) -> Attribute {
    Attribute {
        name: name.into(),
        type_name: type_name.into(),
        collation: None,
    }
}

fn composite(name: &str, attributes: &[(&str, &str)]) -> CompositeType {
    CompositeType {
        acl: None,
        name: qn(name),
        owner: None,
        attributes: attributes.iter().map(|(n, t)| attr(n, t)).collect(),
        comment: None,
    }
}

fn range(name: &str, subtype: &str) -> RangeType {
    let name = qn(name);
    RangeType {
        acl: None,
        multirange: QualifiedName::new(&name.schema, default_multirange_name(&name.name)),
        name,
        owner: None,
        subtype: subtype.into(),
        subtype_opclass: None,
        collation: None,
        canonical: None,
        subtype_diff: None,
        comment: None,
    }
}

fn collation(name: &str, locale: &str) -> Collation {
    Collation {
        name: qn(name),
        owner: None,
        provider: CollationProvider::Libc,
        locale: None,
        lc_collate: Some(locale.into()),
        lc_ctype: Some(locale.into()),
        deterministic: true,
        comment: None,
    }
}

fn sql(plan: &Plan) -> Vec<&str> {
    plan.steps
        .iter()
        .flat_map(|s| s.sql.iter().map(String::as_str))
        .collect()
}

#[test]
fn composite_attributes_change_in_place_and_the_types_come_before_the_tables() {
    let (mut desired, mut live) = catalogs();
    live.composite_types.insert(
        qn("general.address"),
        composite("general.address", &[("street", "text"), ("zip", "integer")]),
    );
    let mut address = composite(
        "general.address",
        &[("street", "character varying(40)"), ("city", "text")],
    );
    address.attributes[0].collation = Some("general.bytes".into());
    desired
        .composite_types
        .insert(qn("general.address"), address);
    desired
        .collations
        .insert(qn("general.bytes"), collation("general.bytes", "C"));
    desired
        .range_types
        .insert(qn("general.span"), range("general.span", "integer"));
    let mut t = table(
        "general.t",
        &[("a", "general.address"), ("b", "general.span")],
    );
    t.columns[0].collation = None;
    let mut c = Column::new("c", "text");
    c.collation = Some("general.bytes".into());
    t.columns.push(c);
    desired.tables.insert(t.name.clone(), t);

    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        sql(&plan),
        vec![
            "CREATE COLLATION general.bytes (provider = libc, lc_collate = 'C', lc_ctype = 'C')",
            "CREATE TYPE general.span AS RANGE (subtype = integer)",
            "ALTER TYPE general.address DROP ATTRIBUTE zip",
            "ALTER TYPE general.address ALTER ATTRIBUTE street TYPE character varying(40) \
             COLLATE general.bytes",
            "ALTER TYPE general.address ADD ATTRIBUTE city text",
            "CREATE TABLE general.t (\n    a general.address,\n    b general.span,\n    c text \
             COLLATE general.bytes\n)",
        ]
    );
    let drop = &plan.steps[2];
    assert!(drop.is_destructive(), "{drop:#?}");

    // A reordered attribute cannot be changed in place.
    desired.composite_types.insert(
        qn("general.address"),
        composite("general.address", &[("zip", "integer"), ("street", "text")]),
    );
    let d = run(&desired, &live, false);
    assert!(
        d.notes
            .iter()
            .any(|n| n.kind == NoteKind::Error
                && n.message.contains("cannot reorder the attributes"))
    );
}

#[test]
fn a_changed_range_or_collation_is_replaced_unless_something_uses_it() {
    let (mut desired, mut live) = catalogs();
    live.range_types
        .insert(qn("general.span"), range("general.span", "integer"));
    desired
        .range_types
        .insert(qn("general.span"), range("general.span", "bigint"));
    live.collations
        .insert(qn("general.bytes"), collation("general.bytes", "C"));
    desired
        .collations
        .insert(qn("general.bytes"), collation("general.bytes", "POSIX"));
    let plan = plan_of(&desired, &live, false);
    assert_eq!(
        sql(&plan),
        vec![
            "DROP COLLATION general.bytes",
            "CREATE COLLATION general.bytes (provider = libc, lc_collate = 'POSIX', lc_ctype = \
             'POSIX')",
            "DROP TYPE general.span",
            "CREATE TYPE general.span AS RANGE (subtype = bigint)",
        ]
    );

    // A live column of the range and one with the collation: nothing planned, an error.
    let mut t = table(
        "general.t",
        &[
            ("a", "general.span[]"),
            ("b", "text"),
            ("c", "general.span_multirange"),
        ],
    );
    t.columns[1].collation = Some("general.bytes".into());
    put(&mut live, t.clone());
    put(&mut desired, t);
    let d = run(&desired, &live, false);
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    let errors: Vec<&str> = d
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Error)
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|m| m.contains("used by column general.t.b;"))
    );
    assert!(
        errors
            .iter()
            .any(|m| m.contains("used by column general.t.a, column general.t.c;")),
        "{errors:#?}"
    );
}

#[test]
fn undeclared_ones_are_pruned_only_where_their_kind_is_declared() {
    let (mut desired, mut live) = catalogs();
    desired.schemas.insert("other".into(), Schema::new("other"));
    live.schemas.insert("other".into(), Schema::new("other"));
    for schema in ["general", "other"] {
        let name = format!("{schema}.pair");
        live.composite_types
            .insert(qn(&name), composite(&name, &[("a", "integer")]));
        let name = format!("{schema}.span");
        live.range_types.insert(qn(&name), range(&name, "integer"));
    }
    desired.composite_types.insert(
        qn("general.kept"),
        composite("general.kept", &[("a", "integer")]),
    );
    live.composite_types.insert(
        qn("general.kept"),
        composite("general.kept", &[("a", "integer")]),
    );

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
                "composite type general.pair: composite type is not declared; left alone (use \
                 --prune to drop it)"
                    .to_string()
            ),
            (
                NoteKind::Unmanaged,
                "schema other: composite type other.pair".to_string()
            ),
            (
                NoteKind::Unmanaged,
                "schema general: range type general.span".to_string()
            ),
            (
                NoteKind::Unmanaged,
                "schema other: range type other.span".to_string()
            ),
        ]
    );
    let plan = plan_of(&desired, &live, true);
    assert_eq!(sql(&plan), vec!["DROP TYPE general.pair"]);
}

#[test]
fn an_attribute_of_a_type_in_use_is_added_and_dropped_but_not_altered() {
    let (mut desired, mut live) = catalogs();
    live.composite_types.insert(
        qn("general.pair"),
        composite("general.pair", &[("a", "integer"), ("b", "text")]),
    );
    desired.composite_types.insert(
        qn("general.pair"),
        composite("general.pair", &[("a", "bigint"), ("c", "text")]),
    );
    let t = table("general.t", &[("p", "general.pair")]);
    put(&mut live, t.clone());
    put(&mut desired, t);
    let d = run(&desired, &live, false);
    let plan = plan::build(&d).unwrap();
    assert_eq!(
        sql(&plan),
        vec![
            "ALTER TYPE general.pair DROP ATTRIBUTE b",
            "ALTER TYPE general.pair ADD ATTRIBUTE c text",
        ]
    );
    assert!(
        d.notes.iter().any(|n| n.kind == NoteKind::Error
            && n.message
                .contains("attribute a while column general.t.p uses the type")),
        "{:#?}",
        d.notes
    );
}
