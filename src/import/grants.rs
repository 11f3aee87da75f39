//! Grants (ACLs) as TOML: `{ role = ["SELECT"], … }`.

use super::values::key;
use crate::model::*;

pub(super) fn grants(acl: &Acl) -> String {
    let items: Vec<String> = acl
        .0
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(g, p)| format!("{} = {}", grantee_key(g), privilege_value(p)))
        .collect();
    if items.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

/// `grants = { … }` of a type whose ACL differs from PostgreSQL's default (`PUBLIC`
/// `USAGE`); `None` when it is the default, which a type without grants keeps.
pub(super) fn type_grants(acl: &Option<Acl>) -> Option<String> {
    let acl = acl.as_ref()?;
    let default = crate::diff::builtin_default(ObjectKind::Type);
    (acl.clone().normalized() != default).then(|| format!("grants = {}", grants(acl)))
}

pub(super) fn grantee_key(g: &Grantee) -> String {
    match g {
        Grantee::Public => "PUBLIC".into(),
        Grantee::Role(r) => key(r),
    }
}

/// `["SELECT"]`, or the detailed form when some privileges carry the grant option.
pub(super) fn privilege_value(privs: &PrivilegeSet) -> String {
    let plain: Vec<String> = privs
        .iter()
        .filter(|(_, g)| !**g)
        .map(|(p, _)| format!("\"{p}\""))
        .collect();
    let grantable: Vec<String> = privs
        .iter()
        .filter(|(_, g)| **g)
        .map(|(p, _)| format!("\"{p}\""))
        .collect();
    match (plain.is_empty(), grantable.is_empty()) {
        (_, true) => format!("[{}]", plain.join(", ")),
        (true, false) => format!(
            "{{ privileges = [{}], with_grant_option = true }}",
            grantable.join(", ")
        ),
        // Mixed: `grantable` lists the privileges held WITH GRANT OPTION.
        (false, false) => format!(
            "{{ privileges = [{}], grantable = [{}] }}",
            plain.join(", "),
            grantable.join(", ")
        ),
    }
}
