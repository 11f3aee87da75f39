//! The state a plan would produce, for verifying a confinement before anything runs.

use crate::model::*;

/// The state the database would be in after applying `desired`: the live catalog with
/// every managed object replaced by its declaration (ACLs are authoritative there).
/// Views carry what they read and routines their definition (`SECURITY DEFINER`), so
/// the paths through them are followed in the projected state too. A new object's owner
/// is the declared one, else its schema's, else the role running the plan.
pub fn project(desired: &Catalog, live: &Catalog) -> Catalog {
    let mut state = live.clone();
    let runner = live.server.as_ref().map(|s| s.current_user.clone());
    let new_owner = |owner: &Option<String>, schema: &str| {
        owner
            .clone()
            .or_else(|| desired.schemas.get(schema).and_then(|s| s.owner.clone()))
            .or_else(|| runner.clone())
    };
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
        let declared = desired.tables.contains_key(name) || desired.views.contains_key(name);
        if !state.relations.contains_key(name) && declared {
            let base = desired
                .schemas
                .get(&name.schema)
                .and_then(|s| s.object_grants.get(&d.kind.object_kind()))
                .unwrap_or(&empty);
            let mut rel = d.clone();
            rel.acl = base.union(&d.acl);
            rel.owner = new_owner(&d.owner, &name.schema);
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
        if let Some(d) = desired.functions.get(id).filter(|d| d.definition.is_some()) {
            f.definition = d.definition.clone();
            if d.owner.is_some() {
                f.owner = d.owner.clone();
            }
        }
    }
    for (id, d) in &desired.functions {
        if state.functions.contains_key(id) || d.definition.is_none() {
            continue;
        }
        let base = desired
            .schemas
            .get(&id.schema)
            .and_then(|s| s.object_grants.get(&ObjectKind::Function))
            .unwrap_or(&empty);
        let mut f = d.clone();
        f.acl = base.union(&d.acl);
        f.owner = new_owner(&d.owner, &id.schema);
        state.functions.insert(id.clone(), f);
    }
    for (name, v) in &desired.views {
        state.views.insert(name.clone(), v.clone());
    }
    for (name, t) in &desired.tables {
        state.tables.insert(name.clone(), t.clone());
    }
    state
}
