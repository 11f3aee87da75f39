//! Functions and procedures declared in `.sql` files, and their `[functions."s.f(args)"]`
//! entries (owner, comment, grants).
//!
//! A statement's identity is derived offline from its parse tree (schema, name, the
//! types of its input parameters, built-in types spelled as the server prints them);
//! `[functions]` keys are normalised the same way, so `int` in the statement and
//! `integer` in the key name the same routine. Canonicalisation then replaces the
//! identity with the server's own (`oidvectortypes`), which differs only where the
//! statement names a type the parse tree cannot resolve (an unqualified user type).

use super::sql_files::SqlDecl;
use super::*;
use crate::config::routine_sql;
use crate::model::RoutineDefinition;
use pg_query::NodeEnum;

#[derive(Default)]
pub(super) struct Routines {
    /// Each statement's name span, by identity.
    declared: BTreeMap<FunctionId, Span>,
    /// `[functions]` entries, until every file is loaded.
    entries: Vec<Entry>,
}

struct Entry {
    id: FunctionId,
    key_text: String,
    key: Span,
    owner: Option<String>,
    comment: Option<String>,
    acl: Acl,
    renamed_from: Option<String>,
}

const DECLARED_SCHEMA: &str = "functions and procedures are only accepted in managed schemas";

impl Loader {
    pub(super) fn walk_sql_routine(&mut self, decl: &SqlDecl<'_>) {
        let NodeEnum::CreateFunctionStmt(stmt) = decl.node else {
            return;
        };
        let what = if stmt.is_procedure {
            "procedure"
        } else {
            "function"
        };
        let keyword = what.to_uppercase();
        let name_span = routine_sql::name_ranges(decl.text).map_or_else(
            || decl.span(),
            |(name, _)| Span::new(decl.file, decl.offset + name.start..decl.offset + name.end),
        );
        let parts = routine_sql::name_parts(stmt);
        let [schema, name] = parts.as_slice() else {
            let last = parts.last().cloned().unwrap_or_default();
            let message = if parts.len() > 2 {
                format!("{what} `{}` names a database", parts.join("."))
            } else {
                format!("{what} `{last}` is not schema-qualified")
            };
            self.err(
                Diag::new(ErrorKind::InvalidName, message)
                    .at(name_span, "name without its schema")
                    .help(format!(
                        "name the schema: CREATE {keyword} app.{} …",
                        crate::sql::quote_ident(&last)
                    )),
            );
            return;
        };
        self.check_identifier(schema, name_span, "schema");
        self.check_identifier(name, name_span, what);
        let id = FunctionId {
            schema: schema.clone(),
            name: name.clone(),
            arguments: routine_sql::identity_arguments(stmt),
        };
        self.schema_refs.push((
            schema.clone(),
            name_span,
            format!("{what} `{id}`"),
            DECLARED_SCHEMA,
        ));
        if let Some(first) = self.routines.declared.get(&id).copied() {
            self.err(
                Diag::new(
                    ErrorKind::Duplicate,
                    format!("{what} `{id}` is declared twice"),
                )
                .at(name_span, "declared again here")
                .also(first, "first declared here")
                .help("remove one of the two statements; overloads differ in their argument types"),
            );
            return;
        }
        self.routines.declared.insert(id.clone(), name_span);
        self.sources
            .functions
            .insert(id.clone(), self.sources.location(name_span));
        self.catalog.functions.insert(
            id.clone(),
            Function {
                id,
                is_procedure: stmt.is_procedure,
                owner: None,
                acl: Acl::default(),
                definition: Some(RoutineDefinition {
                    text: decl.text.to_string(),
                    arguments: String::new(),
                    result: None,
                    language: String::new(),
                    security_definer: false,
                }),
                comment: None,
                used_by: Vec::new(),
            },
        );
    }

    /// `[functions."s.f(args)"]`: owner, comment and grants of a routine of a `.sql` file.
    pub(super) fn walk_function(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key = self.sp(f, k.span());
        let Some(id) = parse_function_key(&key_text).and_then(|mut id| {
            id.arguments = routine_sql::key_arguments(&id.arguments)?;
            Some(id)
        }) else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidKey,
                    format!("malformed function signature `{key_text}`"),
                )
                .at(key, "expected \"schema.name(argument types)\"")
                .help(
                    "write the schema, the name and the argument types as \
                     pg_get_function_identity_arguments prints them, e.g. \
                     [functions.\"app.add(integer, integer)\"]",
                ),
            );
            return;
        };
        let ctx = format!("function `{key_text}`");
        let help = format!(
            "declare it as a table: [functions.{}]",
            crate::escape::toml_key(&key_text)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut entry = Entry {
            id,
            key_text,
            key,
            owner: None,
            comment: None,
            acl: Acl::default(),
            renamed_from: None,
        };
        let mut rec = Rec::default();
        for (k, value) in t.iter() {
            let key_name = k.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "owner" => entry.owner = self.owner_ref(f, value, &what),
                "comment" => entry.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    entry.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Function,
                        GrantSite::Function(entry.id.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    );
                }
                "renamed_from" => {
                    let own = entry.id.name.clone();
                    entry.renamed_from = self.previous_name(f, value, &what, &own, &ctx);
                }
                _ => self.unknown_key(f, k, fields_of::<raw::RawFunction>(), Some(&ctx)),
            }
        }
        if let Some(first) = self.routines.entries.iter().find(|e| e.id == entry.id) {
            let first = first.key;
            self.duplicate(key, first, &ctx, "[functions]");
            return;
        }
        self.commit(rec);
        self.routines.entries.push(entry);
    }

    /// Once every file is loaded: each `[functions]` entry onto its statement, owners
    /// defaulting to the schema's; a routine cannot also be in `function_grants`.
    pub(super) fn finish_routines(&mut self) {
        let entries = std::mem::take(&mut self.routines.entries);
        let declared = std::mem::take(&mut self.routines.declared);
        // `function_grants` keys, normalised as the statements' identities are.
        let granted: BTreeMap<FunctionId, Span> = self
            .function_spans
            .iter()
            .map(|(id, span)| {
                let mut id = id.clone();
                if let Some(a) = routine_sql::key_arguments(&id.arguments) {
                    id.arguments = a;
                }
                (id, *span)
            })
            .collect();
        for (id, span) in &declared {
            if let Some(grants) = granted.get(id) {
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!(
                            "function `{id}` is declared in a .sql file and in function_grants"
                        ),
                    )
                    .at(*grants, "grants declared here")
                    .also(*span, "declared here")
                    .help(format!(
                        "move its grants to [functions.{}]",
                        crate::escape::toml_key(&id.to_string())
                    )),
                );
            }
        }
        for e in entries {
            // A statement may name a type of its schema (or public) unqualified, which
            // the key names qualified, as the server prints it.
            let id = match declared.contains_key(&e.id) {
                true => e.id.clone(),
                false => declared
                    .keys()
                    .find(|d| same_signature(d, &e.id))
                    .unwrap_or(&e.id)
                    .clone(),
            };
            let Some(f) = self.catalog.functions.get_mut(&id) else {
                let candidates: Vec<String> = declared
                    .keys()
                    .filter(|d| d.schema == e.id.schema && d.name == e.id.name)
                    .map(ToString::to_string)
                    .collect();
                let help = match candidates.as_slice() {
                    [] => "declare it with a CREATE FUNCTION or CREATE PROCEDURE statement in a \
                           .sql file, or remove the entry"
                        .to_string(),
                    c => format!(
                        "the argument types differ from the declared {}: {}",
                        if c.len() == 1 { "one" } else { "ones" },
                        c.join("; ")
                    ),
                };
                self.err(
                    Diag::new(
                        ErrorKind::InvalidKey,
                        format!("function `{}` is not declared in a .sql file", e.key_text),
                    )
                    .at(e.key, "no CREATE statement declares it")
                    .help(help),
                );
                continue;
            };
            if f.definition.is_none() {
                continue;
            }
            f.owner = e.owner;
            f.comment = e.comment;
            f.acl = e.acl;
            if let Some(old) = e.renamed_from {
                let object = crate::model::ObjectRef::Function { id };
                self.catalog.renamed_from.insert(object, old);
            }
        }
        for id in declared.keys() {
            let owner = self
                .catalog
                .schemas
                .get(&id.schema)
                .and_then(|s| s.owner.clone());
            if let Some(f) = self.catalog.functions.get_mut(id)
                && f.owner.is_none()
            {
                f.owner = owner;
            }
        }
    }
}

/// Whether a `[functions]` key names a statement whose argument types are written
/// unqualified where the key qualifies them with the routine's schema or `public`.
fn same_signature(declared: &FunctionId, key: &FunctionId) -> bool {
    if declared.schema != key.schema || declared.name != key.name {
        return false;
    }
    let (d, k): (Vec<&str>, Vec<&str>) = (
        declared.arguments.split(", ").collect(),
        key.arguments.split(", ").collect(),
    );
    let schema = crate::sql::quote_ident(&declared.schema);
    d.len() == k.len()
        && d.iter().zip(&k).all(|(d, k)| {
            d == k
                || k.strip_prefix(schema.as_str())
                    .or_else(|| k.strip_prefix("public"))
                    .and_then(|rest| rest.strip_prefix('.'))
                    == Some(d)
        })
}
