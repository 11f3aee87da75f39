//! Walks the spanned TOML tree of every file into one `Catalog`, collecting every error
//! with its span instead of stopping at the first one.

use super::error::{Diag, ErrorKind, Span};
use super::raw::{self, fields_of};
use super::sources::{GrantTarget, PendingSecret, Sources};
use crate::escape::has_unsafe;
use crate::model::setting::{is_list_parameter, split_list};
use crate::model::{
    Acl, Catalog, Confinement, Database, DefaultPrivilegeKey, Function, FunctionId, Grantee,
    Membership, ObjectKind, Password, PasswordSource, Privilege, QualifiedName, Relation,
    RelationKind, Role, Schema, SettingValue, is_builtin_role, is_system_schema,
};
use secrecy::SecretString;
use serde_spanned::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use toml::de::{DeString, DeTable, DeValue};

mod checks;
mod columns;
mod constraints;
mod extensions;
mod indexes;
mod names;
mod policies;
mod sequences;
mod tables;
mod types;
mod validate;
mod values;

pub(crate) use constraints::default_pkey_name;
pub(crate) use names::parse_function_key;
use names::{MAX_IDENTIFIER_BYTES, unsafe_name};
use values::{a_type, non_empty};

type V<'i> = Spanned<DeValue<'i>>;
type K<'i> = Spanned<DeString<'i>>;

/// Why the schema of a per-object grant must be declared.
const PER_OBJECT_GRANTS: &str = "per-object grants are only accepted in managed schemas";
const CONFINED_TO: &str = "a role can only be confined to declared schemas";

#[derive(Debug, Clone, Copy)]
enum RefKind {
    Grantee,
    Owner,
    MemberOf,
    DefaultPrivilegesFor,
    ForRole,
    ReassignOwnedTo,
    PolicyRole,
}

impl RefKind {
    fn label(self) -> &'static str {
        match self {
            RefKind::Grantee => "granted to an undeclared role",
            RefKind::Owner => "owner is not declared",
            RefKind::MemberOf => "member of an undeclared role",
            RefKind::DefaultPrivilegesFor => "undeclared role",
            RefKind::ForRole => "undeclared role",
            RefKind::ReassignOwnedTo => "undeclared role",
            RefKind::PolicyRole => "the policy applies to an undeclared role",
        }
    }
}

/// Records of one entry, kept only if the entry is not a duplicate.
#[derive(Default)]
struct Rec {
    grants: Vec<(GrantTarget, Grantee, Span)>,
    memberships: Vec<(String, String, Span)>,
    default_privileges: Vec<(DefaultPrivilegeKey, Acl, Span)>,
    password: Option<(Span, PendingSecret)>,
}

pub(crate) struct Loader {
    pub diags: Vec<Diag>,
    pub catalog: Catalog,
    pub sources: Sources,
    /// Byte ranges of each file to mask (secrets).
    pub redactions: Vec<Vec<std::ops::Range<usize>>>,
    role_spans: BTreeMap<String, Span>,
    schema_spans: BTreeMap<String, Span>,
    relation_spans: BTreeMap<QualifiedName, Span>,
    function_spans: BTreeMap<FunctionId, Span>,
    database_span: Option<Span>,
    scope_span: Option<Span>,
    role_refs: Vec<(String, Span, RefKind)>,
    /// (schema, span, the object in it, why the schema must be declared).
    schema_refs: Vec<(String, Span, String, &'static str)>,
    /// Files with TOML syntax errors: their recovered contents still declare names (so
    /// other files are not flooded with "not declared"), but their other errors are
    /// reported only once they parse.
    broken: Vec<bool>,
    /// Tables, sequences, types and extensions, until every file is loaded.
    rel: tables::Relational,
    /// `[[check]]` entries, in file order.
    pub checks: Vec<crate::checks::Check>,
    check_spans: BTreeMap<String, Span>,
}

impl Loader {
    pub fn new(sources: Sources) -> Self {
        let n = sources.files.len();
        Loader {
            diags: Vec::new(),
            catalog: Catalog::default(),
            sources,
            redactions: vec![Vec::new(); n],
            role_spans: BTreeMap::new(),
            schema_spans: BTreeMap::new(),
            relation_spans: BTreeMap::new(),
            function_spans: BTreeMap::new(),
            database_span: None,
            scope_span: None,
            role_refs: Vec::new(),
            schema_refs: Vec::new(),
            broken: vec![false; n],
            rel: tables::Relational::default(),
            checks: Vec::new(),
            check_spans: BTreeMap::new(),
        }
    }

    fn sp(&self, f: usize, range: std::ops::Range<usize>) -> Span {
        Span::new(f, range)
    }

    fn err(&mut self, diag: Diag) {
        self.diags.push(diag);
    }

    // -----------------------------------------------------------------------------------
    // Files

    pub fn load_file(&mut self, f: usize) {
        let text = self.sources.files[f].contents.clone();
        let (root, errors) = DeTable::parse_recoverable(&text);
        self.broken[f] = !errors.is_empty();
        // After a duplicated table header, the parser reports every key of the second
        // table again: keep only the header.
        let mut skip_until = 0;
        for e in &errors {
            let span = e.span().unwrap_or(0..0);
            if e.message() == "duplicate key" {
                if span.start < skip_until {
                    continue;
                }
                let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let key = text.get(span.clone()).unwrap_or("").trim();
                if text[line_start..].trim_start().starts_with('[') {
                    skip_until = text[span.end..]
                        .find("\n[")
                        .map_or(text.len(), |i| span.end + i);
                }
                self.err(
                    Diag::new(
                        ErrorKind::TomlSyntax,
                        format!("invalid TOML: key `{key}` is defined twice in this file"),
                    )
                    .at(self.sp(f, span), "defined again here")
                    .help("a key is defined once per file: merge the two definitions")
                    .in_file(f),
                );
                continue;
            }
            let message = e.message().trim().replace('\n', ", ");
            let label = match message.split_once(", expected ") {
                Some((_, expected)) => format!("expected {expected}"),
                None => "here".to_string(),
            };
            self.err(
                Diag::new(ErrorKind::TomlSyntax, format!("invalid TOML: {message}"))
                    .at(self.sp(f, span), label)
                    .help("fix the syntax; the rest of this file is checked once it parses")
                    .in_file(f),
            );
        }
        self.walk_root(f, root.get_ref());
    }

    fn walk_root(&mut self, f: usize, root: &DeTable<'_>) {
        for (k, v) in root.iter() {
            match k.get_ref().as_ref() {
                "scope" => self.walk_scope(f, k, v),
                "database" => self.walk_database(f, k, v),
                "roles" => {
                    if let Some(t) = self.table(f, v, "`roles`", Some(help_table("roles"))) {
                        for (name, entry) in t.iter() {
                            self.walk_role(f, name, entry);
                        }
                    }
                }
                "schemas" => {
                    if let Some(t) = self.table(f, v, "`schemas`", Some(help_table("schemas"))) {
                        for (name, entry) in t.iter() {
                            self.walk_schema(f, name, entry);
                        }
                    }
                }
                section @ ("table_grants" | "sequence_grants") => {
                    let kind = if section == "table_grants" {
                        RelationKind::Table
                    } else {
                        RelationKind::Sequence
                    };
                    let what = format!("`{section}`");
                    if let Some(t) = self.table(f, v, &what, Some(help_table(section))) {
                        for (key, entry) in t.iter() {
                            self.walk_relation_grants(f, kind, key, entry);
                        }
                    }
                }
                "function_grants" => {
                    let help = help_table("function_grants");
                    if let Some(t) = self.table(f, v, "`function_grants`", Some(help)) {
                        for (key, entry) in t.iter() {
                            self.walk_function_grants(f, key, entry);
                        }
                    }
                }
                section @ ("tables" | "sequences" | "enums" | "domains" | "extensions") => {
                    let what = format!("`{section}`");
                    if let Some(t) = self.table(f, v, &what, Some(help_table(section))) {
                        for (key, entry) in t.iter() {
                            match section {
                                "tables" => self.walk_table(f, key, entry),
                                "sequences" => self.walk_sequence(f, key, entry),
                                "enums" => self.walk_enum(f, key, entry),
                                "domains" => self.walk_domain(f, key, entry),
                                _ => self.walk_extension(f, key, entry),
                            }
                        }
                    }
                }
                "check" => self.walk_checks(f, v),
                _ => self.unknown_key(f, k, fields_of::<raw::RawFile>(), None),
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // [scope]

    fn walk_scope(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_span = self.sp(f, k.span());
        let Some(t) = self.table(f, v, "`scope`", Some(help_table("scope"))) else {
            return;
        };
        let ctx = "[scope]";
        let mut local = crate::model::Scope::default();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "owned_roles" => {
                    local.owned_role_patterns =
                        self.globs(f, value, &format!("`owned_roles` of {ctx}"));
                }
                "owned_schemas" => {
                    local.owned_schema_patterns =
                        self.globs(f, value, &format!("`owned_schemas` of {ctx}"));
                }
                "reassign_owned_to" => {
                    let what = format!("`reassign_owned_to` of {ctx}");
                    if let Some(name) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs
                            .push((name.clone(), span, RefKind::ReassignOwnedTo));
                        local.reassign_owned_to = Some(name);
                    }
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawScope>(), Some(ctx)),
            }
        }
        if let Some(first) = self.scope_span {
            self.duplicate(key_span, first, "`[scope]`", "[scope]");
            return;
        }
        self.scope_span = Some(key_span);
        self.sources.scope = Some(self.sources.location(key_span));
        self.catalog.scope = local;
    }

    fn globs(&mut self, f: usize, v: &V<'_>, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (pattern, span) in self.string_list(f, v, what).unwrap_or_default() {
            match globset::Glob::new(&pattern) {
                Ok(_) => out.push(pattern),
                Err(e) => self.err(
                    Diag::new(
                        ErrorKind::InvalidGlob,
                        format!("invalid glob pattern `{pattern}` in {what}"),
                    )
                    .at(span, e.kind().to_string())
                    .help("write a glob such as `butler_*_app` (`*`, `?`, `[abc]`, `{a,b}`)"),
                ),
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // [database]

    fn walk_database(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_span = self.sp(f, k.span());
        let Some(t) = self.table(f, v, "`database`", Some(help_table("database"))) else {
            return;
        };
        let ctx = "[database]";
        let mut db = Database::default();
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "name" => {
                    if let Some(name) = self.string(f, value, "`name` of [database]") {
                        let span = self.sp(f, value.span());
                        self.check_identifier(&name, span, "database");
                        db.name = Some(name);
                    }
                }
                "comment" => {
                    db.comment = non_empty(self.string(f, value, "`comment` of [database]"))
                }
                "grants" => {
                    db.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Database,
                        GrantTarget::Database,
                        "the grants of [database]",
                        &mut rec,
                    )
                }
                "settings" => {
                    db.settings = self
                        .settings(f, value, "the settings of [database]")
                        .into_iter()
                        .map(|(k, (v, _))| (k, v))
                        .collect()
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawDatabase>(), Some(ctx)),
            }
        }
        if let Some(first) = self.database_span {
            self.duplicate(key_span, first, "`[database]`", "[database]");
            return;
        }
        self.database_span = Some(key_span);
        self.sources.database = Some(self.sources.location(key_span));
        self.commit(rec);
        self.catalog.database = Some(db);
    }

    // -----------------------------------------------------------------------------------
    // [roles.NAME]

    fn walk_role(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
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
        match super::timestamp::canonical_timestamptz(&text) {
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
    fn password(
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

    fn member_of(
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

    // -----------------------------------------------------------------------------------
    // [schemas.NAME]

    fn walk_schema(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
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
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "owner" => {
                    if let Some(owner) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs.push((owner.clone(), span, RefKind::Owner));
                        schema.owner = Some(owner);
                    }
                }
                "comment" => schema.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    schema.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Schema,
                        GrantTarget::Schema(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                "table_grants" | "sequence_grants" | "function_grants" => {
                    let kind = match key_name {
                        "table_grants" => ObjectKind::Table,
                        "sequence_grants" => ObjectKind::Sequence,
                        _ => ObjectKind::Function,
                    };
                    let acl = self.grants(
                        f,
                        value,
                        kind,
                        GrantTarget::SchemaObjects {
                            schema: name.clone(),
                            kind,
                        },
                        &format!("the {key_name} of {ctx}"),
                        &mut rec,
                    );
                    if !acl.is_empty() {
                        first_object_grants.get_or_insert(key_span);
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
                "manage_tables" => manage_tables = self.boolean(f, value, &what),
                _ => self.unknown_key(f, key, fields_of::<raw::RawSchema>(), Some(&ctx)),
            }
        }

        if let Some(owner) = &schema.owner {
            let owner_grantee = Grantee::Role(owner.clone());
            let target = GrantTarget::Schema(name.clone());
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
                let grant_target = GrantTarget::SchemaObjects {
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
                        GrantTarget::DefaultPrivileges(key.clone()),
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
        self.set_manage_tables(&name, manage_tables);
        self.sources
            .schemas
            .insert(name.clone(), self.sources.location(name_span));
        self.commit(rec);
        self.catalog.schemas.insert(name, schema);
    }

    fn default_privileges(
        &mut self,
        f: usize,
        v: &V<'_>,
        schema: &str,
        rec: &mut Rec,
    ) -> Vec<(DefaultPrivilegeKey, Acl, Span)> {
        let what = format!("`default_privileges` of schema `{schema}`");
        let help = format!(
            "write one [[schemas.{}.default_privileges]] table per creator role",
            toml_key(schema)
        );
        let mut out = Vec::new();
        let Some(items) = self.array(f, v, &what, Some(help.clone())) else {
            return out;
        };
        for item in items {
            let ctx = format!("a default_privileges entry of schema `{schema}`");
            let Some(t) = self.table(f, item, &ctx, Some(help.clone())) else {
                continue;
            };
            let entry_span = self.sp(f, item.span());
            let mut for_role = None;
            let mut kind = None;
            let mut grants_value = None;
            for (key, value) in t.iter() {
                let key_name = key.get_ref().as_ref();
                let what = format!("`{key_name}` of {ctx}");
                match key_name {
                    "for_role" => {
                        if let Some(role) = self.string(f, value, &what) {
                            let span = self.sp(f, value.span());
                            self.role_refs.push((role.clone(), span, RefKind::ForRole));
                            for_role = Some(role);
                        }
                    }
                    "on" => {
                        if let Some(text) = self.string(f, value, &what) {
                            let span = self.sp(f, value.span());
                            kind = match text.as_str() {
                                "tables" => Some(ObjectKind::Table),
                                "sequences" => Some(ObjectKind::Sequence),
                                "functions" => Some(ObjectKind::Function),
                                other => {
                                    let choices = fields_of::<raw::RawObjectKind>();
                                    self.err(
                                        Diag::new(
                                            ErrorKind::InvalidValue,
                                            format!("unknown object kind `{other}` in {ctx}"),
                                        )
                                        .at(span, "unknown object kind")
                                        .help(suggest_or_list(other, choices)),
                                    );
                                    None
                                }
                            };
                        }
                    }
                    "grants" => grants_value = Some(value),
                    _ => self.unknown_key(
                        f,
                        key,
                        fields_of::<raw::RawDefaultPrivileges>(),
                        Some(&ctx),
                    ),
                }
            }
            if t.get("for_role").is_none() {
                self.missing_key(f, item, "for_role", &ctx, "for_role = \"migrator\"");
            }
            if t.get("on").is_none() {
                self.missing_key(f, item, "on", &ctx, "on = \"tables\"");
            }
            let (Some(for_role), Some(kind)) = (for_role, kind) else {
                continue;
            };
            let key = DefaultPrivilegeKey {
                for_role,
                schema: schema.to_string(),
                kind,
            };
            let acl = match grants_value {
                Some(value) => self.grants(
                    f,
                    value,
                    kind,
                    GrantTarget::DefaultPrivileges(key.clone()),
                    &format!("the grants of {ctx}"),
                    rec,
                ),
                None => Acl::default(),
            };
            out.push((key, acl, entry_span));
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // [table_grants."s.t"], [sequence_grants."s.t"], [function_grants."s.f(args)"]

    fn walk_relation_grants(&mut self, f: usize, kind: RelationKind, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let what = kind.describe();
        let Some(name) = QualifiedName::parse(&key_text) else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidKey,
                    format!("malformed {what} name `{key_text}`"),
                )
                .at(key_span, format!("expected \"schema.{what}\""))
                .help(format!(
                    "qualify the {what} with its schema, e.g. [{}_grants.\"general.{}\"] \
                     (double-quote a part that contains a dot)",
                    what,
                    if kind == RelationKind::Table {
                        "notes"
                    } else {
                        "notes_id_seq"
                    }
                )),
            );
            return;
        };
        self.check_identifier(&name.schema, key_span, "schema");
        self.check_identifier(&name.name, key_span, what);
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            format!("{what} `{key_text}`"),
            PER_OBJECT_GRANTS,
        ));
        let mut rec = Rec::default();
        let acl = self.grants(
            f,
            v,
            kind.object_kind(),
            GrantTarget::Relation(name.clone()),
            &format!("the grants of {what} `{key_text}`"),
            &mut rec,
        );
        if let Some(first) = self.relation_spans.get(&name).copied() {
            let section = format!("{what}_grants");
            self.duplicate(
                key_span,
                first,
                &format!("`{key_text}`"),
                &format!("[{section}.\"{key_text}\"]"),
            );
            return;
        }
        self.relation_spans.insert(name.clone(), key_span);
        self.sources
            .relations
            .insert(name.clone(), self.sources.location(key_span));
        self.commit(rec);
        self.catalog.relations.insert(
            name.clone(),
            Relation {
                name,
                kind,
                owner: None,
                acl,
            },
        );
    }

    fn walk_function_grants(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(id) = parse_function_key(&key_text) else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidKey,
                    format!("malformed function signature `{key_text}`"),
                )
                .at(key_span, "expected \"schema.name(argument types)\"")
                .help(
                    "write the schema, the name and the argument types as \
                     pg_get_function_identity_arguments prints them, e.g. \
                     [function_grants.\"general.add(integer, integer)\"]",
                ),
            );
            return;
        };
        self.check_identifier(&id.schema, key_span, "schema");
        self.check_identifier(&id.name, key_span, "function");
        self.schema_refs.push((
            id.schema.clone(),
            key_span,
            format!("function `{key_text}`"),
            PER_OBJECT_GRANTS,
        ));
        let mut rec = Rec::default();
        let acl = self.grants(
            f,
            v,
            ObjectKind::Function,
            GrantTarget::Function(id.clone()),
            &format!("the grants of function `{key_text}`"),
            &mut rec,
        );
        if let Some(first) = self.function_spans.get(&id).copied() {
            self.duplicate(
                key_span,
                first,
                &format!("function `{key_text}`"),
                &format!("[function_grants.\"{key_text}\"]"),
            );
            return;
        }
        self.function_spans.insert(id.clone(), key_span);
        self.sources
            .functions
            .insert(id.clone(), self.sources.location(key_span));
        self.commit(rec);
        self.catalog.functions.insert(
            id.clone(),
            Function {
                id,
                is_procedure: false,
                owner: None,
                acl,
            },
        );
    }

    // -----------------------------------------------------------------------------------
    // Grants

    fn grants(
        &mut self,
        f: usize,
        v: &V<'_>,
        kind: impl Into<GrantOn>,
        target: GrantTarget,
        what: &str,
        rec: &mut Rec,
    ) -> Acl {
        let kind = kind.into();
        let mut acl = Acl::default();
        let Some(t) = self.table(
            f,
            v,
            what,
            Some(format!(
                "write a table of grantees, e.g. {{ PUBLIC = [\"{}\"] }}",
                kind.privileges()[0]
            )),
        ) else {
            return acl;
        };
        for (key, value) in t.iter() {
            let grantee_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            let grantee = if grantee_name == "PUBLIC" {
                Grantee::Public
            } else if grantee_name.eq_ignore_ascii_case("public") {
                self.err(
                    Diag::new(
                        ErrorKind::LowercasePublic,
                        format!("grantee `{grantee_name}` must be written `PUBLIC`"),
                    )
                    .at(key_span, "write PUBLIC")
                    .help(
                        "write PUBLIC (uppercase) for the grants every role receives; no role \
                         can be named public",
                    ),
                );
                Grantee::Public
            } else {
                self.role_refs
                    .push((grantee_name.to_string(), key_span, RefKind::Grantee));
                Grantee::Role(grantee_name.to_string())
            };
            let gwhat = format!("the privileges of `{grantee_name}` in {what}");
            let example = kind.privileges()[0];
            let grantee_key = toml_key(grantee_name);
            let help = format!(
                "write {grantee_key} = [\"{example}\"] or {grantee_key} = {{ privileges = \
                 [\"{example}\"], with_grant_option = true }}"
            );
            let mut grantable_list = None;
            let (list, grantable) = match value.get_ref() {
                DeValue::Array(items) => (Some(&items[..]), false),
                DeValue::Table(dt) => {
                    let mut list = None;
                    let mut grantable = false;
                    for (dk, dv) in dt.iter() {
                        match dk.get_ref().as_ref() {
                            "privileges" => {
                                list = self.array(f, dv, &gwhat, Some(help.to_string()))
                            }
                            // Privileges held WITH GRANT OPTION next to plain ones.
                            "grantable" => {
                                if grantee == Grantee::Public {
                                    self.err(
                                        Diag::new(
                                            ErrorKind::InvalidValue,
                                            "PUBLIC cannot receive the grant option",
                                        )
                                        .at(self.sp(f, dv.span()), "not allowed for PUBLIC")
                                        .help(
                                            "PostgreSQL gives grant options to roles only; \
                                             remove grantable",
                                        ),
                                    );
                                } else {
                                    grantable_list =
                                        self.array(f, dv, &gwhat, Some(help.to_string()));
                                }
                            }
                            "with_grant_option" => {
                                grantable = self
                                    .boolean(f, dv, &format!("`with_grant_option` in {gwhat}"))
                                    .unwrap_or(false);
                                if grantable && grantee == Grantee::Public {
                                    self.err(
                                        Diag::new(
                                            ErrorKind::InvalidValue,
                                            "PUBLIC cannot receive the grant option",
                                        )
                                        .at(self.sp(f, dv.span()), "not allowed for PUBLIC")
                                        .help(
                                            "PostgreSQL gives grant options to roles only; \
                                             remove with_grant_option",
                                        ),
                                    );
                                    grantable = false;
                                }
                            }
                            _ => self.unknown_key(
                                f,
                                dk,
                                fields_of::<raw::RawDetailedGrant>(),
                                Some(&format!("the grant to `{grantee_name}` in {what}")),
                            ),
                        }
                    }
                    if dt.get("privileges").is_none() {
                        self.missing_key(
                            f,
                            value,
                            "privileges",
                            &gwhat,
                            "privileges = [\"SELECT\"]",
                        );
                    }
                    (list, grantable)
                }
                _ => {
                    self.wrong_type(f, value, "a list", &gwhat, Some(help.to_string()));
                    (None, false)
                }
            };
            let entry = acl.0.entry(grantee.clone()).or_default();
            for item in list.map(|l| l.iter()).into_iter().flatten() {
                let Some(text) = item.get_ref().as_str() else {
                    self.wrong_type(
                        f,
                        item,
                        "a string",
                        &format!("each privilege of `{grantee_name}` in {what}"),
                        Some(
                            "write privilege names in quotes, e.g. [\"SELECT\", \"INSERT\"]".into(),
                        ),
                    );
                    continue;
                };
                let span = self.sp(f, item.span());
                for p in self.privileges(text, span, kind) {
                    let g = entry.entry(p).or_insert(false);
                    *g |= grantable;
                }
            }
            for item in grantable_list.map(|l| l.iter()).into_iter().flatten() {
                let Some(text) = item.get_ref().as_str() else {
                    self.wrong_type(
                        f,
                        item,
                        "a string",
                        &format!("each grantable privilege of `{grantee_name}` in {what}"),
                        Some("write privilege names in quotes, e.g. [\"SELECT\"]".into()),
                    );
                    continue;
                };
                let span = self.sp(f, item.span());
                for p in self.privileges(text, span, kind) {
                    entry.insert(p, true);
                }
            }
            rec.grants.push((target.clone(), grantee, key_span));
        }
        acl.normalized()
    }

    fn privileges(&mut self, text: &str, span: Span, kind: GrantOn) -> Vec<Privilege> {
        let valid = kind.privileges();
        let words: Vec<&str> = text.split_whitespace().collect();
        let is_all = match words.as_slice() {
            [all] => all.eq_ignore_ascii_case("ALL"),
            [all, privileges] => {
                all.eq_ignore_ascii_case("ALL") && privileges.eq_ignore_ascii_case("PRIVILEGES")
            }
            _ => false,
        };
        if is_all {
            return valid.to_vec();
        }
        let valid_list = valid
            .iter()
            .map(|p| p.as_sql())
            .collect::<Vec<_>>()
            .join(", ");
        match Privilege::parse(text) {
            Some(p) if valid.contains(&p) => vec![p],
            Some(p) => {
                self.err(
                    Diag::new(
                        ErrorKind::PrivilegeNotValid,
                        format!("privilege `{p}` is not valid on {}", kind.a_kind()),
                    )
                    .at(span, format!("not a {} privilege", kind.name()))
                    .help(format!(
                        "the privileges of {} are {valid_list} (or ALL)",
                        kind.a_kind()
                    )),
                );
                Vec::new()
            }
            None => {
                let mut candidates: Vec<&str> = valid.iter().map(|p| p.as_sql()).collect();
                candidates.push("ALL");
                let upper = text.to_ascii_uppercase();
                let help = match did_you_mean(&upper, &candidates) {
                    Some(s) => format!(
                        "did you mean `{s}`? the privileges of {} are {valid_list} (or ALL)",
                        kind.a_kind()
                    ),
                    None => format!(
                        "the privileges of {} are {valid_list} (or ALL)",
                        kind.a_kind()
                    ),
                };
                self.err(
                    Diag::new(
                        ErrorKind::UnknownPrivilege,
                        format!("unknown privilege `{text}`"),
                    )
                    .at(span, "unknown privilege")
                    .help(help),
                );
                Vec::new()
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Settings

    /// Parameter name (lowercase) → value and the span of its key.
    fn settings(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
    ) -> BTreeMap<String, (SettingValue, Span)> {
        let mut out: BTreeMap<String, (SettingValue, Span)> = BTreeMap::new();
        let Some(t) = self.table(
            f,
            v,
            what,
            Some("write a table of parameters, e.g. { statement_timeout = \"30s\" }".into()),
        ) else {
            return out;
        };
        for (key, value) in t.iter() {
            let raw_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            if !valid_parameter_name(raw_name) {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidSetting,
                        format!("invalid parameter name `{raw_name}` in {what}"),
                    )
                    .at(key_span, "not a parameter name")
                    .help("parameter names are letters, digits, `_` and `.`, e.g. work_mem or app.tenant"),
                );
                continue;
            }
            let name = raw_name.to_ascii_lowercase();
            let Some(setting) =
                self.setting_value(f, &name, value, &format!("`{raw_name}` in {what}"))
            else {
                continue;
            };
            if let Some((_, first)) = out.get(&name) {
                let (first, second) = ordered(*first, key_span);
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("parameter `{name}` is set twice in {what}"),
                    )
                    .at(second, "set again here")
                    .also(first, "first set here")
                    .help("parameter names are case-insensitive; keep one of them"),
                );
                continue;
            }
            out.insert(name, (setting, key_span));
        }
        out
    }

    fn setting_value(
        &mut self,
        f: usize,
        name: &str,
        v: &V<'_>,
        what: &str,
    ) -> Option<SettingValue> {
        if is_list_parameter(name) {
            return self.name_list_setting(f, v, what);
        }
        let scalar = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => n.to_string(),
                Err(_) => i.as_str().to_string(),
            },
            DeValue::Float(x) => x.as_str().to_string(),
            DeValue::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
            DeValue::Array(_) => {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidSetting,
                        format!("{what} takes a single value, not a list"),
                    )
                    .at(self.sp(f, v.span()), "a list")
                    .help(format!(
                        "only list parameters (such as search_path) take a list; write one value, e.g. {name} = \"...\""
                    )),
                );
                return None;
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string, a number or a boolean",
                    what,
                    Some(format!(
                        "write the value as PostgreSQL accepts it, e.g. {name} = \"...\""
                    )),
                );
                return None;
            }
        };
        Some(SettingValue::Scalar(scalar))
    }

    /// An array of names, or one string split on commas.
    fn name_list_setting(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<SettingValue> {
        match v.get_ref() {
            DeValue::String(s) => Some(SettingValue::List(split_list(s))),
            _ => self
                .string_list(f, v, what)
                .map(|items| SettingValue::List(items.into_iter().map(|(s, _)| s).collect())),
        }
    }

    fn unknown_key(&mut self, f: usize, k: &K<'_>, known: &[&str], ctx: Option<&str>) {
        let key = k.get_ref().as_ref();
        debug_assert!(
            !known.contains(&key),
            "the loader does not handle key `{key}`"
        );
        let message = match ctx {
            Some(ctx) => format!("unknown key `{key}` in {ctx}"),
            None => format!("unknown top-level key `{key}`"),
        };
        self.err(
            Diag::new(ErrorKind::UnknownKey, message)
                .at(self.sp(f, k.span()), "unknown key")
                .help(suggest_or_list(key, known)),
        );
    }

    fn missing_key(&mut self, f: usize, table: &V<'_>, key: &str, ctx: &str, example: &str) {
        // A misspelt key is already reported as unknown, with the suggestion.
        if let DeValue::Table(t) = table.get_ref()
            && t.iter()
                .any(|(k, _)| did_you_mean(k.get_ref(), &[key]).is_some())
        {
            return;
        }
        self.err(
            Diag::new(
                ErrorKind::MissingKey,
                format!("missing key `{key}` in {ctx}"),
            )
            .at(self.sp(f, table.span()), format!("`{key}` is required"))
            .help(format!("add {example}")),
        );
    }

    fn duplicate(&mut self, second: Span, first: Span, what: &str, header: &str) {
        let message = if second.file == first.file {
            format!("{what} is declared twice")
        } else {
            format!("{what} is declared in two files")
        };
        let help = format!("remove one of the two {header} tables, or merge them");
        self.err(
            Diag::new(ErrorKind::Duplicate, message)
                .at(second, "declared again here")
                .also(first, "first declared here")
                .help(help),
        );
    }

    fn renamed_from_itself(&mut self, span: Span, ctx: &str) {
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("{ctx} is renamed from its own name"),
            )
            .at(span, "the current name")
            .help("renamed_from names the previous name: remove it once the rename is applied"),
        );
    }

    /// Two keys that cannot go together; the later one is the error.
    fn conflict(&mut self, a: (Span, &str), b: (Span, &str), ctx: &str, help: &str) {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        self.err(
            Diag::new(
                ErrorKind::Conflict,
                format!("{ctx} has both `{}` and `{}`", first.1, second.1),
            )
            .at(second.0, format!("cannot go with `{}`", first.1))
            .also(first.0, format!("`{}` set here", first.1))
            .help(help.to_string()),
        );
    }

    fn commit(&mut self, rec: Rec) {
        for (target, grantee, span) in rec.grants {
            let loc = self.sources.location(span);
            self.sources.grants.entry((target, grantee)).or_insert(loc);
        }
        for (member, granted, span) in rec.memberships {
            let loc = self.sources.location(span);
            self.sources.memberships.insert((member, granted), loc);
        }
        for (key, acl, span) in rec.default_privileges {
            if acl.is_empty() {
                continue;
            }
            let loc = self.sources.location(span);
            self.sources
                .default_privileges
                .entry(key.clone())
                .or_insert(loc);
            let entry = self.catalog.default_privileges.entry(key).or_default();
            *entry = entry.union(&acl);
        }
    }

    // -----------------------------------------------------------------------------------
    // Cross-file checks

    pub fn check_references(&mut self) {
        self.finish_relational();
        let declared: Vec<&str> = self.catalog.roles.keys().map(String::as_str).collect();
        let mut diags = Vec::new();
        for (name, span, kind) in &self.role_refs {
            if self.catalog.roles.contains_key(name) || self.role_spans.contains_key(name) {
                continue;
            }
            // No such role can be declared: say why rather than "not declared".
            if has_unsafe(name) {
                diags.push(unsafe_name(name, *span, "role name"));
                continue;
            }
            if is_builtin_role(name) {
                continue;
            }
            let declare = format!(
                "declare it under [roles.{}], or mark an existing role with external = true",
                toml_key(name)
            );
            let help = match did_you_mean(name, &declared) {
                Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                None => declare,
            };
            diags.push(
                Diag::new(
                    ErrorKind::UndeclaredRole,
                    format!("role `{name}` is not declared"),
                )
                .at(*span, kind.label())
                .help(help),
            );
        }
        let schemas: Vec<&str> = self.schema_spans.keys().map(String::as_str).collect();
        for (schema, span, object, why) in &self.schema_refs {
            if self.schema_spans.contains_key(schema) {
                continue;
            }
            if has_unsafe(schema) {
                diags.push(unsafe_name(schema, *span, "schema name"));
                continue;
            }
            let declare = format!("declare it under [schemas.{}]; {why}", toml_key(schema));
            let help = match did_you_mean(schema, &schemas) {
                Some(s) => format!("did you mean `{s}`? otherwise {declare}"),
                None => declare,
            };
            diags.push(
                Diag::new(
                    ErrorKind::UndeclaredSchema,
                    format!("schema `{schema}` of {object} is not declared"),
                )
                .at(*span, "in an undeclared schema")
                .help(help),
            );
        }
        self.diags.extend(diags);
        self.check_cycles();

        if self.broken.iter().any(|b| *b) {
            let broken = &self.broken;
            self.diags.retain(|d| match (d.kind, &d.primary) {
                (ErrorKind::TomlSyntax, _) => true,
                // What a broken file declares is unknown.
                (
                    ErrorKind::UndeclaredRole
                    | ErrorKind::UndeclaredSchema
                    | ErrorKind::UndeclaredTable
                    | ErrorKind::UnknownColumn,
                    _,
                ) => false,
                (_, Some((span, _))) => !broken[span.file],
                (_, None) => true,
            });
        }
    }

    fn check_cycles(&mut self) {
        let edges: BTreeMap<&str, Vec<&str>> = self
            .catalog
            .roles
            .iter()
            .map(|(name, role)| {
                (
                    name.as_str(),
                    role.member_of.keys().map(String::as_str).collect(),
                )
            })
            .collect();
        let mut diags = Vec::new();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        for &start in edges.keys() {
            // Depth-first search for a path back to `start` through larger names only,
            // so that each cycle is found once, from its smallest member.
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            let mut on_path: BTreeSet<&str> = BTreeSet::from([start]);
            let mut visited: BTreeSet<&str> = BTreeSet::new();
            let mut cycle = None;
            while let Some((node, i)) = stack.last().copied() {
                let next = edges.get(node).and_then(|n| n.get(i)).copied();
                let Some(next) = next else {
                    stack.pop();
                    on_path.remove(node);
                    visited.insert(node);
                    continue;
                };
                stack.last_mut().unwrap().1 += 1;
                if next == start {
                    let mut path: Vec<&str> = stack.iter().map(|(n, _)| *n).collect();
                    path.push(start);
                    cycle = Some(path);
                    break;
                }
                if next > start && !on_path.contains(next) && !visited.contains(next) {
                    on_path.insert(next);
                    stack.push((next, 0));
                }
            }
            let Some(path) = cycle else { continue };
            if !reported.insert(path.clone()) {
                continue;
            }
            let arrows = path
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" → ");
            let edge_span = |a: &str, b: &str| {
                self.sources
                    .memberships
                    .get(&(a.to_string(), b.to_string()))
                    .and_then(|loc| {
                        self.sources
                            .files
                            .iter()
                            .position(|f| f.label == loc.file)
                            .map(|fi| Span::new(fi, loc.span.clone()))
                    })
            };
            let mut d = Diag::new(
                ErrorKind::MembershipCycle,
                format!("circular role membership: {arrows}"),
            );
            for (i, pair) in path.windows(2).enumerate() {
                let Some(span) = edge_span(pair[0], pair[1]) else {
                    continue;
                };
                let label = format!("`{}` is a member of `{}`", pair[0], pair[1]);
                d = if i == 0 {
                    d.at(span, label)
                } else {
                    d.also(span, label)
                };
            }
            diags.push(d.help(
                "PostgreSQL rejects circular memberships; remove one of these member_of entries",
            ));
        }
        self.diags.extend(diags);
    }
}

fn ordered(a: Span, b: Span) -> (Span, Span) {
    if a <= b { (a, b) } else { (b, a) }
}

/// What privileges are granted on: a kind of object, or a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GrantOn {
    Object(ObjectKind),
    Column,
}

impl From<ObjectKind> for GrantOn {
    fn from(kind: ObjectKind) -> Self {
        GrantOn::Object(kind)
    }
}

impl GrantOn {
    fn privileges(self) -> &'static [Privilege] {
        match self {
            GrantOn::Object(kind) => kind.privileges(),
            GrantOn::Column => &[
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::References,
            ],
        }
    }

    fn name(self) -> &'static str {
        match self {
            GrantOn::Object(kind) => kind.name(),
            GrantOn::Column => "column",
        }
    }

    fn a_kind(self) -> &'static str {
        match self {
            GrantOn::Object(kind) => a_kind(kind),
            GrantOn::Column => "a column",
        }
    }
}

fn a_kind(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Database => "a database",
        ObjectKind::Schema => "a schema",
        ObjectKind::Table => "a table",
        ObjectKind::Sequence => "a sequence",
        ObjectKind::Function => "a function",
    }
}

fn help_table(section: &str) -> String {
    match section {
        "roles" | "schemas" => format!("declare entries as tables, e.g. [{section}.name]"),
        "table_grants" | "sequence_grants" | "function_grants" | "tables" | "sequences"
        | "enums" | "domains" => {
            format!("declare entries as tables, e.g. [{section}.\"schema.name\"]")
        }
        "extensions" => "declare entries as tables, e.g. [extensions.pgcrypto]".to_string(),
        _ => format!("declare it as a table: [{section}]"),
    }
}

/// The closest candidate, if close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                *c,
            )
        })
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn suggest_or_list(input: &str, known: &[&str]) -> String {
    match did_you_mean(input, known) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "expected one of {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A name as a TOML key, as `import` writes it: bare when possible, quoted otherwise.
pub(crate) fn toml_key(name: &str) -> String {
    crate::escape::toml_key(name)
}

fn valid_parameter_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
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
