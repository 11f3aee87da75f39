//! Domains: create, default, NOT NULL, checks.

use crate::ddl::domain::{DomainParts, create_domain as create_domain_sql};
use crate::model::*;
use crate::plan::builder::{Builder, domain_ref, expr_shown, ident, qn};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn create_domain(d: &Domain) -> Node {
    let mut b = Builder::default();
    if let Some(def) = &d.default {
        b.require_sequences(def);
        b.require_calls(def);
    }
    for (check, expression) in &d.checks {
        b.creates
            .push(Key::Constraint(d.name.clone(), check.clone()));
        // A routine its check calls exists first (the server resolves it now).
        b.require_calls(expression);
    }
    let mut sql = String::new();
    create_domain_sql(
        &mut sql,
        &d.name,
        DomainParts {
            base_type: &d.base_type,
            collation: d.collation.as_deref(),
            default: d.default.clone(),
            not_null: d.not_null,
            checks: d
                .checks
                .iter()
                .map(|(n, e)| (n.as_str(), e.as_str()))
                .collect(),
        },
    );
    b.sql(sql);
    b.details.push(format!("type: {}", d.base_type));
    let object = ObjectRef::Type {
        kind: TypeKind::Domain,
        name: d.name.clone(),
    };
    b.owned_by(&object, d.owner.as_ref());
    b.comment(&object, d.comment.as_ref());
    b.require_type(&d.base_type);
    b.require_collation(d.collation.as_deref());
    b.requires.push(Key::Schema(d.name.schema.clone()));
    b.creates.push(Key::Type(d.name.clone()));
    b.finish(
        phase::TYPE,
        Action::Create,
        object,
        format!("create domain {}", d.name),
    )
}

pub(super) fn set_domain_default(
    name: &QualifiedName,
    from: &Option<String>,
    to: &Option<String>,
) -> Node {
    let mut b = Builder::default();
    if let Some(d) = to {
        b.require_calls(d);
    }
    match to {
        Some(d) => b.sql(format!(
            "ALTER DOMAIN {} SET DEFAULT {}",
            qn(name),
            crate::ddl::expression::reparsable(d)
        )),
        None => b.sql(format!("ALTER DOMAIN {} DROP DEFAULT", qn(name))),
    }
    b.details.push(format!(
        "default: {} → {}",
        expr_shown(from.as_deref()),
        expr_shown(to.as_deref())
    ));
    b.requires.push(Key::Type(name.clone()));
    let verb = if to.is_some() { "set" } else { "drop" };
    b.finish(
        phase::TYPE,
        Action::Alter,
        domain_ref(name),
        format!("{verb} default of domain {name}"),
    )
}

pub(super) fn set_domain_not_null(name: &QualifiedName, not_null: bool) -> Node {
    let mut b = Builder::default();
    if not_null {
        b.sql(format!("ALTER DOMAIN {} SET NOT NULL", qn(name)));
        b.hazard(
            HazardKind::ValidatesData,
            "scans every column of this domain for NULLs".into(),
        );
    } else {
        b.sql(format!("ALTER DOMAIN {} DROP NOT NULL", qn(name)));
    }
    b.requires.push(Key::Type(name.clone()));
    let verb = if not_null { "set" } else { "drop" };
    b.finish(
        phase::TYPE,
        Action::Alter,
        domain_ref(name),
        format!("{verb} not null on domain {name}"),
    )
}

pub(super) fn add_domain_check(name: &QualifiedName, check: &str, expression: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({}) NOT VALID",
        qn(name),
        quote_ident(check),
        crate::ddl::expression::reparsable(expression)
    ));
    b.details.push(format!("check: {expression}"));
    b.require_calls(expression);
    b.details
        .push("added NOT VALID: existing values are validated next".into());
    b.requires.push(Key::Type(name.clone()));
    b.creates
        .push(Key::Constraint(name.clone(), check.to_string()));
    b.finish(
        phase::TYPE,
        Action::Alter,
        domain_ref(name),
        format!("add check {} to domain {name}", ident(check)),
    )
}

pub(super) fn validate_domain_check(name: &QualifiedName, check: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER DOMAIN {} VALIDATE CONSTRAINT {}",
        qn(name),
        quote_ident(check)
    ));
    b.hazard(
        HazardKind::ValidatesData,
        "scans every column of this domain to check existing values".into(),
    );
    b.requires.extend([
        Key::Type(name.clone()),
        Key::Constraint(name.clone(), check.to_string()),
    ]);
    b.finish(
        phase::VALIDATE,
        Action::Alter,
        domain_ref(name),
        format!("validate check {} of domain {name}", ident(check)),
    )
}

pub(super) fn drop_domain_check(name: &QualifiedName, check: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER DOMAIN {} DROP CONSTRAINT {}",
        qn(name),
        quote_ident(check)
    ));
    b.requires.push(Key::Type(name.clone()));
    b.drops
        .push(Key::Constraint(name.clone(), check.to_string()));
    b.finish(
        phase::TYPE,
        Action::Alter,
        domain_ref(name),
        format!("drop check {} from domain {name}", ident(check)),
    )
}
