//! `[schemas.NAME]`: owner, comment, grants, default privileges and what is managed in it.

use super::*;

impl Loader {
    pub(super) fn walk_schema(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("schema `{name}`");
        let Some(t) = self.table(
            f,
            v,
            &ctx,
            Some(format!(
                "declare it as a table: [schemas.{}]",
                toml_key(&name)
            )),
        ) else {
            return;
        };
        if self.check_identifier(&name, name_span, "schema") && is_system_schema(&name) {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!("schema `{name}` belongs to PostgreSQL and cannot be managed"),
                )
                .at(name_span, "system schema")
                .help("remove this declaration; `pg_*` and `information_schema` are never managed"),
            );
        }
        let mut schema = Schema::new(name.clone());
        let mut rec = Rec::default();
        let mut for_roles: Option<Vec<String>> = None;
        let mut first_object_grants: Option<Span> = None;
        let mut explicit: Vec<(DefaultPrivilegeKey, Acl, Span)> = Vec::new();
        let mut manage_tables = None;
        let mut manage_tables_span = None;
        let mut manage_all_span = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "owner" => schema.owner = self.owner_ref(f, value, &what),
                "comment" => schema.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    schema.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Schema,
                        GrantSite::Schema(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                "table_grants" | "sequence_grants" | "function_grants" | "type_grants" => {
                    let kind = match key_name {
                        "table_grants" => ObjectKind::Table,
                        "sequence_grants" => ObjectKind::Sequence,
                        "type_grants" => ObjectKind::Type,
                        _ => ObjectKind::Function,
                    };
                    let acl = self.grants(
                        f,
                        value,
                        kind,
                        GrantSite::SchemaObjects {
                            schema: name.clone(),
                            kind,
                        },
                        &format!("the {key_name} of {ctx}"),
                        &mut rec,
                    );
                    if !acl.is_empty() {
                        first_object_grants.get_or_insert(key_span);
                        schema.object_grants.insert(kind, acl);
                    } else if kind == ObjectKind::Type {
                        // Declared empty still manages the types' grants (revokes
                        // PUBLIC's default USAGE).
                        schema.object_grants.insert(kind, acl);
                    }
                }
                "default_privileges_for" => {
                    let mut roles = Vec::new();
                    let mut seen = BTreeMap::new();
                    for (role, span) in self.string_list(f, value, &what).unwrap_or_default() {
                        if let Some(first) = seen.get(&role) {
                            self.err(
                                Diag::new(
                                    ErrorKind::Duplicate,
                                    format!("role `{role}` is listed twice in {what}"),
                                )
                                .at(span, "listed again here")
                                .also(*first, "first listed here")
                                .help("keep one entry per role"),
                            );
                            continue;
                        }
                        seen.insert(role.clone(), span);
                        self.role_refs
                            .push((role.clone(), span, RefKind::DefaultPrivilegesFor));
                        roles.push(role);
                    }
                    for_roles = Some(roles);
                }
                "default_privileges" => {
                    explicit = self.default_privileges(f, value, &name, &mut rec);
                }
                "manage_tables" => {
                    manage_tables = self.boolean(f, value, &what);
                    manage_tables_span = Some(self.sp(f, value.span()));
                }
                "manage_all" => {
                    schema.manage_all = self.boolean(f, value, &what).unwrap_or(false);
                    manage_all_span = Some(self.sp(f, value.span()));
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawSchema>(), Some(&ctx)),
            }
        }

        if let Some(owner) = &schema.owner {
            let owner_grantee = Grantee::Role(owner.clone());
            let target = GrantSite::Schema(name.clone());
            let span = rec
                .grants
                .iter()
                .find(|(t, g, _)| *t == target && *g == owner_grantee)
                .map(|(_, _, s)| *s);
            if let (Some(span), true) = (span, schema.acl.0.contains_key(&owner_grantee)) {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "`{owner}` owns schema `{name}`: it cannot be granted privileges on it"
                        ),
                    )
                    .at(span, "the owner")
                    .help(
                        "remove this grant; the owner always holds every privilege on the schema",
                    ),
                );
                schema.acl.0.remove(&owner_grantee);
            }
        }

        // Future objects: desugar the *_grants into default privileges.
        let for_roles = match (for_roles, &schema.owner) {
            (Some(roles), _) => roles,
            (None, Some(owner)) => vec![owner.clone()],
            (None, None) => {
                if let Some(span) = first_object_grants {
                    self.err(
                        Diag::new(
                            ErrorKind::DefaultPrivileges,
                            format!(
                                "schema `{name}` grants on future objects but names no role \
                                 that creates them"
                            ),
                        )
                        .at(span, "applies to future objects too")
                        .also(name_span, "no owner here")
                        .help(
                            "declare owner or default_privileges_for (default_privileges_for = \
                             [] grants on existing objects only)",
                        ),
                    );
                }
                Vec::new()
            }
        };
        for role in &for_roles {
            for (kind, acl) in &schema.object_grants {
                let key = DefaultPrivilegeKey {
                    for_role: role.clone(),
                    schema: name.clone(),
                    kind: *kind,
                };
                let grant_target = GrantSite::SchemaObjects {
                    schema: name.clone(),
                    kind: *kind,
                };
                let span = rec
                    .grants
                    .iter()
                    .find(|(t, _, _)| *t == grant_target)
                    .map(|(_, _, s)| *s)
                    .unwrap_or(name_span);
                for (grantee, _) in acl.0.iter() {
                    let gspan = rec
                        .grants
                        .iter()
                        .find(|(t, g, _)| *t == grant_target && g == grantee)
                        .map(|(_, _, s)| *s)
                        .unwrap_or(span);
                    rec.grants.push((
                        GrantSite::DefaultPrivileges(key.clone()),
                        grantee.clone(),
                        gspan,
                    ));
                }
                rec.default_privileges.push((key, acl.clone(), span));
            }
        }
        rec.default_privileges.extend(explicit);

        if let Some(first) = self.schema_spans.get(&name).copied() {
            self.duplicate(
                name_span,
                first,
                &format!("schema `{name}`"),
                &format!("[schemas.{}]", toml_key(&name)),
            );
            return;
        }
        self.schema_spans.insert(name.clone(), name_span);
        if let (true, Some(false), Some(all), Some(tables)) = (
            schema.manage_all,
            manage_tables,
            manage_all_span,
            manage_tables_span,
        ) {
            self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!("{ctx} manages all of its objects but not its tables"),
                )
                .at(tables, "tables left unmanaged here")
                .also(all, "every kind managed here")
                .help("remove `manage_tables = false`, or set `manage_all = false`"),
            );
        }
        self.set_manage_tables(&name, manage_tables.or(schema.manage_all.then_some(true)));
        self.sources
            .schemas
            .insert(name.clone(), self.sources.location(name_span));
        self.commit(rec);
        self.catalog.schemas.insert(name, schema);
    }
}
