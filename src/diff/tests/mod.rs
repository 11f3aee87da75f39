//! Tests of the diff, one file per object kind; the helpers here build small catalogs.

mod acl;
mod column;
mod constraint;
mod enum_type;
mod index;
mod parameter;
mod policy;
mod rename;
mod role;
mod sequence;
mod table;
mod undeclared;
mod view;

use super::tables::TableChange;
use super::*;
use crate::model::testing::live_base;
use crate::plan::{self, Plan};
use std::collections::BTreeMap;

fn acl(entries: &[(&str, &[Privilege], bool)]) -> Acl {
    let mut a = Acl::default();
    for (g, ps, grantable) in entries {
        for p in *ps {
            a.grant(Grantee::parse(g), *p, *grantable);
        }
    }
    a
}

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
fn identical_catalogs_have_no_changes() {
    let mut desired = Catalog::default();
    let mut live = live_base();
    let mut role = Role::new("app");
    role.attributes.login = true;
    desired.roles.insert("app".into(), role.clone());
    live.roles.insert("app".into(), role);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.is_empty(), "{:?}", d.changes);
}
