//! Changes → ordered steps. Each change becomes one step with its SQL and hazards; the
//! steps go into a petgraph graph whose edges say what must run first (a role before the
//! grants to it, a revoke before the drop of its grantee, …) and are ordered by a
//! deterministic priority topological sort: creates early, drops late, ties broken by
//! the diff's own order. No I/O.

pub mod authority;
mod builder;
mod steps;

use crate::diff::{Diff, Note};
use crate::model::{FunctionId, Grantee, ObjectRef, PasswordSource, QualifiedName};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub const FORMAT_VERSION: u32 = 1;

/// The closed set of risks a step can carry. Each kind is documented in the README
/// ("Hazards"); which kinds need an approval before apply runs them is decided in one
/// place, [`HazardKind::needs_approval_by_default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Data is deleted (a dropped schema, table or column).
    DeletesData,
    /// A role and its identity are removed.
    DropsRole,
    /// Privileges, ownership or role powers change in a way worth a second look.
    AuthorizationChange,
    /// The table is rewritten (e.g. a column type change): time and disk proportional
    /// to its size.
    RewritesTable,
    /// Takes an ACCESS EXCLUSIVE lock: reads and writes of the table wait.
    AccessExclusiveLock,
    /// Builds an index: time proportional to the table's size, writes blocked unless
    /// built concurrently.
    IndexBuild,
    /// Scans the table to validate existing rows (e.g. VALIDATE CONSTRAINT, SET NOT NULL).
    ValidatesData,
}

impl HazardKind {
    /// Every kind, in their documented order.
    pub const ALL: [HazardKind; 7] = [
        HazardKind::DeletesData,
        HazardKind::DropsRole,
        HazardKind::AuthorizationChange,
        HazardKind::RewritesTable,
        HazardKind::AccessExclusiveLock,
        HazardKind::IndexBuild,
        HazardKind::ValidatesData,
    ];

    /// Destructive kinds lose something that a later apply cannot bring back (rows,
    /// a role's identity). `--allow-destructive` approves all of them at once.
    pub fn is_destructive(self) -> bool {
        matches!(self, HazardKind::DeletesData | HazardKind::DropsRole)
    }

    /// The approval rule: a step carrying a kind for which this is true is refused by
    /// apply unless that kind is approved (`--allow-hazard KIND`, `--allow-destructive`
    /// for the destructive kinds, or a reviewer's approvals file next to a saved plan).
    /// By default exactly the destructive kinds need approval; the others are shown in
    /// every plan and can be made to need approval with `--require-approval KIND`.
    pub fn needs_approval_by_default(self) -> bool {
        self.is_destructive()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HazardKind::DeletesData => "deletes_data",
            HazardKind::DropsRole => "drops_role",
            HazardKind::AuthorizationChange => "authorization_change",
            HazardKind::RewritesTable => "rewrites_table",
            HazardKind::AccessExclusiveLock => "access_exclusive_lock",
            HazardKind::IndexBuild => "index_build",
            HazardKind::ValidatesData => "validates_data",
        }
    }

    /// Whether a step with this hazard may run for long: apply gives such steps the
    /// per-step `statement_timeout` override when one is configured.
    pub fn is_slow(self) -> bool {
        matches!(
            self,
            HazardKind::RewritesTable | HazardKind::IndexBuild | HazardKind::ValidatesData
        )
    }
}

impl std::fmt::Display for HazardKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for HazardKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        HazardKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = HazardKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown hazard kind `{s}`; one of: {}", known.join(", "))
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Alter,
    Grant,
    Revoke,
    Drop,
}

impl Action {
    pub fn symbol(self) -> char {
        match self {
            Action::Create | Action::Grant => '+',
            Action::Alter => '~',
            Action::Revoke | Action::Drop => '-',
        }
    }
}

/// What apply executes for a step. Statements are complete SQL; a password is resolved
/// at execution time so that no plan ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exec {
    Sql(Vec<String>),
    /// `ALTER ROLE … PASSWORD` with a verifier computed from the secret, read from
    /// `source` when apply runs (a saved plan stores the source, never the secret).
    SetPassword {
        role: String,
        source: PasswordSource,
    },
    /// Statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY), each run
    /// on its own after the transaction committed; `cleanup` runs when one fails (drop
    /// the invalid index it left behind).
    NonTransactional {
        statements: Vec<String>,
        cleanup: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// 1-based position in the plan.
    pub number: usize,
    pub action: Action,
    pub object: ObjectRef,
    /// One line for people: "create role butler_general_app".
    pub summary: String,
    /// Further lines for people: attributes, old → new values.
    pub details: Vec<String>,
    /// The SQL as printed. For a password, a comment in place of the statement.
    pub sql: Vec<String>,
    pub hazards: Vec<Hazard>,
    /// False for steps that cannot run in a transaction (CREATE INDEX CONCURRENTLY):
    /// apply runs them one by one after the transaction commits.
    pub transactional: bool,
    #[serde(skip)]
    pub exec: Exec,
}

impl Step {
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(|h| h.kind.is_destructive())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub format_version: u32,
    /// blake3 of the canonical JSON of the steps: identical plans have identical ids.
    pub plan_id: String,
    pub steps: Vec<Step>,
    pub notes: Vec<Note>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub alter: usize,
    pub grant: usize,
    pub revoke: usize,
    pub drop: usize,
    pub destructive: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn destructive_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.is_destructive())
    }

    /// Every hazard kind some step of the plan carries.
    pub fn hazard_kinds(&self) -> std::collections::BTreeSet<HazardKind> {
        self.steps
            .iter()
            .flat_map(|s| s.hazards.iter().map(|h| h.kind))
            .collect()
    }
}

impl Step {
    /// Whether the step takes something away: a drop, a revoke, or data deleted.
    /// `--additive-only` refuses plans with such steps.
    pub fn is_subtractive(&self) -> bool {
        matches!(self.action, Action::Drop | Action::Revoke)
            || self
                .hazards
                .iter()
                .any(|h| matches!(h.kind, HazardKind::DeletesData | HazardKind::DropsRole))
    }
}

/// Counts of a plan's steps by action, and of its destructive steps.
pub fn summarize(steps: &[Step]) -> Summary {
    let mut summary = Summary::default();
    for s in steps {
        match s.action {
            Action::Create => summary.create += 1,
            Action::Alter => summary.alter += 1,
            Action::Grant => summary.grant += 1,
            Action::Revoke => summary.revoke += 1,
            Action::Drop => summary.drop += 1,
        }
        if s.is_destructive() {
            summary.destructive += 1;
        }
    }
    summary
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error(
        "the plan has a dependency cycle between: {}",
        .0.iter().map(|s| crate::escape::text_line(s)).collect::<Vec<_>>().join(", ")
    )]
    Cycle(Vec<String>),
}

/// A name in one of PostgreSQL's namespaces, as a step creates, needs or frees it. This
/// is not an object identity (that is `ObjectRef`): ordering works on names, because a
/// view that replaces a table of the same name must wait for the drop whatever the
/// kinds, and a column's type names a type without saying whether it is an enum or a
/// domain. `Builder::require_object` projects an `ObjectRef` onto its names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Role(String),
    Schema(String),
    /// A table, sequence or view.
    Relation(QualifiedName),
    /// An enum, domain, composite or range type.
    Type(QualifiedName),
    Collation(QualifiedName),
    Extension(String),
    /// A column of a table: (table, column).
    Column(QualifiedName, String),
    /// A constraint or index of a table (a foreign key needs the referenced key).
    Constraint(QualifiedName, String),
    /// The name of an index (of an index, or of a primary key, unique or exclusion
    /// constraint) in its schema: indexes share the schema's relation namespace, so a
    /// name moving between tables is freed before it is taken again.
    IndexName(QualifiedName),
    /// A table's primary key, whatever its name (a table has at most one).
    TablePrimary(QualifiedName),
    /// What fills a column without a value: its default or its identity (a column has
    /// at most one, so the old goes before the new comes).
    ColumnDefault(QualifiedName, String),
    /// A row-level security policy of a table.
    Policy(QualifiedName, String),
    /// A trigger of a table.
    Trigger(QualifiedName, String),
    /// Functions by qualified name, whatever their arguments (a trigger names its
    /// function without them).
    FunctionName(QualifiedName),
    /// A function or procedure: name and argument types.
    Function(FunctionId),
    /// A grantee's table-level privileges on a table, as a table-level `REVOKE` leaves
    /// them: that revoke takes the privilege off every column too, so a column grant to
    /// the same grantee runs after it.
    TablePrivileges(QualifiedName, Grantee),
}

/// The preferred order of steps whose dependencies allow either order (ties are then
/// broken by the diff's order). Dependencies always win over phases.
mod phase {
    pub const CREATE_ROLE: u8 = 0;
    pub const ALTER_ROLE: u8 = 1;
    pub const PASSWORD: u8 = 2;
    pub const MEMBERSHIP: u8 = 3;
    pub const EXTENSION: u8 = 4;
    pub const CREATE_SCHEMA: u8 = 5;
    /// Renames of tables, columns, constraints and indexes, views, routines, triggers,
    /// types and collations.
    pub const RENAME: u8 = 6;
    /// Enums, domains, collations, composite and range types: create, add value, alter.
    pub const TYPE: u8 = 7;
    pub const SEQUENCE: u8 = 8;
    /// Functions and procedures: created or replaced before the tables whose
    /// defaults, checks and indexes may call them.
    pub const FUNCTION: u8 = 9;
    pub const CREATE_TABLE: u8 = 10;
    /// Columns of existing tables, table options (logged, RLS, partitions).
    pub const COLUMN: u8 = 11;
    /// Primary key, unique, check and exclusion constraints.
    pub const CONSTRAINT: u8 = 12;
    pub const INDEX: u8 = 13;
    /// Foreign keys (after every table, which is how cycles between tables are broken)
    /// and sequences' `OWNED BY`.
    pub const FOREIGN_KEY: u8 = 14;
    pub const VALIDATE: u8 = 15;
    pub const POLICY: u8 = 16;
    /// Triggers: create, replace, enable state (after functions, tables, columns).
    pub const TRIGGER: u8 = 16;
    /// Views and materialized views: create, replace, refresh (after the tables and
    /// columns they read).
    pub const VIEW: u8 = 17;
    pub const OWNER: u8 = 18;
    pub const COMMENT: u8 = 19;
    pub const PARAMETER: u8 = 20;
    pub const GRANT: u8 = 21;
    pub const DEFAULT_GRANT: u8 = 22;
    pub const REVOKE: u8 = 23;
    pub const DEFAULT_REVOKE: u8 = 24;
    pub const MEMBERSHIP_REVOKE: u8 = 25;
    /// Views before the policies, columns and tables they read.
    pub const DROP_VIEW: u8 = 26;
    pub const DROP_POLICY: u8 = 27;
    pub const DROP_TRIGGER: u8 = 27;
    /// Foreign keys, then other constraints and indexes.
    pub const DROP_FOREIGN_KEY: u8 = 28;
    pub const DROP_CONSTRAINT: u8 = 29;
    pub const DROP_COLUMN: u8 = 30;
    pub const DROP_TABLE: u8 = 31;
    pub const DROP_SEQUENCE: u8 = 32;
    /// Functions and procedures, after what may call them, before their types.
    pub const DROP_FUNCTION: u8 = 33;
    pub const DROP_TYPE: u8 = 34;
    /// After the types, columns and functions that may use what they installed.
    pub const DROP_EXTENSION: u8 = 35;
    pub const DROP_SCHEMA: u8 = 36;
    pub const DROP_ROLE: u8 = 37;
    /// Steps that run after the transaction commits (CREATE INDEX CONCURRENTLY): listed
    /// last, as they run.
    pub const AFTER_COMMIT: u8 = 38;
}

struct Node {
    step: Step,
    phase: u8,
    creates: Vec<Key>,
    requires: Vec<Key>,
    drops: Vec<Key>,
    /// Keys of objects this step renames (`Builder::renames`).
    renames: Vec<Key>,
}

/// Orders the changes of a diff into a plan.
pub fn build(diff: &Diff) -> Result<Plan, PlanError> {
    let nodes: Vec<Node> = diff.changes.iter().map(steps::node_for).collect();
    let order = order(&nodes)?;
    let mut steps = Vec::with_capacity(nodes.len());
    let mut nodes: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    for (i, idx) in order.into_iter().enumerate() {
        let mut step = nodes[idx].take().expect("each node is ordered once").step;
        step.number = i + 1;
        steps.push(step);
    }
    let summary = summarize(&steps);
    let mut notes = diff.notes.clone();
    notes.sort();
    let plan_id = plan_id(&steps);
    Ok(Plan {
        format_version: FORMAT_VERSION,
        plan_id,
        steps,
        notes,
        summary,
    })
}

/// blake3 of the canonical JSON of the steps (what a plan prints, without what apply
/// executes; a saved plan has its own id over all of its content, see `saved`).
pub fn plan_id(steps: &[Step]) -> String {
    let canonical = serde_json::to_vec(steps).expect("steps serialize");
    blake3::hash(&canonical).to_hex().to_string()
}

/// Priority topological sort (Kahn): among the steps whose dependencies are done, the
/// lowest (phase, diff position) runs next, so equal inputs give equal plans.
fn order(nodes: &[Node]) -> Result<Vec<usize>, PlanError> {
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), nodes.len());
    let idx: Vec<NodeIndex> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    let mut creators: BTreeMap<&Key, Vec<usize>> = BTreeMap::new();
    let mut droppers: BTreeMap<&Key, Vec<usize>> = BTreeMap::new();
    let mut users: BTreeMap<&Key, Vec<usize>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        n.creates
            .iter()
            .for_each(|k| creators.entry(k).or_default().push(i));
        n.drops
            .iter()
            .for_each(|k| droppers.entry(k).or_default().push(i));
        n.requires
            .iter()
            .for_each(|k| users.entry(k).or_default().push(i));
    }
    for (key, using) in &users {
        let created = creators.get(key).map_or(&[][..], |v| v.as_slice());
        let dropped = droppers.get(key).map_or(&[][..], |v| v.as_slice());
        for &u in using {
            // An object both dropped and created is replaced: a step that drops
            // something itself uses the old object (it runs before the drop), any other
            // step uses the new one (it runs after the create).
            let replaced = !created.is_empty() && !dropped.is_empty();
            let uses_old = replaced && !nodes[u].drops.is_empty();
            if !uses_old {
                for &c in created {
                    if c != u {
                        graph.update_edge(idx[c], idx[u], ());
                    }
                }
            }
            if !replaced || uses_old {
                for &d in dropped {
                    if d != u {
                        graph.update_edge(idx[u], idx[d], ());
                    }
                }
            }
        }
    }
    // A renamed object: whatever needs it or drops it under its new name waits for the
    // rename (a re-created one is dropped after the rename, then created).
    for (i, n) in nodes.iter().enumerate() {
        for key in &n.renames {
            let after = users
                .get(key)
                .into_iter()
                .chain(droppers.get(key))
                .flatten();
            for &u in after {
                if u != i {
                    graph.update_edge(idx[i], idx[u], ());
                }
            }
        }
    }
    // A drop and a re-create of the same object: the drop goes first.
    for (key, drops) in &droppers {
        for &d in drops {
            for &c in creators.get(key).into_iter().flatten() {
                if c != d {
                    graph.update_edge(idx[d], idx[c], ());
                }
            }
        }
    }

    let mut indegree: Vec<usize> = idx
        .iter()
        .map(|&n| {
            graph
                .neighbors_directed(n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<(u8, usize)>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Reverse((nodes[i].phase, i)))
        .collect();
    let mut out = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        out.push(i);
        for next in graph.neighbors_directed(idx[i], petgraph::Direction::Outgoing) {
            let j = graph[next];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((nodes[j].phase, j)));
            }
        }
    }
    if out.len() != nodes.len() {
        let mut names: Vec<String> = tarjan_scc(&graph)
            .into_iter()
            .filter(|c| c.len() > 1)
            .flatten()
            .map(|n| nodes[graph[n]].step.summary.clone())
            .collect();
        names.sort();
        return Err(PlanError::Cycle(names));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
