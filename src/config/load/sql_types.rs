//! Collations, composite types and range types declared in `.sql` files
//! (`CREATE COLLATION`, `CREATE TYPE … AS (…)`, `CREATE TYPE … AS RANGE (…)`), and
//! their owner and comment in TOML (`[types."s.t"]`, `[collations."s.c"]`).
//!
//! Everything is read from the parse tree offline. Type names, operator classes,
//! functions and collations are kept as written (the text of their tokens in the
//! statement); canon brings them to the server's form.

use super::sql_files::SqlDecl;
use super::tables::TABLES_IN_MANAGED_SCHEMAS;
use super::*;
use crate::model::{
    Attribute, Collation, CollationProvider, CompositeType, ObjectRef, RangeType, TypeKind,
    default_multirange_name,
};
use pg_query::NodeEnum;
use pg_query::protobuf::{DefElem, Node};

/// What the walk keeps until every file is loaded.
#[derive(Default)]
pub(super) struct SqlTypes {
    /// The statement of each collation.
    collations: BTreeMap<QualifiedName, Span>,
    /// `[types."s.t"]` and `[collations."s.c"]` entries: (name, key span, owner, comment).
    type_meta: BTreeMap<QualifiedName, Meta>,
    collation_meta: BTreeMap<QualifiedName, Meta>,
}

struct Meta {
    key: Span,
    key_text: String,
    owner: Option<String>,
    comment: Option<String>,
    /// Types only: the declared grants.
    acl: Option<Acl>,
    renamed_from: Option<String>,
}

impl Loader {
    pub(super) fn walk_sql_type(&mut self, decl: &SqlDecl<'_>) {
        match decl.node {
            NodeEnum::DefineStmt(s) => self.sql_collation(decl, &s.defnames, &s.definition),
            NodeEnum::CompositeTypeStmt(s) => {
                let Some(var) = &s.typevar else { return };
                let span = decl.span_at(var.location, var.relname.len());
                let parts = [var.schemaname.clone(), var.relname.clone()];
                let Some(name) = self.sql_type_name(&parts, span, "TYPE", "t AS (…)") else {
                    return;
                };
                self.sql_composite(decl, name, span, &s.coldeflist);
            }
            NodeEnum::CreateRangeStmt(s) => {
                let parts = strings_of(&s.type_name);
                let span = decl.span();
                let Some(name) = self.sql_type_name(&parts, span, "TYPE", "r AS RANGE (…)")
                else {
                    return;
                };
                self.sql_range(decl, name, &s.params);
            }
            _ => {}
        }
    }

    /// A schema-qualified name, its schema recorded as referenced.
    fn sql_type_name(
        &mut self,
        parts: &[String],
        span: Span,
        keyword: &str,
        example: &str,
    ) -> Option<QualifiedName> {
        let parts: Vec<&String> = parts.iter().filter(|p| !p.is_empty()).collect();
        let name = match parts.as_slice() {
            [schema, name] => QualifiedName::new(schema.as_str(), name.as_str()),
            _ => {
                let what = if keyword == "COLLATION" {
                    "collation"
                } else {
                    "type"
                };
                self.err(
                    Diag::new(
                        ErrorKind::InvalidName,
                        format!("the {what} is not schema-qualified"),
                    )
                    .at(span, "name the schema here")
                    .help(format!("name the schema: CREATE {keyword} app.{example}")),
                );
                return None;
            }
        };
        let ok = self.check_identifier(&name.schema, span, "schema")
            & self.check_identifier(&name.name, span, "type");
        let what = if keyword == "COLLATION" {
            format!("collation `{name}`")
        } else {
            format!("type `{name}`")
        };
        self.schema_refs
            .push((name.schema.clone(), span, what, TABLES_IN_MANAGED_SCHEMAS));
        ok.then_some(name)
    }

    fn sql_collation(&mut self, decl: &SqlDecl<'_>, names: &[Node], options: &[Node]) {
        let parts = strings_of(names);
        let Some(name) = self.sql_type_name(&parts, decl.span(), "COLLATION", "c (locale = 'C')")
        else {
            return;
        };
        let mut c = Collation {
            name: name.clone(),
            owner: None,
            provider: CollationProvider::Libc,
            locale: None,
            lc_collate: None,
            lc_ctype: None,
            deterministic: true,
            comment: None,
        };
        let mut locale = None;
        for e in def_elems(options) {
            let span = decl.span_at(e.location, e.defname.len());
            let value = e.arg.as_deref().and_then(|a| arg_text(decl, a));
            if e.defname == "from" {
                self.sql_option_error(
                    span,
                    "CREATE COLLATION … FROM is not supported",
                    "write the collation's options: (provider = libc, locale = 'C')",
                );
                return;
            }
            let Some(value) = value else {
                self.sql_option_error(span, "option without a value", "give it a value");
                continue;
            };
            match e.defname.as_str() {
                "provider" => match CollationProvider::parse(&value.to_ascii_lowercase()) {
                    Some(p) => c.provider = p,
                    None => self.sql_option_error(
                        span,
                        &format!("unknown collation provider `{value}`"),
                        "use provider = libc, icu or builtin",
                    ),
                },
                "locale" => locale = Some(value),
                "lc_collate" => c.lc_collate = Some(value),
                "lc_ctype" => c.lc_ctype = Some(value),
                "deterministic" => match parse_bool(&value) {
                    Some(b) => c.deterministic = b,
                    None => self.sql_option_error(
                        span,
                        &format!("`deterministic = {value}` is not a boolean"),
                        "write deterministic = true or deterministic = false",
                    ),
                },
                other => self.sql_option_error(
                    span,
                    &format!("collation option `{other}` is not supported"),
                    "use provider, locale, lc_collate, lc_ctype and deterministic",
                ),
            }
        }
        if c.provider == CollationProvider::Libc {
            c.lc_collate = c.lc_collate.or_else(|| locale.clone());
            c.lc_ctype = c.lc_ctype.or(locale);
            if c.lc_collate.is_none() || c.lc_ctype.is_none() {
                self.sql_option_error(
                    decl.span(),
                    "a libc collation needs its locale",
                    "add locale = '…' (or lc_collate and lc_ctype)",
                );
            }
        } else {
            c.locale = locale;
            if c.locale.is_none() {
                self.sql_option_error(
                    decl.span(),
                    &format!(
                        "a collation with provider = {} needs its locale",
                        c.provider.as_sql()
                    ),
                    "add locale = '…'",
                );
            }
            c.lc_collate = None;
            c.lc_ctype = None;
        }
        let span = decl.span();
        if let Some(first) = self.sql_types.collations.get(&name).copied() {
            self.duplicate(
                span,
                first,
                &format!("collation `{name}`"),
                "CREATE COLLATION",
            );
            return;
        }
        self.sql_types.collations.insert(name.clone(), span);
        let location = self.sources.location(span);
        self.sources.collations.insert(name.clone(), location);
        self.catalog.collations.insert(name, c);
    }

    fn sql_composite(
        &mut self,
        decl: &SqlDecl<'_>,
        name: QualifiedName,
        span: Span,
        cols: &[Node],
    ) {
        let mut t = CompositeType {
            name: name.clone(),
            owner: None,
            attributes: Vec::new(),
            comment: None,
            acl: None,
        };
        for node in cols {
            let Some(NodeEnum::ColumnDef(c)) = node.node.as_ref() else {
                continue;
            };
            let at = decl.span_at(c.location, c.colname.len());
            if t.attribute(&c.colname).is_some() {
                self.sql_option_error(
                    at,
                    &format!("attribute `{}` is declared twice", c.colname),
                    "remove or rename one of them",
                );
                continue;
            }
            self.check_identifier(&c.colname, at, "attribute");
            let Some(type_name) = c
                .type_name
                .as_ref()
                .and_then(|t| type_text(decl, t.location))
            else {
                continue;
            };
            let collation = c
                .coll_clause
                .as_ref()
                .map(|cc| collation_text(&cc.collname));
            t.attributes.push(Attribute {
                name: c.colname.clone(),
                type_name,
                collation,
            });
        }
        if self.declare_type(&name, span, &name.to_string()) {
            self.catalog.composite_types.insert(name, t);
        }
    }

    fn sql_range(&mut self, decl: &SqlDecl<'_>, name: QualifiedName, params: &[Node]) {
        let mut r = RangeType {
            name: name.clone(),
            owner: None,
            subtype: String::new(),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: QualifiedName::new(&name.schema, default_multirange_name(&name.name)),
            comment: None,
            acl: None,
        };
        for e in def_elems(params) {
            let span = decl.span_at(e.location, e.defname.len());
            let arg = e.arg.as_deref();
            let text = match arg.and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::TypeName(t)) => type_text(decl, t.location),
                Some(_) => arg.and_then(|a| arg_text(decl, a)),
                None => None,
            };
            let Some(text) = text else {
                self.sql_option_error(span, "option without a value", "give it a value");
                continue;
            };
            match e.defname.as_str() {
                "subtype" => r.subtype = text,
                "subtype_opclass" => r.subtype_opclass = Some(text),
                "collation" => r.collation = Some(text),
                "canonical" => r.canonical = Some(text),
                "subtype_diff" => r.subtype_diff = Some(text),
                "multirange_type_name" => {
                    let parts = match arg.and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::TypeName(t)) => strings_of(&t.names),
                        _ => vec![text],
                    };
                    match parts.as_slice() {
                        [n] => r.multirange = QualifiedName::new(&name.schema, n),
                        [s, n] => r.multirange = QualifiedName::new(s, n),
                        _ => self.sql_option_error(
                            span,
                            "malformed multirange type name",
                            "write multirange_type_name = name or schema.name",
                        ),
                    }
                }
                other => self.sql_option_error(
                    span,
                    &format!("range type option `{other}` is not supported"),
                    "use subtype, subtype_opclass, collation, canonical, subtype_diff and \
                     multirange_type_name",
                ),
            }
        }
        if r.subtype.is_empty() {
            self.sql_option_error(
                decl.span(),
                "a range type needs its subtype",
                "add subtype = …",
            );
            return;
        }
        let span = decl.span();
        if self.declare_type(&name, span, &name.to_string()) {
            if r.multirange != name {
                self.declare_type(&r.multirange, span, &r.multirange.to_string());
            }
            self.catalog.range_types.insert(name, r);
        }
    }

    fn sql_option_error(&mut self, span: Span, message: &str, help: &str) {
        self.err(
            Diag::new(ErrorKind::SqlStatement, message.to_string())
                .at(span, "here")
                .help(help.to_string()),
        );
    }

    /// `[types."s.t"]` or `[collations."s.c"]`: owner and comment of an object declared
    /// in a `.sql` file.
    pub(super) fn walk_sql_type_meta(&mut self, f: usize, k: &K<'_>, v: &V<'_>, collation: bool) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let (what, section) = if collation {
            ("collation", "collations")
        } else {
            ("type", "types")
        };
        let Some(name) = self.qualified_key(f, k, what, section, "app.t") else {
            return;
        };
        let ctx = format!("{what} `{key_text}`");
        let help = format!("declare it as a table: [{section}.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut meta = Meta {
            key: key_span,
            key_text: key_text.clone(),
            owner: None,
            comment: None,
            acl: None,
            renamed_from: None,
        };
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "owner" => meta.owner = self.owner_ref(f, value, &what),
                "comment" => meta.comment = non_empty(self.string(f, value, &what)),
                "renamed_from" => {
                    meta.renamed_from = self.previous_name(f, value, &what, &name.name, &ctx);
                }
                "grants" if !collation => {
                    meta.acl = Some(self.type_grants(f, value, &name, &ctx, &mut rec));
                }
                _ if collation => {
                    self.unknown_key(f, key, fields_of::<raw::RawCollation>(), Some(&ctx))
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawType>(), Some(&ctx)),
            }
        }
        let map = if collation {
            &mut self.sql_types.collation_meta
        } else {
            &mut self.sql_types.type_meta
        };
        if let Some(first) = map.get(&name) {
            let first = first.key;
            self.duplicate(key_span, first, &ctx, &format!("[{section}]"));
            return;
        }
        map.insert(name, meta);
        self.commit(rec);
    }

    /// Once every file is loaded: each TOML entry has its statement; owners default to
    /// the schema's.
    pub(super) fn finish_sql_types(&mut self) {
        let types = std::mem::take(&mut self.sql_types.type_meta);
        for (name, meta) in types {
            let c = &mut self.catalog;
            let (owner, comment, acl, kind) = if let Some(t) = c.composite_types.get_mut(&name) {
                (
                    &mut t.owner,
                    &mut t.comment,
                    &mut t.acl,
                    TypeKind::Composite,
                )
            } else if let Some(r) = c.range_types.get_mut(&name) {
                (&mut r.owner, &mut r.comment, &mut r.acl, TypeKind::Range)
            } else {
                let help = if c.enums.contains_key(&name) || c.domains.contains_key(&name) {
                    format!(
                        "the owner, comment and grants of an enum or domain go in its own entry \
                         ([enums.{0}] or [domains.{0}])",
                        toml_key(&meta.key_text)
                    )
                } else {
                    format!(
                        "declare the type in a .sql file: CREATE TYPE {} AS (…) or AS RANGE \
                         (…)",
                        crate::sql::qualified(&name.schema, &name.name)
                    )
                };
                self.missing_statement(&meta, "type", "CREATE TYPE", help);
                continue;
            };
            *owner = meta.owner;
            *comment = meta.comment;
            *acl = meta.acl;
            if let Some(old) = meta.renamed_from {
                c.renamed_from.insert(ObjectRef::Type { kind, name }, old);
            }
        }
        let collations = std::mem::take(&mut self.sql_types.collation_meta);
        for (name, meta) in collations {
            let Some(c) = self.catalog.collations.get_mut(&name) else {
                let help = format!(
                    "declare the collation in a .sql file: CREATE COLLATION {} (locale = …)",
                    crate::sql::qualified(&name.schema, &name.name)
                );
                self.missing_statement(&meta, "collation", "CREATE COLLATION", help);
                continue;
            };
            c.owner = meta.owner;
            c.comment = meta.comment;
            if let Some(old) = meta.renamed_from {
                let object = ObjectRef::Collation { name };
                self.catalog.renamed_from.insert(object, old);
            }
        }
        let schema_owner = |schemas: &BTreeMap<String, crate::model::Schema>, s: &str| {
            schemas.get(s).and_then(|s| s.owner.clone())
        };
        let c = &mut self.catalog;
        for (name, x) in c.collations.iter_mut() {
            x.owner = x
                .owner
                .take()
                .or_else(|| schema_owner(&c.schemas, &name.schema));
        }
        for (name, x) in c.composite_types.iter_mut() {
            x.owner = x
                .owner
                .take()
                .or_else(|| schema_owner(&c.schemas, &name.schema));
        }
        for (name, x) in c.range_types.iter_mut() {
            x.owner = x
                .owner
                .take()
                .or_else(|| schema_owner(&c.schemas, &name.schema));
        }
    }

    fn missing_statement(&mut self, meta: &Meta, what: &str, statement: &str, help: String) {
        self.err(
            Diag::new(
                ErrorKind::MissingKey,
                format!(
                    "{what} `{}` is not declared by a {statement} statement",
                    meta.key_text
                ),
            )
            .at(
                meta.key,
                format!("no {statement} in a .sql file declares it"),
            )
            .help(help),
        );
    }
}

fn def_elems(nodes: &[Node]) -> impl Iterator<Item = &DefElem> {
    nodes.iter().filter_map(|n| match n.node.as_ref() {
        Some(NodeEnum::DefElem(e)) => Some(&**e),
        _ => None,
    })
}

/// The `String` parts of a name list (`schema`, `name`).
fn strings_of(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// A `COLLATE` name: `"C"`, `app.ci`, quoted where needed.
fn collation_text(names: &[Node]) -> String {
    match strings_of(names).as_slice() {
        [schema, name] => crate::sql::qualified(schema, name),
        parts => parts
            .iter()
            .map(|p| crate::sql::quote_ident(p))
            .collect::<Vec<_>>()
            .join("."),
    }
}

/// A scalar option value: a string, number, keyword or one-part name.
fn arg_text(decl: &SqlDecl<'_>, node: &Node) -> Option<String> {
    Some(match node.node.as_ref()? {
        NodeEnum::String(s) => s.sval.clone(),
        NodeEnum::Integer(i) => i.ival.to_string(),
        NodeEnum::Float(f) => f.fval.clone(),
        NodeEnum::Boolean(b) => b.boolval.to_string(),
        NodeEnum::TypeName(t) => match strings_of(&t.names).as_slice() {
            [one] => one.clone(),
            _ => type_text(decl, t.location)?,
        },
        _ => return None,
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" | "t" => Some(true),
        "false" | "off" | "no" | "0" | "f" => Some(false),
        _ => None,
    }
}

/// The text of a type name (or function, operator class …) as written, from its first
/// token to the `,` or `)` that ends it, or a `COLLATE` clause.
fn type_text(decl: &SqlDecl<'_>, location: i32) -> Option<String> {
    use pg_query::protobuf::Token;
    let start = usize::try_from(location).ok()?;
    let scan = pg_query::scan(decl.text).ok()?;
    let mut depth = 0usize;
    let mut end = None;
    for t in scan
        .tokens
        .iter()
        .filter(|t| usize::try_from(t.start).is_ok_and(|s| s >= start))
    {
        let token = t.token;
        if token == Token::SqlComment as i32 || token == Token::CComment as i32 {
            continue;
        }
        if token == Token::Ascii40 as i32 || token == Token::Ascii91 as i32 {
            depth += 1;
        } else if token == Token::Ascii41 as i32 || token == Token::Ascii93 as i32 {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 && (token == Token::Ascii44 as i32 || token == Token::Collate as i32) {
            break;
        }
        end = usize::try_from(t.end).ok();
    }
    let text = decl.text.get(start..end?)?.trim();
    (!text.is_empty()).then(|| text.to_string())
}
