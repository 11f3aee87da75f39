//! Grants and ACLs: `grants` of every object, and `[table_grants]`, `[sequence_grants]` and
//! `[function_grants]` for objects that are not declared themselves.

use super::*;

/// What privileges are granted on: a kind of object, or a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GrantOn {
    Object(ObjectKind),
    Column,
}

impl Loader {
    pub(super) fn walk_relation_grants(
        &mut self,
        f: usize,
        kind: RelationKind,
        k: &K<'_>,
        v: &V<'_>,
    ) {
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
            GrantSite::Relation(name.clone()),
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

    pub(super) fn walk_function_grants(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
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
            GrantSite::Function(id.clone()),
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
                definition: None,
                comment: None,
                used_by: Vec::new(),
            },
        );
    }

    pub(super) fn grants(
        &mut self,
        f: usize,
        v: &V<'_>,
        kind: impl Into<GrantOn>,
        target: GrantSite,
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

    pub(super) fn privileges(&mut self, text: &str, span: Span, kind: GrantOn) -> Vec<Privilege> {
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
        ObjectKind::Type => "a type",
    }
}
