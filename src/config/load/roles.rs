//! `[roles.NAME]`: attributes, passwords, memberships and confinement.

use super::*;

impl Loader {
    pub(super) fn walk_role(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("role `{name}`");
        let Some(t) = self.table(
            f,
            v,
            &ctx,
            Some(format!(
                "declare it as a table: [roles.{}]",
                toml_key(&name)
            )),
        ) else {
            return;
        };
        let mut role = Role::new(name.clone());
        let mut rec = Rec::default();

        let external_key = t
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == "external");
        if let Some((_, value)) = external_key {
            role.external = self
                .boolean(f, value, &format!("`external` of {ctx}"))
                .unwrap_or(false);
        }
        let external_span = external_key.map(|(key, _)| self.sp(f, key.span()));
        self.check_role_name(&name, name_span, role.external);

        let known = fields_of::<raw::RawRole>();
        let mut search_path: Option<(SettingValue, Span)> = None;
        let mut settings = BTreeMap::new();
        let mut confined_to: Option<Vec<String>> = None;
        let mut may_own: Option<(bool, Span)> = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            let what = format!("`{key_name}` of {ctx}");
            if key_name == "external" {
                continue;
            }
            if key_name == "comment" {
                role.comment = non_empty(self.string(f, value, &what));
                continue;
            }
            if role.external && known.contains(&key_name) {
                self.err(
                    Diag::new(
                        ErrorKind::ExternalRole,
                        format!("`{key_name}` cannot be set on external role `{name}`"),
                    )
                    .at(key_span, "not allowed on an external role")
                    .also(external_span.unwrap(), "the role is declared external here")
                    .help(format!(
                        "pgrecon never alters an external role: remove `{key_name}`, or remove \
                         `external = true` to manage the role"
                    )),
                );
                if key_name == "password" {
                    self.redact_password(f, value);
                }
                continue;
            }
            let a = &mut role.attributes;
            match key_name {
                "login" => a.login = self.boolean(f, value, &what).unwrap_or(a.login),
                "superuser" => a.superuser = self.boolean(f, value, &what).unwrap_or(a.superuser),
                "createdb" => a.createdb = self.boolean(f, value, &what).unwrap_or(a.createdb),
                "createrole" => {
                    a.createrole = self.boolean(f, value, &what).unwrap_or(a.createrole)
                }
                "replication" => {
                    a.replication = self.boolean(f, value, &what).unwrap_or(a.replication)
                }
                "bypassrls" => a.bypassrls = self.boolean(f, value, &what).unwrap_or(a.bypassrls),
                "inherit" => a.inherit = self.boolean(f, value, &what).unwrap_or(a.inherit),
                "connection_limit" => {
                    if let Some(limit) = self.connection_limit(f, value, &what) {
                        role.attributes.connection_limit = limit;
                    }
                }
                "valid_until" => {
                    if let Some(v) = self.valid_until(f, value, &what) {
                        role.attributes.valid_until = v;
                    }
                }
                "password" => {
                    if let Some(p) = self.password(f, value, &name) {
                        role.password = Password::Desired {
                            source: p.0,
                            secret: None,
                        };
                        rec.password = Some((key_span, p.1));
                    }
                }
                "member_of" => role.member_of = self.member_of(f, value, &name, &mut rec),
                "search_path" => {
                    let value_what = format!("`search_path` of {ctx}");
                    if let Some(list) = self.name_list_setting(f, value, &value_what) {
                        search_path = Some((list, key_span));
                    }
                }
                "settings" => {
                    settings = self.settings(f, value, &format!("the settings of {ctx}"));
                }
                "database_settings" => {
                    role.database_settings = self
                        .settings(f, value, &format!("the database_settings of {ctx}"))
                        .into_iter()
                        .map(|(k, (v, _))| (k, v))
                        .collect();
                }
                "confined_to" => {
                    let value_what = format!("`confined_to` of {ctx}");
                    if let Some(items) = self.string_list(f, value, &value_what) {
                        for (schema, span) in &items {
                            self.schema_refs.push((
                                schema.clone(),
                                *span,
                                value_what.clone(),
                                CONFINED_TO,
                            ));
                        }
                        confined_to = Some(items.into_iter().map(|(s, _)| s).collect());
                    }
                }
                "may_own" => {
                    if let Some(b) = self.boolean(f, value, &what) {
                        may_own = Some((b, key_span));
                    }
                }
                _ => self.unknown_key(f, key, known, Some(&ctx)),
            }
        }
        if let Some((list, sugar_span)) = search_path {
            if let Some((_, settings_span)) = settings.get("search_path") {
                let (first, second) = ordered(sugar_span, *settings_span);
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("`search_path` of role `{name}` is declared twice"),
                    )
                    .at(second, "declared again here")
                    .also(first, "first declared here")
                    .help("keep either `search_path = [...]` or `settings.search_path`, not both"),
                );
            } else {
                settings.insert("search_path".to_string(), (list, sugar_span));
            }
        }
        role.settings = settings.into_iter().map(|(k, (v, _))| (k, v)).collect();
        match (confined_to, may_own) {
            (Some(schemas), may_own) => {
                role.confinement = Some(Confinement {
                    schemas,
                    may_own: may_own.is_some_and(|(b, _)| b),
                });
            }
            (None, Some((_, span))) => self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!("`may_own` of role `{name}` has no confinement to qualify"),
                )
                .at(span, "only meaningful with `confined_to`")
                .help("add confined_to = [\"schema\", …] to the role, or remove may_own"),
            ),
            (None, None) => {}
        }

        if let Some(first) = self.role_spans.get(&name).copied() {
            self.duplicate(
                name_span,
                first,
                &format!("role `{name}`"),
                &format!("[roles.{}]", toml_key(&name)),
            );
            return;
        }
        self.role_spans.insert(name.clone(), name_span);
        self.sources
            .roles
            .insert(name.clone(), self.sources.location(name_span));
        if let Some((span, pending)) = rec.password.take() {
            self.sources
                .passwords
                .insert(name.clone(), self.sources.location(span));
            self.sources.secrets.insert(name.clone(), pending);
        }
        self.commit(rec);
        self.catalog.roles.insert(name, role);
    }

    fn check_role_name(&mut self, name: &str, span: Span, external: bool) {
        if !self.check_identifier(name, span, "role") {
            return;
        }
        if name.eq_ignore_ascii_case("public") || name.eq_ignore_ascii_case("none") {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!("role name `{name}` is reserved"),
                )
                .at(span, "reserved by PostgreSQL")
                .help(if name.eq_ignore_ascii_case("public") {
                    "grants to every role are written with the grantee PUBLIC; choose another \
                     name for this role"
                } else {
                    "choose another name for this role"
                }),
            );
        } else if is_builtin_role(name) && !external {
            self.err(
                Diag::new(
                    ErrorKind::InvalidName,
                    format!("role name `{name}` is reserved for PostgreSQL's own roles"),
                )
                .at(span, "names starting with `pg_` are reserved")
                .help(
                    "choose another name; built-in `pg_*` roles can be referenced without \
                     being declared",
                ),
            );
        }
    }

    fn connection_limit(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<i32> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(
                f,
                v,
                "an integer",
                what,
                Some("write a whole number without quotes, e.g. connection_limit = 20".into()),
            );
            return None;
        };
        let value = i64::from_str_radix(i.as_str(), i.radix()).ok();
        match value.and_then(|n| i32::try_from(n).ok()) {
            Some(n) if n >= -1 => Some(n),
            _ => {
                self.err(
                    Diag::new(ErrorKind::InvalidValue, format!("{what} is out of range"))
                        .at(self.sp(f, v.span()), "must be between -1 and 2147483647")
                        .help("use -1 for no limit, or the maximum number of connections"),
                );
                None
            }
        }
    }

    /// `Some(None)`: no expiry.
    fn valid_until(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<Option<String>> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a timestamp",
                    what,
                    Some("write e.g. valid_until = \"2027-01-01 00:00:00+00\"".into()),
                );
                return None;
            }
        };
        match crate::config::timestamp::canonical_timestamptz(&text) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("{what} is not a timestamp"),
                    )
                    .at(self.sp(f, v.span()), problem)
                    .help(
                        "write e.g. valid_until = \"2027-01-01 00:00:00+00\" (a time without \
                             an offset is UTC), or \"infinity\" for no expiry",
                    ),
                );
                None
            }
        }
    }

    /// Returns the source and what `resolve_secrets` needs.
    pub(super) fn password(
        &mut self,
        f: usize,
        v: &V<'_>,
        role: &str,
    ) -> Option<(PasswordSource, PendingSecret)> {
        let help = "write password = { env = \"VARIABLE\" }, { file = \"path\" } or { scram = \
                    \"SCRAM-SHA-256$...\" }; secrets never live in the desired state";
        let DeValue::Table(t) = v.get_ref() else {
            self.redact_password(f, v);
            self.err(
                Diag::new(
                    ErrorKind::Password,
                    format!("password of role `{role}` must name its source"),
                )
                .at(self.sp(f, v.span()), format!("this is {}", a_type(v)))
                .help(help),
            );
            return None;
        };
        let known = fields_of::<raw::RawPassword>();
        let mut sources = Vec::new();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            if known.contains(&key_name) {
                sources.push((key_name, self.sp(f, key.span()), value));
            } else {
                self.redact_password(f, value);
                self.unknown_key(
                    f,
                    key,
                    known,
                    Some(&format!("the password of role `{role}`")),
                );
            }
            if key_name == "scram" {
                self.redact_password(f, value);
            }
        }
        match sources.as_slice() {
            [] => {
                if t.is_empty() {
                    self.err(
                        Diag::new(
                            ErrorKind::Password,
                            format!("password of role `{role}` has no source"),
                        )
                        .at(self.sp(f, v.span()), "no source")
                        .help("keep exactly one of `env`, `file` or `scram`"),
                    );
                }
                None
            }
            [(kind, _, value)] => {
                let what = format!("`password.{kind}` of role `{role}`");
                let value_span = self.sp(f, value.span());
                if !matches!(value.get_ref(), DeValue::String(_)) {
                    self.wrong_type(f, value, "a string", &what, None);
                    return None;
                }
                let text = value.get_ref().as_str().unwrap_or_default().to_string();
                let pending = |verifier| PendingSecret {
                    value_span,
                    verifier,
                };
                match *kind {
                    "env" => {
                        if text.is_empty() || text.contains(['=', '\0']) {
                            self.err(
                                Diag::new(
                                    ErrorKind::Password,
                                    format!(
                                        "invalid environment variable name for the password \
                                         of role `{role}`"
                                    ),
                                )
                                .at(value_span, "not a variable name")
                                .help("write the name of the variable, e.g. { env = \"APP_PASSWORD\" }"),
                            );
                            return None;
                        }
                        Some((PasswordSource::Env(text), pending(None)))
                    }
                    "file" => {
                        if text.is_empty() {
                            self.err(
                                Diag::new(
                                    ErrorKind::Password,
                                    format!("empty password file path for role `{role}`"),
                                )
                                .at(value_span, "empty path")
                                .help("write the path of the file, relative to this TOML file"),
                            );
                            return None;
                        }
                        let path = self.sources.relative_to_dir(f, &text);
                        Some((PasswordSource::File(path), pending(None)))
                    }
                    _ => {
                        if let Err(problem) = check_scram(&text) {
                            self.err(
                                Diag::new(
                                    ErrorKind::Password,
                                    format!("malformed SCRAM verifier for role `{role}`"),
                                )
                                .at(value_span, problem)
                                .help(
                                    "expected SCRAM-SHA-256$<iterations>:<salt>$<storedkey>:\
                                     <serverkey> as stored in pg_authid.rolpassword",
                                ),
                            );
                            return None;
                        }
                        Some((
                            PasswordSource::Verifier,
                            pending(Some(SecretString::from(text))),
                        ))
                    }
                }
            }
            [(first, first_span, _), rest @ ..] => {
                let names: Vec<String> = std::iter::once(first)
                    .chain(rest.iter().map(|(k, _, _)| k))
                    .map(|k| format!("`{k}`"))
                    .collect();
                let mut d = Diag::new(
                    ErrorKind::Password,
                    format!(
                        "password of role `{role}` has {} sources ({})",
                        names.len(),
                        names.join(", ")
                    ),
                )
                .at(rest[0].1, "second source")
                .also(*first_span, "first source");
                for (_, span, _) in &rest[1..] {
                    d = d.also(*span, "another source");
                }
                self.err(d.help("keep exactly one of `env`, `file` or `scram`"));
                None
            }
        }
    }

    /// Masks every string inside a password value (except `env`/`file` names).
    fn redact_password(&mut self, f: usize, v: &V<'_>) {
        match v.get_ref() {
            DeValue::Table(t) => {
                for (key, value) in t.iter() {
                    if !matches!(key.get_ref().as_ref(), "env" | "file") {
                        self.redact_password(f, value);
                    }
                }
            }
            DeValue::Array(a) => {
                for item in a.iter() {
                    self.redact_password(f, item);
                }
            }
            _ => self.redactions[f].push(v.span()),
        }
    }

    pub(super) fn member_of(
        &mut self,
        f: usize,
        v: &V<'_>,
        member: &str,
        rec: &mut Rec,
    ) -> BTreeMap<String, Membership> {
        let what = format!("`member_of` of role `{member}`");
        let help = "write a list, e.g. member_of = [\"readers\", { role = \"ops\", admin = true }]";
        let mut out = BTreeMap::new();
        let mut spans: BTreeMap<String, Span> = BTreeMap::new();
        let Some(items) = self.array(f, v, &what, Some(help.to_string())) else {
            return out;
        };
        for item in items {
            let (name, span, membership) = match item.get_ref() {
                DeValue::String(s) => (
                    s.to_string(),
                    self.sp(f, item.span()),
                    Membership::default(),
                ),
                DeValue::Table(t) => {
                    let ctx = format!("a `member_of` entry of role `{member}`");
                    let mut m = Membership::default();
                    let mut role = None;
                    for (key, value) in t.iter() {
                        let key_name = key.get_ref().as_ref();
                        let what = format!("`{key_name}` of {ctx}");
                        match key_name {
                            "role" => {
                                role = self
                                    .string(f, value, &what)
                                    .map(|r| (r, self.sp(f, value.span())))
                            }
                            "admin" => m.admin = self.boolean(f, value, &what).unwrap_or(false),
                            "inherit" => m.inherit = self.boolean(f, value, &what),
                            "set" => m.set = self.boolean(f, value, &what),
                            _ => self.unknown_key(
                                f,
                                key,
                                fields_of::<raw::RawMembership>(),
                                Some(&ctx),
                            ),
                        }
                    }
                    let Some((name, span)) = role else {
                        if t.get("role").is_none() {
                            self.missing_key(f, item, "role", &ctx, "role = \"readers\"");
                        }
                        continue;
                    };
                    (name, span, m)
                }
                _ => {
                    self.wrong_type(
                        f,
                        item,
                        "a role name or a table",
                        &format!("each entry of {what}"),
                        Some(help.to_string()),
                    );
                    continue;
                }
            };
            if name == member {
                self.err(
                    Diag::new(
                        ErrorKind::MembershipCycle,
                        format!("role `{member}` cannot be a member of itself"),
                    )
                    .at(span, "the role itself")
                    .help("remove this entry"),
                );
                continue;
            }
            if let Some(first) = spans.get(&name) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("role `{name}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help("keep one entry per role"),
                );
                continue;
            }
            spans.insert(name.clone(), span);
            self.role_refs.push((name.clone(), span, RefKind::MemberOf));
            rec.memberships
                .push((member.to_string(), name.clone(), span));
            out.insert(name, membership);
        }
        out
    }
}

/// Checks `SCRAM-SHA-256$<iterations>:<salt>$<storedkey>:<serverkey>` without ever
/// echoing the value. The error says which part is wrong.
pub(crate) fn check_scram(text: &str) -> Result<(), &'static str> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let rest = text
        .strip_prefix("SCRAM-SHA-256$")
        .ok_or("does not start with SCRAM-SHA-256$")?;
    let (params, keys) = rest.split_once('$').ok_or("missing `$` before the keys")?;
    let (iterations, salt) = params
        .split_once(':')
        .ok_or("missing `:` between iterations and salt")?;
    match iterations.parse::<u32>() {
        Ok(n) if n > 0 => {}
        _ => return Err("the iteration count is not a positive number"),
    }
    match engine.decode(salt) {
        Ok(s) if !s.is_empty() => {}
        _ => return Err("the salt is not base64"),
    }
    let (stored, server) = keys
        .split_once(':')
        .ok_or("missing `:` between stored key and server key")?;
    for key in [stored, server] {
        match engine.decode(key) {
            Ok(k) if k.len() == 32 => {}
            _ => return Err("a key is not 32 bytes of base64"),
        }
    }
    Ok(())
}
