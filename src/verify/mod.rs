//! Proves declared confinements: for every role with `confined_to`, its effective access
//! — through its own grants, every role it inherits from or can `SET ROLE` to, `PUBLIC`,
//! ownership, role attributes, default privileges and its `search_path` — must stay
//! inside the schemas it is confined to.
//!
//! `verify` is a pure function of the desired state (the confinements) and a catalog:
//! the live one (`pgrecon verify`), or the state a plan would produce (`project`), so
//! `plan` and `apply` can refuse a plan that would break a confinement before anything
//! runs. `server_check` then asks the server's own `has_*_privilege` functions, in one
//! set-based query, so that access the model cannot explain is reported too.

mod paths;
mod project;
mod server_check;

pub use project::project;
pub use server_check::server_check;

use crate::escape::{json_text, text_line};
use crate::model::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

pub const FORMAT_VERSION: u32 = 1;

/// Effective access of a role to a schema, from nothing to ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    None,
    Usage,
    Read,
    Write,
    Owns,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Usage => "usage",
            Access::Read => "read",
            Access::Write => "write",
            Access::Owns => "owns",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// The confined role does not exist.
    MissingRole,
    /// SUPERUSER (own or reachable by SET ROLE): every check is bypassed.
    Superuser,
    /// BYPASSRLS while row-level security protects tables.
    BypassRls,
    /// CREATEROLE: can create roles and grant itself memberships.
    CreateRole,
    /// USAGE or CREATE on a schema outside the confinement.
    SchemaAccess,
    /// A privilege on a table, sequence or function outside the confinement.
    ObjectAccess,
    /// A privilege on a view (without `security_invoker`) or materialized view inside
    /// the confinement that reads, with its owner's rights, a relation outside it.
    ViewOwnerRights,
    /// EXECUTE on a `SECURITY DEFINER` routine inside the confinement whose owner
    /// reaches outside it.
    SecurityDefiner,
    /// Owns something it may not own.
    Ownership,
    /// A default privilege that would grant access to future objects outside it.
    DefaultPrivilege,
    /// CREATE on the database (can create new schemas).
    DatabaseCreate,
    /// search_path not pinned, pointing outside, or not as declared.
    SearchPath,
    /// The server reports access for which no path was found.
    Unexplained,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    /// How the access is granted, hop by hop, ending at the privilege:
    /// "butler_general_app → member of ops (INHERIT) → USAGE on schema health".
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleReport {
    pub role: String,
    pub confined_to: Vec<String>,
    /// Effective access per schema.
    pub access: BTreeMap<String, Access>,
    pub violations: Vec<Violation>,
    /// What holds, in words: the evidence runbooks asked for.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub ok: bool,
    pub roles: Vec<RoleReport>,
}

impl Report {
    pub fn violations(&self) -> impl Iterator<Item = (&str, &Violation)> {
        self.roles
            .iter()
            .flat_map(|r| r.violations.iter().map(move |v| (r.role.as_str(), v)))
    }

    pub fn has_confinements(&self) -> bool {
        !self.roles.is_empty()
    }

    /// The JSON document (`pgrecon verify --format json`), escaped as plan JSON is.
    pub fn to_json(&self) -> String {
        json_text(serde_json::to_string_pretty(self).expect("a verify report serializes"))
    }
}

/// How a role reaches a principal whose privileges it can use.
#[derive(Debug, Clone)]
struct Reach {
    /// Privileges apply without SET ROLE.
    inherits: bool,
    /// Hops from the confined role, for the explanation.
    path: Vec<String>,
}

const ALWAYS_ALLOWED_ON_PATH: &[&str] = &["public", "$user", "pg_catalog", "pg_temp"];

/// Checks every declared confinement against `state`.
pub fn verify(desired: &Catalog, state: &Catalog) -> Report {
    let version = state.server.as_ref().map_or(150000, |s| s.version_num);
    let mut roles = Vec::new();
    for (name, declared) in &desired.roles {
        let Some(confinement) = &declared.confinement else {
            continue;
        };
        roles.push(verify_role(state, name, declared, confinement, version));
    }
    let ok = roles.iter().all(|r| r.violations.is_empty());
    Report {
        format_version: FORMAT_VERSION,
        ok,
        roles,
    }
}

fn verify_role(
    state: &Catalog,
    name: &str,
    declared: &Role,
    confinement: &Confinement,
    version: i32,
) -> RoleReport {
    let mut report = RoleReport {
        role: name.to_string(),
        confined_to: confinement.schemas.clone(),
        access: BTreeMap::new(),
        violations: Vec::new(),
        evidence: Vec::new(),
    };
    let Some(role) = state.roles.get(name) else {
        report.violations.push(Violation {
            kind: ViolationKind::MissingRole,
            path: format!("{name} does not exist"),
        });
        return report;
    };
    let allowed: BTreeSet<&str> = confinement.schemas.iter().map(String::as_str).collect();
    let reach = principals(state, role, version);
    let mut v = Vec::new();
    let hop = |r: &Reach, end: String| {
        let mut parts = vec![ident(name)];
        parts.extend(r.path.iter().cloned());
        parts.push(end);
        parts.join(" → ")
    };

    // Role attributes, own or reachable by SET ROLE.
    for (principal, r) in &reach {
        let Some(p) = principal.as_deref().and_then(|n| state.roles.get(n)) else {
            continue;
        };
        let a = &p.attributes;
        if a.superuser {
            v.push((
                ViolationKind::Superuser,
                hop(r, "SUPERUSER: bypasses every privilege check".into()),
            ));
        }
        if a.createrole {
            v.push((
                ViolationKind::CreateRole,
                hop(
                    r,
                    "CREATEROLE: can create roles and grant memberships".into(),
                ),
            ));
        }
        let rls_tables = state
            .tables
            .values()
            .filter(|t| t.row_level_security)
            .count();
        if a.bypassrls && rls_tables > 0 {
            v.push((
                ViolationKind::BypassRls,
                hop(
                    r,
                    format!("BYPASSRLS: ignores the row-level security of {rls_tables} table(s)"),
                ),
            ));
        }
    }

    let owned_by = |owner: &Option<String>, principal: &Option<String>| {
        principal.is_some() && owner.as_ref() == principal.as_ref()
    };

    // Schemas: which ones the role can use at all (for the effective matrix and to
    // decide whether PUBLIC's grants inside them matter).
    let mut usable: BTreeSet<&str> = BTreeSet::new();
    for (schema_name, schema) in &state.schemas {
        for (principal, r) in &reach {
            let privs = holds(&schema.acl, principal);
            if privs.contains(&Privilege::Usage) || owned_by(&schema.owner, principal) {
                usable.insert(schema_name);
            }
            let outside = !allowed.contains(schema_name.as_str());
            for p in privs {
                let public_usage = schema_name == "public" && p == Privilege::Usage;
                if outside && !public_usage {
                    v.push((
                        ViolationKind::SchemaAccess,
                        hop(r, format!("{p} on schema {}", ident(schema_name))),
                    ));
                }
            }
            if owned_by(&schema.owner, principal) && (outside || !confinement.may_own) {
                v.push((
                    ViolationKind::Ownership,
                    hop(r, format!("owns schema {}", ident(schema_name))),
                ));
            }
        }
    }

    // Objects: relations and functions.
    let mut levels: BTreeMap<String, Access> = BTreeMap::new();
    let mut object = |schema: &str,
                      what: String,
                      kind: ObjectKind,
                      owner: &Option<String>,
                      acl: &Acl,
                      v: &mut Vec<(ViolationKind, String)>| {
        let outside = !allowed.contains(schema);
        for (principal, r) in &reach {
            let privs = holds(acl, principal);
            let owns = owned_by(owner, principal);
            if owns && (outside || !confinement.may_own) {
                v.push((ViolationKind::Ownership, hop(r, format!("owns {what}"))));
            }
            // PUBLIC's grants (function EXECUTE by default) matter only where the role
            // can enter the schema; grants to the role or its groups always count.
            let counts = principal.is_some() || usable.contains(schema);
            if outside && counts && !privs.is_empty() {
                let list: Vec<&str> = privs.iter().map(|p| p.as_sql()).collect();
                let latent = if usable.contains(schema) {
                    ""
                } else {
                    " (latent: no USAGE on its schema yet)"
                };
                v.push((
                    ViolationKind::ObjectAccess,
                    hop(r, format!("{} on {what}{latent}", list.join(", "))),
                ));
            }
            if usable.contains(schema) {
                let level = if owns {
                    Access::Owns
                } else {
                    privs
                        .iter()
                        .map(|p| privilege_access(kind, *p))
                        .max()
                        .unwrap_or(Access::None)
                };
                let e = levels.entry(schema.to_string()).or_insert(Access::None);
                *e = (*e).max(level);
            }
        }
    };
    for rel in state.relations.values() {
        let what = format!("{} {}", rel.kind.describe(), rel.name);
        object(
            &rel.name.schema,
            what,
            rel.kind.object_kind(),
            &rel.owner,
            &rel.acl,
            &mut v,
        );
    }
    for f in state.functions.values() {
        object(
            &f.id.schema,
            format!("function {}", f.id),
            ObjectKind::Function,
            &f.owner,
            &f.acl,
            &mut v,
        );
    }

    // Views and definer routines: their owner's rights, for whoever may use them.
    let cx = paths::Ctx {
        state,
        allowed: &allowed,
        reach: &reach,
        usable: &usable,
        version,
    };
    for found in paths::owner_rights(&cx) {
        v.push((found.kind, hop(&reach[found.reach_index].1, found.end)));
        let e = levels.entry(found.schema).or_insert(Access::None);
        *e = (*e).max(Access::Read);
    }

    // Default privileges: future objects outside the confinement.
    for (key, acl) in &state.default_privileges {
        if allowed.contains(key.schema.as_str()) {
            continue;
        }
        for (principal, r) in &reach {
            let privs = holds(acl, principal);
            if privs.is_empty() || (principal.is_none() && !usable.contains(key.schema.as_str())) {
                continue;
            }
            let list: Vec<&str> = privs.iter().map(|p| p.as_sql()).collect();
            v.push((
                ViolationKind::DefaultPrivilege,
                hop(
                    r,
                    format!(
                        "{} on future {}s of {} in schema {}",
                        list.join(", "),
                        key.kind.name(),
                        ident(&key.for_role),
                        ident(&key.schema)
                    ),
                ),
            ));
        }
    }

    // The database: CREATE lets a role make new schemas of its own.
    if let Some(db) = &state.database {
        for (principal, r) in &reach {
            if holds(&db.acl, principal).contains(&Privilege::Create) {
                v.push((
                    ViolationKind::DatabaseCreate,
                    hop(r, "CREATE on the database".into()),
                ));
            }
        }
    }

    // search_path: pinned, inside the confinement, as declared.
    let effective = role
        .database_settings
        .get("search_path")
        .or_else(|| role.settings.get("search_path"));
    let wanted = declared
        .database_settings
        .get("search_path")
        .or_else(|| declared.settings.get("search_path"));
    match effective {
        None => v.push((
            ViolationKind::SearchPath,
            format!("{} → search_path is not pinned", ident(name)),
        )),
        Some(value) => {
            let items = match value {
                SettingValue::List(items) => items.clone(),
                SettingValue::Scalar(s) => setting::split_list(s),
            };
            for item in &items {
                if !allowed.contains(item.as_str())
                    && !ALWAYS_ALLOWED_ON_PATH.contains(&item.as_str())
                {
                    v.push((
                        ViolationKind::SearchPath,
                        format!(
                            "{} → search_path includes schema {}",
                            ident(name),
                            ident(item)
                        ),
                    ));
                }
            }
            if let Some(w) = wanted
                && w != value
            {
                v.push((
                    ViolationKind::SearchPath,
                    format!("{} → search_path is {value}, declared {w}", ident(name)),
                ));
            }
            if v.iter().all(|(k, _)| *k != ViolationKind::SearchPath) {
                report.evidence.push(format!("search_path is {value}"));
            }
        }
    }

    for schema in state.schemas.keys() {
        let mut level = levels.get(schema).copied().unwrap_or(Access::None);
        if usable.contains(schema.as_str()) {
            level = level.max(Access::Usage);
        }
        if reach
            .iter()
            .any(|(p, _)| owned_by(&state.schemas[schema].owner, p))
        {
            level = Access::Owns;
        }
        report.access.insert(schema.clone(), level);
    }
    evidence(&mut report, state, name, confinement, &reach);

    v.sort();
    v.dedup();
    report.violations = v
        .into_iter()
        .map(|(kind, path)| Violation { kind, path })
        .collect();
    report
}

/// The privileges `principal` (`None`: PUBLIC) holds in `acl`.
fn holds(acl: &Acl, principal: &Option<String>) -> Vec<Privilege> {
    let g = match principal {
        None => Grantee::Public,
        Some(n) => Grantee::Role(n.clone()),
    };
    acl.0
        .get(&g)
        .map(|p| p.keys().copied().collect())
        .unwrap_or_default()
}

fn privilege_access(kind: ObjectKind, p: Privilege) -> Access {
    match (kind, p) {
        (ObjectKind::Table, Privilege::Select | Privilege::References | Privilege::Trigger) => {
            Access::Read
        }
        (ObjectKind::Table, _) => Access::Write,
        (ObjectKind::Sequence, Privilege::Select) => Access::Read,
        (ObjectKind::Sequence, _) => Access::Write,
        (ObjectKind::Function, _) => Access::Read,
        _ => Access::Usage,
    }
}

fn evidence(
    report: &mut RoleReport,
    state: &Catalog,
    name: &str,
    confinement: &Confinement,
    reach: &[(Option<String>, Reach)],
) {
    for schema in &confinement.schemas {
        let level = report.access.get(schema).copied().unwrap_or(Access::None);
        let tables: Vec<&Relation> = state
            .relations
            .values()
            .filter(|r| &r.name.schema == schema && r.kind.object_kind() == ObjectKind::Table)
            .collect();
        let rw = tables
            .iter()
            .filter(|t| {
                reach.iter().any(|(p, _)| {
                    let g = p.clone().map_or(Grantee::Public, Grantee::Role);
                    t.acl.0.get(&g).is_some_and(|privs| {
                        privs.contains_key(&Privilege::Select)
                            && privs.contains_key(&Privilege::Insert)
                            && privs.contains_key(&Privilege::Update)
                            && privs.contains_key(&Privilege::Delete)
                    })
                })
            })
            .count();
        report.evidence.push(format!(
            "schema {}: {} (read and write on {rw} of {} tables)",
            ident(schema),
            level.as_str(),
            tables.len()
        ));
    }
    let denied: Vec<String> = report
        .access
        .iter()
        .filter(|(s, a)| **a == Access::None && !confinement.schemas.contains(s))
        .map(|(s, _)| ident(s))
        .collect();
    if denied.is_empty() {
        report
            .evidence
            .push("no schema outside the confinement exists to be denied".into());
    } else {
        report.evidence.push(format!(
            "denied on {} schema(s) outside the confinement: {}",
            denied.len(),
            denied.join(", ")
        ));
    }
    let owns_anything = state
        .schemas
        .values()
        .any(|s| s.owner.as_deref() == Some(name))
        || state
            .relations
            .values()
            .any(|r| r.owner.as_deref() == Some(name))
        || state
            .functions
            .values()
            .any(|f| f.owner.as_deref() == Some(name));
    if !owns_anything {
        report.evidence.push("owns nothing".into());
    }
    if let Some(r) = state.roles.get(name) {
        let a = &r.attributes;
        if !a.superuser && !a.bypassrls && !a.createrole {
            report
                .evidence
                .push("not SUPERUSER, no BYPASSRLS, no CREATEROLE".into());
        }
    }
}

/// Every principal whose privileges the role can use: itself, the roles it inherits
/// from, the roles it can SET ROLE to, and PUBLIC (`None`), with the path to each.
fn principals(state: &Catalog, role: &Role, version: i32) -> Vec<(Option<String>, Reach)> {
    let mut best: BTreeMap<String, Reach> = BTreeMap::new();
    best.insert(
        role.name.clone(),
        Reach {
            inherits: true,
            path: Vec::new(),
        },
    );
    let mut queue = VecDeque::from([role.name.clone()]);
    while let Some(current) = queue.pop_front() {
        let here = best[&current].clone();
        let Some(member) = state.roles.get(&current) else {
            continue;
        };
        for (granted, m) in &member.member_of {
            // PostgreSQL 16+ decides per grant; before, by the member's INHERIT attribute,
            // and any member may SET ROLE.
            let (edge_inherits, edge_set) = if version >= 160000 {
                (
                    m.inherit.unwrap_or(member.attributes.inherit),
                    m.set.unwrap_or(true),
                )
            } else {
                (member.attributes.inherit, true)
            };
            let inherits = here.inherits && edge_inherits;
            if !inherits && !edge_set {
                continue;
            }
            let how = if inherits {
                format!("member of {} (INHERIT)", ident(granted))
            } else {
                format!("can SET ROLE {} (member without INHERIT)", ident(granted))
            };
            let mut path = here.path.clone();
            path.push(how);
            let better = match best.get(granted) {
                None => true,
                Some(existing) => inherits && !existing.inherits,
            };
            if better {
                best.insert(granted.clone(), Reach { inherits, path });
                queue.push_back(granted.clone());
            }
        }
    }
    let mut out: Vec<(Option<String>, Reach)> =
        best.into_iter().map(|(n, r)| (Some(n), r)).collect();
    out.push((
        None,
        Reach {
            inherits: true,
            path: vec!["PUBLIC".into()],
        },
    ));
    out
}

fn ident(name: &str) -> String {
    crate::sql::display_ident(name)
}

/// The report for people. Every name and free text is one `text_line`: live names may
/// hold line breaks and terminal escapes.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    if report.roles.is_empty() {
        out.push_str("No role declares a confinement (confined_to); nothing to verify.\n");
        return out;
    }
    let schemas: BTreeSet<&String> = report.roles.iter().flat_map(|r| r.access.keys()).collect();
    // Columns are as wide as the names as shown.
    let width = report
        .roles
        .iter()
        .map(|r| text_line(&r.role).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = write!(out, "{:width$}", "role");
    for s in &schemas {
        let s = text_line(s);
        let _ = write!(out, "  {s:>w$}", w = s.len().max(5));
    }
    out.push('\n');
    for r in &report.roles {
        let _ = write!(out, "{:width$}", text_line(&r.role));
        for s in &schemas {
            let a = r.access.get(*s).copied().unwrap_or(Access::None);
            let _ = write!(out, "  {:>w$}", a.as_str(), w = text_line(s).len().max(5));
        }
        out.push('\n');
    }
    for r in &report.roles {
        let verdict = if r.violations.is_empty() {
            "holds"
        } else {
            "VIOLATED"
        };
        let _ = writeln!(
            out,
            "\n{} confined to {}: {verdict}",
            text_line(&ident(&r.role)),
            text_line(&r.confined_to.join(", "))
        );
        for v in &r.violations {
            let _ = writeln!(out, "  ✗ {}", text_line(&v.path));
        }
        for e in &r.evidence {
            let _ = writeln!(out, "  ✓ {}", text_line(e));
        }
    }
    let n = report.violations().count();
    if n == 0 {
        let _ = writeln!(out, "\nEvery confinement holds.");
    } else {
        let _ = writeln!(out, "\n{n} violation(s).");
    }
    out
}

#[cfg(test)]
mod tests;
