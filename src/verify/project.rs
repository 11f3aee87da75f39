//! The state a plan would produce, for verifying a confinement before anything runs.

use crate::model::*;

/// The state the database would be in after applying `desired`: the live catalog with
/// every managed object replaced by its declaration (ACLs are authoritative there).
pub fn project(desired: &Catalog, live: &Catalog) -> Catalog {
    let mut state = live.clone();
    let version = live.server.as_ref().map_or(150000, |s| s.version_num);
    for (name, want) in &desired.roles {
        if want.external || is_builtin_role(name) {
            continue;
        }
        let mut role = want.clone();
        role.password = Password::Absent;
        role.member_of = want
            .member_of
            .iter()
            .map(|(g, m)| {
                let m = if version >= 160000 {
                    Membership {
                        admin: m.admin,
                        inherit: Some(m.inherit.unwrap_or(want.attributes.inherit)),
                        set: Some(m.set.unwrap_or(true)),
                    }
                } else {
                    *m
                };
                (g.clone(), m)
            })
            .collect();
        state.roles.insert(name.clone(), role);
    }
    if let (Some(want), Some(have)) = (&desired.database, &mut state.database) {
        have.acl = want.acl.clone();
        have.settings = want.settings.clone();
    }
    let empty = Acl::default();
    for (name, want) in &desired.schemas {
        let schema = state
            .schemas
            .entry(name.clone())
            .or_insert_with(|| Schema::new(name.clone()));
        if want.owner.is_some() {
            schema.owner = want.owner.clone();
        }
        schema.acl = want.acl.clone();
        state.default_privileges.retain(|k, _| &k.schema != name);
    }
    for (key, acl) in &desired.default_privileges {
        if desired.schemas.contains_key(&key.schema) {
            state.default_privileges.insert(key.clone(), acl.clone());
        }
    }
    for (name, rel) in state.relations.iter_mut() {
        if let Some(schema) = desired.schemas.get(&name.schema) {
            let base = schema
                .object_grants
                .get(&rel.kind.object_kind())
                .unwrap_or(&empty);
            rel.acl = match desired.relations.get(name) {
                Some(d) => base.union(&d.acl),
                None => base.clone(),
            };
            if let Some(owner) = desired.relations.get(name).and_then(|d| d.owner.clone()) {
                rel.owner = Some(owner);
            }
        }
    }
    for (name, d) in &desired.relations {
        if !state.relations.contains_key(name) && desired.tables.contains_key(name) {
            let base = desired
                .schemas
                .get(&name.schema)
                .and_then(|s| s.object_grants.get(&d.kind.object_kind()))
                .unwrap_or(&empty);
            let mut rel = d.clone();
            rel.acl = base.union(&d.acl);
            state.relations.insert(name.clone(), rel);
        }
    }
    for (id, f) in state.functions.iter_mut() {
        if let Some(schema) = desired.schemas.get(&id.schema) {
            let base = schema
                .object_grants
                .get(&ObjectKind::Function)
                .unwrap_or(&empty);
            f.acl = match desired.functions.get(id) {
                Some(d) => base.union(&d.acl),
                None => base.clone(),
            };
        }
    }
    for (name, t) in &desired.tables {
        state.tables.insert(name.clone(), t.clone());
    }
    state
}
