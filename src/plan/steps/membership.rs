//! Role memberships (`GRANT role TO member`) and their ADMIN, INHERIT and SET options.

use crate::model::*;
use crate::plan::builder::{Builder, ident};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn grant_membership(role: &str, member: &str, options: &Membership) -> Node {
    let mut b = Builder::default();
    let with = membership_options(options, None);
    b.sql(format!(
        "GRANT {} TO {}{with}",
        quote_ident(role),
        quote_ident(member)
    ));
    b.membership_details(options);
    b.hazard(
        HazardKind::AuthorizationChange,
        format!("{} gains the privileges of {}", ident(member), ident(role)),
    );
    b.requires
        .extend([Key::Role(role.to_string()), Key::Role(member.to_string())]);
    b.finish(
        phase::MEMBERSHIP,
        Action::Grant,
        ObjectRef::role(member),
        format!("grant membership in {} to {}", ident(role), ident(member)),
    )
}

pub(super) fn alter_membership(
    role: &str,
    member: &str,
    from: &Membership,
    to: &Membership,
) -> Node {
    let mut b = Builder::default();
    if from.admin && !to.admin {
        b.sql(format!(
            "REVOKE ADMIN OPTION FOR {} FROM {}",
            quote_ident(role),
            quote_ident(member)
        ));
    }
    let with = membership_options(to, Some(from));
    if !with.is_empty() {
        b.sql(format!(
            "GRANT {} TO {}{with}",
            quote_ident(role),
            quote_ident(member)
        ));
    }
    for (label, a, z) in [
        ("admin", Some(from.admin), Some(to.admin)),
        ("inherit", from.inherit, to.inherit),
        ("set", from.set, to.set),
    ] {
        if a != z {
            b.details
                .push(format!("{label}: {} → {}", opt_bool(a), opt_bool(z)));
        }
    }
    b.requires
        .extend([Key::Role(role.to_string()), Key::Role(member.to_string())]);
    b.finish(
        phase::MEMBERSHIP,
        Action::Alter,
        ObjectRef::role(member),
        format!("alter membership of {} in {}", ident(member), ident(role)),
    )
}

pub(super) fn revoke_membership(role: &str, member: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "REVOKE {} FROM {}",
        quote_ident(role),
        quote_ident(member)
    ));
    b.requires
        .extend([Key::Role(role.to_string()), Key::Role(member.to_string())]);
    b.finish(
        phase::MEMBERSHIP_REVOKE,
        Action::Revoke,
        ObjectRef::role(member),
        format!(
            "revoke membership in {} from {}",
            ident(role),
            ident(member)
        ),
    )
}

impl Builder {
    fn membership_details(&mut self, m: &Membership) {
        if m.admin {
            self.details.push("admin: true".into());
        }
        if let Some(i) = m.inherit {
            self.details.push(format!("inherit: {i}"));
        }
        if let Some(s) = m.set {
            self.details.push(format!("set: {s}"));
        }
    }
}

fn opt_bool(v: Option<bool>) -> String {
    v.map_or("(default)".to_string(), |b| b.to_string())
}

/// ` WITH ADMIN OPTION, INHERIT TRUE, SET FALSE` — only what differs from `from` (or
/// everything non-default for a new membership).
fn membership_options(to: &Membership, from: Option<&Membership>) -> String {
    let mut opts = Vec::new();
    let admin_added = to.admin && from.is_none_or(|f| !f.admin);
    if admin_added {
        opts.push("ADMIN OPTION".to_string());
    }
    for (label, value, before) in [
        ("INHERIT", to.inherit, from.and_then(|f| f.inherit)),
        ("SET", to.set, from.and_then(|f| f.set)),
    ] {
        if let Some(v) = value
            && (from.is_none() || before != value)
        {
            opts.push(format!("{label} {}", if v { "TRUE" } else { "FALSE" }));
        }
    }
    if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH {}", opts.join(", "))
    }
}
