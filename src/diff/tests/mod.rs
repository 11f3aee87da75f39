//! Tests of the diff that a case directory (`tests/cases/diff_*`) cannot express, one
//! file per object kind; the helpers here build small catalogs.

mod column;
mod rename;
mod role;
mod routine;
mod table;
mod user_types;
mod view;

use super::tables::TableChange;
use super::*;
use crate::model::testing::live_base;
use crate::plan::{self, Plan};

fn acl(entries: &[(&str, &[Privilege], bool)]) -> Acl {
    let mut a = Acl::default();
    for (g, ps, grantable) in entries {
        for p in *ps {
            a.grant(Grantee::parse(g), *p, *grantable);
        }
    }
    a
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

fn pk(name: &str, columns: &[&str]) -> Constraint {
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

fn table_changes(desired: &Catalog, live: &Catalog) -> Vec<TableChange> {
    diff(desired, live, &DiffOptions::default())
        .unwrap()
        .changes
        .into_iter()
        .filter_map(|c| match c {
            Change::Table(t) => Some(*t),
            _ => None,
        })
        .collect()
}
