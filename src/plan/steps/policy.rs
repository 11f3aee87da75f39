//! Row-level security policies: create, alter, drop.

use crate::ddl::policy::{create_policy as create_policy_sql, policy_command, roles_sql, sorted};
use crate::model::*;
use crate::plan::builder::{Builder, expr_shown, ident, policy_ref, qn};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn create_policy(table: &QualifiedName, p: &Policy) -> Node {
    let mut b = Builder::default();
    b.sql(create_policy_sql(table, p));
    b.details.push(format!(
        "{} for {} to {}",
        if p.permissive {
            "permissive"
        } else {
            "restrictive"
        },
        policy_command(&p.command),
        roles_shown(&p.roles)
    ));
    b.hazard(
        HazardKind::AuthorizationChange,
        if p.permissive {
            format!(
                "{} may see or change the rows the policy allows",
                roles_shown(&p.roles)
            )
        } else {
            format!(
                "restricts the rows {} may see or change",
                roles_shown(&p.roles)
            )
        },
    );
    b.comment(&policy_ref(table, &p.name), p.comment.as_ref());
    b.requires.push(Key::Relation(table.clone()));
    b.require_roles(&p.roles);
    b.creates.push(Key::Policy(table.clone(), p.name.clone()));
    b.finish(
        phase::POLICY,
        Action::Create,
        policy_ref(table, &p.name),
        format!("create policy {} on {table}", ident(&p.name)),
    )
}

pub(super) fn alter_policy(table: &QualifiedName, from: &Policy, to: &Policy) -> Node {
    let mut b = Builder::default();
    let mut sql = format!("ALTER POLICY {} ON {}", quote_ident(&to.name), qn(table));
    if sorted(&from.roles) != sorted(&to.roles) {
        sql.push_str(&format!(" TO {}", roles_sql(&to.roles)));
        b.details.push(format!(
            "roles: {} → {}",
            roles_shown(&from.roles),
            roles_shown(&to.roles)
        ));
    }
    if from.using != to.using
        && let Some(u) = &to.using
    {
        sql.push_str(&format!(
            " USING ({})",
            crate::ddl::expression::reparsable(u)
        ));
        b.details.push(format!(
            "using: {} → {u}",
            expr_shown(from.using.as_deref())
        ));
    }
    if from.with_check != to.with_check
        && let Some(c) = &to.with_check
    {
        sql.push_str(&format!(
            " WITH CHECK ({})",
            crate::ddl::expression::reparsable(c)
        ));
        b.details.push(format!(
            "with check: {} → {c}",
            expr_shown(from.with_check.as_deref())
        ));
    }
    b.sql(sql);
    b.hazard(
        HazardKind::AuthorizationChange,
        "changes which rows the policy allows, or to whom".into(),
    );
    b.requires.extend([
        Key::Relation(table.clone()),
        Key::Policy(table.clone(), to.name.clone()),
    ]);
    b.require_roles(&from.roles);
    b.require_roles(&to.roles);
    b.finish(
        phase::POLICY,
        Action::Alter,
        policy_ref(table, &to.name),
        format!("alter policy {} on {table}", ident(&to.name)),
    )
}

pub(super) fn drop_policy(table: &QualifiedName, p: &Policy) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "DROP POLICY {} ON {}",
        quote_ident(&p.name),
        qn(table)
    ));
    b.hazard(
        HazardKind::AuthorizationChange,
        if p.permissive {
            format!(
                "rows only this policy allowed are no longer reachable for {}",
                roles_shown(&p.roles)
            )
        } else {
            format!("its restriction on {} is lifted", roles_shown(&p.roles))
        },
    );
    b.requires.push(Key::Relation(table.clone()));
    b.require_roles(&p.roles);
    b.drops.push(Key::Policy(table.clone(), p.name.clone()));
    b.finish(
        phase::DROP_POLICY,
        Action::Drop,
        policy_ref(table, &p.name),
        format!("drop policy {} on {table}", ident(&p.name)),
    )
}

impl Builder {
    fn require_roles(&mut self, roles: &[String]) {
        for r in roles {
            if r != "PUBLIC" {
                self.requires.push(Key::Role(r.clone()));
            }
        }
    }
}

fn roles_shown(roles: &[String]) -> String {
    if roles.is_empty() {
        "PUBLIC".into()
    } else {
        sorted(roles)
            .iter()
            .map(|r| if r == "PUBLIC" { r.clone() } else { ident(r) })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
