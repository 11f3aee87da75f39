//! `[enums."s.t"]` and `[domains."s.d"]`: one namespace per schema, shared with the
//! tables' row types.

use super::tables::TABLES_IN_MANAGED_SCHEMAS;
use super::*;
use crate::config::sql_check::SqlKind;
use crate::model::{Domain, EnumType};

impl Loader {
    pub(super) fn walk_enum(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "type", "enums", "general.mood") else {
            return;
        };
        let ctx = format!("enum `{key_text}`");
        let help = format!("declare it as a table: [enums.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut e = EnumType {
            name: name.clone(),
            owner: None,
            values: Vec::new(),
            comment: None,
            acl: None,
        };
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "values" => e.values = self.enum_values(f, value, &what),
                "owner" => e.owner = self.owner_ref(f, value, &what),
                "comment" => e.comment = non_empty(self.string(f, value, &what)),
                "grants" => e.acl = Some(self.type_grants(f, value, &name, &ctx, &mut rec)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawEnum>(), Some(&ctx)),
            }
        }
        if t.get("values").is_none() {
            self.missing_key(
                f,
                v,
                "values",
                &ctx,
                "values = [\"sad\", \"ok\", \"happy\"]",
            );
        }
        if self.declare_type(&name, key_span, &key_text) {
            self.commit(rec);
            self.catalog.enums.insert(name, e);
        }
    }

    fn enum_values(&mut self, f: usize, v: &V<'_>, what: &str) -> Vec<String> {
        let Some(items) = self.string_list(f, v, what) else {
            return Vec::new();
        };
        if items.is_empty() {
            self.empty_list(
                f,
                v,
                what,
                "list the labels, e.g. values = [\"sad\", \"ok\", \"happy\"]",
            );
        }
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (label, span) in items {
            if label.is_empty() || label.len() > MAX_IDENTIFIER_BYTES {
                self.err(
                    Diag::new(ErrorKind::InvalidValue, format!("invalid label in {what}"))
                        .at(
                            span,
                            if label.is_empty() {
                                "empty label".to_string()
                            } else {
                                format!("longer than {MAX_IDENTIFIER_BYTES} bytes")
                            },
                        )
                        .help(format!(
                            "enum labels are 1 to {MAX_IDENTIFIER_BYTES} bytes long"
                        )),
                );
                continue;
            }
            if let Some(first) = seen.get(&label) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("label `{label}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help("enum labels are unique: remove one of them"),
                );
                continue;
            }
            seen.insert(label.clone(), span);
            out.push(label);
        }
        out
    }

    pub(super) fn walk_domain(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "domain", "domains", "general.email") else {
            return;
        };
        let ctx = format!("domain `{key_text}`");
        let help = format!("declare it as a table: [domains.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut d = Domain {
            name: name.clone(),
            owner: None,
            base_type: String::new(),
            collation: None,
            not_null: false,
            default: None,
            checks: BTreeMap::new(),
            comment: None,
            acl: None,
        };
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "type" => {
                    let what = format!("the base type of {ctx}");
                    d.base_type = self
                        .sql_value(f, value, SqlKind::Type, &what)
                        .unwrap_or_default();
                }
                "not_null" => d.not_null = self.boolean(f, value, &what).unwrap_or(false),
                "default" => {
                    let what = format!("the default of {ctx}");
                    d.default = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "collation" => d.collation = non_empty(self.string(f, value, &what)),
                "checks" => {
                    let help = "write checks = { email_check = \"VALUE ~ '@'\" }";
                    if let Some(ct) = self.table(f, value, &what, Some(help.into())) {
                        for (ck, cv) in ct.iter() {
                            let check = ck.get_ref().to_string();
                            self.check_identifier(&check, self.sp(f, ck.span()), "constraint");
                            let what = format!("check `{check}` of {ctx}");
                            if let Some(expr) = self.sql_value(f, cv, SqlKind::Expression, &what) {
                                d.checks.insert(check, expr);
                            }
                        }
                    }
                }
                "owner" => d.owner = self.owner_ref(f, value, &what),
                "comment" => d.comment = non_empty(self.string(f, value, &what)),
                "grants" => d.acl = Some(self.type_grants(f, value, &name, &ctx, &mut rec)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawDomain>(), Some(&ctx)),
            }
        }
        if t.get("type").is_none() {
            self.missing_key(f, v, "type", &ctx, "type = \"text\"");
        }
        if self.declare_type(&name, key_span, &key_text) {
            self.commit(rec);
            self.catalog.domains.insert(name, d);
        }
    }

    /// `grants` of a type: `USAGE` by grantee, authoritative (`PUBLIC`'s default `USAGE`
    /// is revoked unless declared).
    pub(super) fn type_grants(
        &mut self,
        f: usize,
        v: &V<'_>,
        name: &QualifiedName,
        ctx: &str,
        rec: &mut Rec,
    ) -> Acl {
        self.grants(
            f,
            v,
            ObjectKind::Type,
            GrantSite::Type(name.clone()),
            &format!("the grants of {ctx}"),
            rec,
        )
    }

    /// Registers an enum or domain name; false (and an error) when it is taken.
    pub(super) fn declare_type(
        &mut self,
        name: &QualifiedName,
        span: Span,
        key_text: &str,
    ) -> bool {
        if let Some(other) = self.rel.types.get(name).copied() {
            // Sections are walked by name, not in file order.
            let (first, second) = ordered(other, span);
            let message = if first.file == second.file {
                format!("type `{key_text}` is declared twice")
            } else {
                format!("type `{key_text}` is declared in two files")
            };
            self.err(
                Diag::new(ErrorKind::Duplicate, message)
                    .at(second, "declared again here")
                    .also(first, "first declared here")
                    .help(
                        "enums and domains share one namespace per schema: remove or rename one \
                         of the two",
                    ),
            );
            return false;
        }
        self.rel.types.insert(name.clone(), span);
        self.sources
            .types
            .insert(name.clone(), self.sources.location(span));
        true
    }
}
