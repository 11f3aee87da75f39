//! What `--mode enforce` may apply without approval.
//!
//! Apply runs a plan whole or not at all, and proves afterwards that nothing is left to
//! do, so "the plan minus its destructive steps" cannot be handed to it as such: the
//! steps left out would make that proof fail. Instead enforce hands apply a desired
//! state that no longer asks for anything destructive, and apply keeps every guarantee
//! (advisory lock, one transaction, approval check, confinement check, verification):
//!
//! - pruning is off unless `--allow-destructive` (undeclared objects in the owned scope
//!   stay, and stay reported as unexpected);
//! - a column the desired state no longer declares is kept as it is live (no
//!   `DROP COLUMN`);
//! - a column that would be dropped and added again with its values lost (an ordinary
//!   column becoming generated, possibly with a type change) is kept as it is live;
//! - an attribute of a composite type the desired state no longer declares is kept;
//! - an enum whose labels are removed or reordered keeps its live labels (no
//!   replacement).
//!
//! Every step of the full plan that the adjusted plan does not contain is "held back":
//! reported in the run record and the logs, and still drift on the next run. If a
//! destructive step remains that cannot be held back this way, nothing is applied.
//! Pure: no I/O.

use crate::diff::tables::TableChange;
use crate::diff::user_types::TypeChange;
use crate::diff::{self, Change, Diff, DiffError, DiffOptions};
use crate::model::{Catalog, QualifiedName};
use crate::pipeline::{self, PipelineError};
use crate::plan::{self, Plan, PlanError};
use std::collections::BTreeSet;

/// The desired state enforce hands to apply, and what it holds back.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub desired: Catalog,
    /// `--prune` for the apply: only with `--allow-destructive`.
    pub prune: bool,
    /// The plan apply is expected to run (apply re-plans under its lock).
    pub plan: Plan,
    /// Summaries of the full plan's steps that are not applied.
    pub held_back: Vec<String>,
    /// Destructive steps that could not be held back; when not empty, enforce applies
    /// nothing.
    pub unresolved: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The re-plan of the adjusted state (diff or plan stage).
    #[error(transparent)]
    Replan(#[from] PipelineError),
}

/// `desired` (canonical) adjusted so that applying it against `live` is never
/// destructive, unless `allow_destructive`. `full` is the plan the run reported (with
/// the run's `--prune`).
pub fn prepare(
    desired: &Catalog,
    live: &Catalog,
    full: &Plan,
    prune: bool,
    allow_destructive: bool,
) -> Result<Prepared, PrepareError> {
    if allow_destructive {
        let plan = pipeline::replan(desired, live, &DiffOptions { prune })?;
        return Ok(Prepared {
            desired: desired.clone(),
            prune,
            plan,
            held_back: Vec::new(),
            unresolved: Vec::new(),
        });
    }
    let options = DiffOptions { prune: false };
    let mut adjusted = desired.clone();
    let d = diff::diff(desired, live, &options)?;
    for change in &d.changes {
        if is_destructive(change)? {
            hold_back(&mut adjusted, live, change);
        }
    }
    let plan = pipeline::replan(&adjusted, live, &options)?;
    let unresolved: Vec<String> = plan
        .destructive_steps()
        .map(|s| s.summary.clone())
        .collect();
    let kept: BTreeSet<&str> = plan.steps.iter().map(|s| s.summary.as_str()).collect();
    let held_back = full
        .steps
        .iter()
        .filter(|s| !kept.contains(s.summary.as_str()))
        .map(|s| s.summary.clone())
        .collect();
    Ok(Prepared {
        desired: adjusted,
        prune: false,
        plan,
        held_back,
        unresolved,
    })
}

/// Whether the step of one change carries a destructive hazard.
fn is_destructive(change: &Change) -> Result<bool, PlanError> {
    let one = Diff {
        changes: vec![change.clone()],
        notes: Vec::new(),
    };
    Ok(plan::build(&one)?.destructive_steps().next().is_some())
}

/// Adjusts `desired` so that it no longer asks for `change`.
fn hold_back(desired: &mut Catalog, live: &Catalog, change: &Change) {
    if let Change::Type(t) = change
        && let TypeChange::DropAttribute { name, attribute } = t.as_ref()
    {
        keep_live_attribute(desired, live, name, attribute);
    }
    let Change::Table(t) = change else {
        return;
    };
    match t.as_ref() {
        TableChange::DropColumn { table, column, .. } => {
            if let Some(want) = desired.tables.get_mut(table)
                && !want.columns.iter().any(|c| c.name == column.name)
            {
                want.columns.push(column.clone());
            }
        }
        // The labels stay as they are live (no label is added either until approved).
        TableChange::ReplaceEnum {
            enum_type, live, ..
        } => {
            if let Some(want) = desired.enums.get_mut(&enum_type.name) {
                want.values = live.values.clone();
            }
        }
        TableChange::RecreateColumn { table, column, .. } => {
            keep_live_column(desired, live, table, &column.name);
        }
        TableChange::AlterColumnTypes {
            table,
            columns,
            recreate_generated,
        } => {
            for c in columns {
                keep_live_column(desired, live, table, &c.column);
            }
            for r in recreate_generated {
                keep_live_column(desired, live, table, &r.column.name);
            }
        }
        _ => {}
    }
}

/// The live attribute kept where it is live (attributes are only ever appended).
fn keep_live_attribute(
    desired: &mut Catalog,
    live: &Catalog,
    name: &QualifiedName,
    attribute: &str,
) {
    let (Some(want), Some(have)) = (
        desired.composite_types.get_mut(name),
        live.composite_types.get(name),
    ) else {
        return;
    };
    let mut attributes: Vec<_> = have
        .attributes
        .iter()
        .filter(|a| a.name == attribute || want.attribute(&a.name).is_some())
        .map(|a| want.attribute(&a.name).unwrap_or(a).clone())
        .collect();
    attributes.extend(
        want.attributes
            .iter()
            .filter(|a| have.attribute(&a.name).is_none())
            .cloned(),
    );
    want.attributes = attributes;
}

fn keep_live_column(desired: &mut Catalog, live: &Catalog, table: &QualifiedName, column: &str) {
    let Some(have) = live
        .tables
        .get(table)
        .and_then(|t| t.columns.iter().find(|c| c.name == column))
    else {
        return;
    };
    if let Some(want) = desired.tables.get_mut(table)
        && let Some(slot) = want.columns.iter_mut().find(|c| c.name == column)
    {
        *slot = have.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::live_base;
    use crate::model::*;

    fn with_table(mut c: Catalog, columns: &[&str]) -> Catalog {
        let name = QualifiedName::new("app".to_string(), "notes".to_string());
        let mut t = Table::new(name.clone());
        for col in columns {
            t.columns.push(Column::new(*col, "text"));
        }
        c.schemas.insert("app".into(), Schema::new("app"));
        c.relations.insert(
            name.clone(),
            Relation {
                kind: RelationKind::Table,
                name: name.clone(),
                owner: Some("postgres".into()),
                acl: Acl::default(),
            },
        );
        c.tables.insert(name, t);
        c
    }

    #[test]
    fn a_dropped_column_is_held_back_and_the_rest_applied() {
        let mut desired = with_table(Catalog::default(), &["id"]);
        desired
            .roles
            .insert("app_role".into(), Role::new("app_role"));
        let live = with_table(live_base(), &["id", "legacy"]);
        let full =
            plan::build(&diff::diff(&desired, &live, &DiffOptions::default()).unwrap()).unwrap();
        assert!(full.destructive_steps().next().is_some(), "{full:#?}");

        let p = prepare(&desired, &live, &full, false, false).unwrap();
        assert!(p.unresolved.is_empty());
        assert_eq!(p.held_back.len(), 1, "{:?}", p.held_back);
        assert!(p.held_back[0].contains("legacy"), "{:?}", p.held_back);
        let summaries: Vec<&str> = p.plan.steps.iter().map(|s| s.summary.as_str()).collect();
        assert!(
            summaries.iter().any(|s| s.contains("app_role")),
            "{summaries:?}"
        );
        assert!(p.plan.destructive_steps().next().is_none());

        let all = prepare(&desired, &live, &full, false, true).unwrap();
        assert!(all.held_back.is_empty());
        assert_eq!(all.plan.steps.len(), full.steps.len());
    }

    #[test]
    fn pruning_is_held_back_without_allow_destructive() {
        let mut desired = Catalog::default();
        desired.scope.owned_role_patterns = vec!["*_app".into()];
        let mut live = live_base();
        live.roles
            .insert("stray_app".into(), Role::new("stray_app"));
        let full = plan::build(&diff::diff(&desired, &live, &DiffOptions { prune: true }).unwrap())
            .unwrap();
        assert_eq!(full.steps.len(), 1);
        let p = prepare(&desired, &live, &full, true, false).unwrap();
        assert!(!p.prune);
        assert!(p.plan.is_empty());
        assert_eq!(p.held_back, [full.steps[0].summary.clone()]);
    }

    #[test]
    fn a_dropped_attribute_is_kept_in_place_and_the_added_one_applied() {
        let attribute = |name: &str| Attribute {
            name: name.into(),
            type_name: "text".into(),
            collation: None,
        };
        let composite = |names: &[&str]| CompositeType {
            name: QualifiedName::new("app", "pair"),
            owner: None,
            attributes: names.iter().map(|n| attribute(n)).collect(),
            comment: None,
            acl: None,
        };
        let mut desired = with_table(Catalog::default(), &["id"]);
        let mut live = with_table(live_base(), &["id"]);
        let name = QualifiedName::new("app", "pair");
        desired
            .composite_types
            .insert(name.clone(), composite(&["a", "c"]));
        live.composite_types
            .insert(name.clone(), composite(&["a", "b"]));
        let full =
            plan::build(&diff::diff(&desired, &live, &DiffOptions::default()).unwrap()).unwrap();
        assert_eq!(full.steps.len(), 2, "{full:#?}");
        let p = prepare(&desired, &live, &full, false, false).unwrap();
        assert!(p.unresolved.is_empty(), "{:?}", p.unresolved);
        assert_eq!(p.held_back.len(), 1, "{:?}", p.held_back);
        assert!(
            p.held_back[0].contains("drop attribute b"),
            "{:?}",
            p.held_back
        );
        assert_eq!(
            p.desired.composite_types[&name],
            composite(&["a", "b", "c"])
        );
        let summaries: Vec<&str> = p.plan.steps.iter().map(|s| s.summary.as_str()).collect();
        assert_eq!(summaries, ["add attribute c to composite type app.pair"]);
    }
}
