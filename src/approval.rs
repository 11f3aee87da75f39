//! Approval of risky steps.
//!
//! The rule: a step is refused unless every hazard kind it carries that *needs approval*
//! is *approved*. Which kinds need approval: by default the destructive ones
//! ([`HazardKind::needs_approval_by_default`]: `deletes_data`, `drops_role`), plus any
//! kind given to `--require-approval`. What approves a kind: `--allow-hazard KIND`,
//! `--allow-destructive` (every destructive kind), or, for a saved plan, a reviewer's
//! approvals file next to it (`plan.json.approvals.toml`) whose `plan_id` is the plan's.
//!
//! `--additive-only` is separate and stricter: it refuses any plan with a step that
//! drops, revokes or deletes, approved or not.

use crate::plan::{HazardKind, Plan};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which hazard kinds need approval, and which are approved (and by what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub required: BTreeSet<HazardKind>,
    /// Approved kinds → what approved them (`--allow-hazard`, `approvals file … (reviewer
    /// alice)`), for messages and reports.
    pub approved: BTreeMap<HazardKind, String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            required: HazardKind::ALL
                .into_iter()
                .filter(|k| k.needs_approval_by_default())
                .collect(),
            approved: BTreeMap::new(),
        }
    }
}

/// A step refused for want of approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapproved {
    pub number: usize,
    pub summary: String,
    pub kinds: BTreeSet<HazardKind>,
}

impl Policy {
    pub fn require(&mut self, kind: HazardKind) {
        self.required.insert(kind);
    }

    pub fn approve(&mut self, kind: HazardKind, by: impl Into<String>) {
        self.approved.entry(kind).or_insert_with(|| by.into());
    }

    /// `--allow-destructive`: every destructive kind.
    pub fn approve_destructive(&mut self, by: &str) {
        for kind in HazardKind::ALL.into_iter().filter(|k| k.is_destructive()) {
            self.approve(kind, by);
        }
    }

    pub fn needs_approval(&self, kind: HazardKind) -> bool {
        self.required.contains(&kind) && !self.approved.contains_key(&kind)
    }

    /// The steps of `plan` this policy refuses, in plan order.
    pub fn unapproved(&self, plan: &Plan) -> Vec<Unapproved> {
        plan.steps
            .iter()
            .filter_map(|s| {
                let kinds: BTreeSet<HazardKind> = s
                    .hazards
                    .iter()
                    .map(|h| h.kind)
                    .filter(|k| self.needs_approval(*k))
                    .collect();
                (!kinds.is_empty()).then(|| Unapproved {
                    number: s.number,
                    summary: s.summary.clone(),
                    kinds,
                })
            })
            .collect()
    }

    /// The approved kinds this plan actually uses, with what approved them.
    pub fn used(&self, plan: &Plan) -> BTreeMap<HazardKind, String> {
        let kinds = plan.hazard_kinds();
        self.approved
            .iter()
            .filter(|(k, _)| kinds.contains(k) && self.required.contains(k))
            .map(|(k, by)| (*k, by.clone()))
            .collect()
    }
}

/// A reviewer's approval of a saved plan's hazards: `<plan file>.approvals.toml`.
///
/// ```toml
/// plan_id = "3f1c…"                 # the plan's id: the approval is void for any other plan
/// reviewer = "alice"
/// approved = ["deletes_data"]       # hazard kinds
/// comment = "column notes.legacy is unused since v42"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalsFile {
    pub plan_id: String,
    pub reviewer: String,
    pub approved: Vec<HazardKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error(
        "cannot read the approvals file `{path}`: {}",
        crate::escape::text_line(message)
    )]
    Read { path: String, message: String },
    #[error("cannot write the approvals file `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the approvals file `{path}` approves plan {}, not this plan {plan}; it is void for this plan (re-review the new plan)",
        crate::escape::text_line(approved)
    )]
    WrongPlan {
        path: String,
        approved: String,
        plan: String,
    },
    #[error("the approvals file `{path}` names no reviewer")]
    NoReviewer { path: String },
}

/// Where the approvals of a saved plan live: next to it, `<plan file>.approvals.toml`.
pub fn approvals_path(plan: &Path) -> PathBuf {
    let mut name = plan.as_os_str().to_owned();
    name.push(".approvals.toml");
    PathBuf::from(name)
}

impl ApprovalsFile {
    pub fn read(path: &Path) -> Result<ApprovalsFile, ApprovalError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ApprovalError::Read {
            path: label.clone(),
            message: e.to_string(),
        })?;
        let file: ApprovalsFile = toml::from_str(&text).map_err(|e| ApprovalError::Read {
            path: label.clone(),
            message: e.message().to_string(),
        })?;
        if file.reviewer.trim().is_empty() {
            return Err(ApprovalError::NoReviewer { path: label });
        }
        Ok(file)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an approvals file serializes")
    }

    pub fn write(&self, path: &Path) -> Result<(), ApprovalError> {
        std::fs::write(path, self.to_toml()).map_err(|source| ApprovalError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// Adds this file's approvals to `policy`, if it approves `plan_id`.
    pub fn apply_to(
        &self,
        policy: &mut Policy,
        plan_id: &str,
        path: &Path,
    ) -> Result<(), ApprovalError> {
        if self.plan_id != plan_id {
            return Err(ApprovalError::WrongPlan {
                path: path.display().to_string(),
                approved: self.plan_id.clone(),
                plan: plan_id.to_string(),
            });
        }
        for kind in &self.approved {
            policy.approve(
                *kind,
                format!("approvals file (reviewer {})", self.reviewer),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectRef;
    use crate::plan::{Action, Hazard, Step};

    fn plan(kinds: &[HazardKind]) -> Plan {
        let step = Step {
            number: 1,
            action: Action::Drop,
            object: ObjectRef::role("old"),
            summary: "drop role old".into(),
            details: vec![],
            sql: vec![],
            hazards: kinds
                .iter()
                .map(|k| Hazard {
                    kind: *k,
                    message: String::new(),
                })
                .collect(),
            transactional: true,
            exec: crate::plan::Exec::Sql(vec![]),
        };
        Plan {
            format_version: 1,
            plan_id: "x".into(),
            steps: vec![step],
            notes: vec![],
            summary: Default::default(),
        }
    }

    #[test]
    fn destructive_kinds_need_approval_by_default_and_others_on_request() {
        let p = plan(&[HazardKind::DropsRole, HazardKind::AuthorizationChange]);
        let mut policy = Policy::default();
        let refused = policy.unapproved(&p);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].kinds, [HazardKind::DropsRole].into());
        policy.approve(HazardKind::DropsRole, "--allow-hazard");
        assert!(policy.unapproved(&p).is_empty());
        policy.require(HazardKind::AuthorizationChange);
        assert_eq!(
            policy.unapproved(&p)[0].kinds,
            [HazardKind::AuthorizationChange].into()
        );
        let mut all = Policy::default();
        all.approve_destructive("--allow-destructive");
        assert!(all.unapproved(&plan(&[HazardKind::DeletesData])).is_empty());
    }

    #[test]
    fn an_approvals_file_is_tied_to_its_plan() {
        let file: ApprovalsFile = toml::from_str(
            "plan_id = \"abc\"\nreviewer = \"alice\"\napproved = [\"deletes_data\"]\n",
        )
        .unwrap();
        let mut policy = Policy::default();
        assert!(matches!(
            file.apply_to(&mut policy, "other", Path::new("p.json.approvals.toml")),
            Err(ApprovalError::WrongPlan { .. })
        ));
        assert!(policy.approved.is_empty());
        file.apply_to(&mut policy, "abc", Path::new("p.json.approvals.toml"))
            .unwrap();
        assert_eq!(
            policy.approved[&HazardKind::DeletesData],
            "approvals file (reviewer alice)"
        );
        assert_eq!(
            approvals_path(Path::new("out/plan.json")),
            PathBuf::from("out/plan.json.approvals.toml")
        );
        assert!(
            toml::from_str::<ApprovalsFile>(
                "plan_id = \"a\"\nreviewer = \"b\"\napproved = [\"nope\"]\n"
            )
            .is_err()
        );
    }
}
