//! Fingerprints of catalogs: one blake3 hash per managed object, so that a stale saved
//! plan names what changed ("role `app` changed; table `general.notes` appeared"), and
//! one hash of the desired state.
//!
//! Each object is hashed as the canonical JSON of everything pgrecon reads about it
//! (attributes, owner, comment, ACL, settings, definition). The fingerprint's hash is one
//! stream over every object in a fixed order; the per-object hashes, which only explain
//! what changed, are computed when a plan is written out. Keys are `kind:name`, with
//! names quoted as in SQL when they need it. Tables are split into the table itself and
//! one entry per column, constraint, index and policy. Nothing time-dependent and no
//! secret goes in: a desired password enters as its source, a stored one not at all
//! (only a superuser may read it, and a plan made by a read-only role must fingerprint
//! the live catalog exactly as the role that applies it does).

use crate::checks::Check;
use crate::model::*;
use crate::sql::display_ident;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Per-object hashes are truncated to 128 bits: enough to tell that an object changed,
/// and it keeps saved plans of large catalogs small.
const OBJECT_HASH_HEX: usize = 32;

/// A fingerprint: one hash over every object in scope, how many there are, and (when
/// asked for: [`Detail::PerObject`]) the hash of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// blake3 of every object's `kind:name` and canonical JSON, in a fixed order.
    pub hash: String,
    /// How many objects the hash covers.
    pub count: usize,
    /// `kind:name` → blake3 (128 bits, hex) of the object's canonical JSON; empty unless
    /// computed with [`Detail::PerObject`].
    pub objects: BTreeMap<String, String>,
}

/// Whether a fingerprint keeps the hash of each object (to say which changed), or only
/// the hash over all of them (to tell whether anything did). A catalog of 10,000
/// tables has some 200,000 objects: the map costs more than the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Hash,
    PerObject,
}

/// What the live fingerprint covers: everything the desired state manages. Stored in
/// a saved plan so that apply fingerprints exactly the same objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintScope {
    /// Whether the database object (its grants, settings, comment) is managed.
    pub database: bool,
    /// Declared roles (external ones included: their existence matters).
    pub roles: BTreeSet<String>,
    /// `[scope] owned_roles`: undeclared roles that match are drift.
    pub role_patterns: Vec<String>,
    /// Declared schemas: the schema and everything in it.
    pub schemas: BTreeSet<String>,
    /// `[scope] owned_schemas`: undeclared schemas that match, and everything in them.
    pub schema_patterns: Vec<String>,
}

impl FingerprintScope {
    /// The scope the desired state manages.
    pub fn of(desired: &Catalog) -> Self {
        FingerprintScope {
            database: desired.database.is_some(),
            roles: desired
                .roles
                .keys()
                .filter(|r| !is_builtin_role(r))
                .cloned()
                .collect(),
            role_patterns: desired.scope.owned_role_patterns.clone(),
            schemas: desired.schemas.keys().cloned().collect(),
            schema_patterns: desired.scope.owned_schema_patterns.clone(),
        }
    }
}

/// How one object differs between two fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectChange {
    /// `role`, `schema`, `table`, `column`, …
    pub kind: String,
    /// As written in SQL: `general.notes`, `"Odd Name"`.
    pub name: String,
    pub change: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Changed,
    Appeared,
    Disappeared,
}

impl fmt::Display for ObjectChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.change {
            ChangeKind::Changed => "changed",
            ChangeKind::Appeared => "appeared",
            ChangeKind::Disappeared => "disappeared",
        };
        write!(f, "{} `{}` {what}", self.kind, self.name)
    }
}

/// What changed from `before` to `after`, in key order (both with per-object hashes;
/// else nothing can be named).
pub fn compare(before: &Fingerprint, after: &Fingerprint) -> Vec<ObjectChange> {
    if before.hash == after.hash {
        return Vec::new();
    }
    let keys: BTreeSet<&String> = before.objects.keys().chain(after.objects.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let change = match (before.objects.get(key), after.objects.get(key)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => ChangeKind::Changed,
            (None, Some(_)) => ChangeKind::Appeared,
            (Some(_), None) => ChangeKind::Disappeared,
            (None, None) => continue,
        };
        let (kind, name) = key.split_once(':').unwrap_or(("object", key.as_str()));
        out.push(ObjectChange {
            kind: kind.to_string(),
            name: name.to_string(),
            change,
        });
    }
    out
}

/// The fingerprint of the objects of a live catalog inside `scope`.
pub fn live(live: &Catalog, scope: &FingerprintScope, detail: Detail) -> Fingerprint {
    let roles = globs(&scope.role_patterns);
    let schemas = globs(&scope.schema_patterns);
    let filter = Filter {
        database: scope.database,
        role: Box::new(move |name: &str| {
            scope.roles.contains(name) || (!is_builtin_role(name) && roles.is_match(name))
        }),
        schema: Box::new(move |name: &str| {
            scope.schemas.contains(name) || (!is_system_schema(name) && schemas.is_match(name))
        }),
    };
    let mut sink = Hashes::new(detail);
    objects(live, &filter, &mut sink);
    sink.finish()
}

/// The fingerprint of every object of a catalog (a desired one: what it declares).
pub fn all(catalog: &Catalog) -> Fingerprint {
    let mut sink = Hashes::new(Detail::PerObject);
    objects(catalog, &Filter::everything(), &mut sink);
    sink.finish()
}

/// blake3 of the desired state: every declared object (canonical forms, password
/// sources but never secrets), in key order, then the scope and the checks. One stream
/// through one hasher: no per-object hash is needed here.
pub fn desired_hash(desired: &Catalog, checks: &[Check]) -> String {
    let mut stream = Stream::default();
    objects(desired, &Filter::everything(), &mut stream);
    let mut hasher = stream.finish();
    let tail = (&desired.scope, checks);
    serde_json::to_writer(&mut hasher, &tail).expect("the desired state serializes");
    if !desired.renamed_from.is_empty() {
        let renames: Vec<_> = desired.renamed_from.iter().collect();
        serde_json::to_writer(&mut hasher, &renames).expect("the desired state serializes");
    }
    hasher.finalize().to_hex().to_string()
}

/// Where the objects of a catalog go, in key order.
trait Sink {
    fn put<T: Serialize + ?Sized>(&mut self, kind: &str, name: &str, value: &T);
}

/// The stream hash of every object, and with [`Detail::PerObject`] each object's own
/// (its JSON is serialized once, into the stream's buffer, and hashed from there).
struct Hashes {
    stream: Stream,
    count: usize,
    map: Option<BTreeMap<String, String>>,
}

impl Hashes {
    fn new(detail: Detail) -> Self {
        Hashes {
            stream: Stream::default(),
            count: 0,
            map: (detail == Detail::PerObject).then(BTreeMap::new),
        }
    }

    fn finish(self) -> Fingerprint {
        Fingerprint {
            hash: self.stream.finish().finalize().to_hex().to_string(),
            count: self.count,
            objects: self.map.unwrap_or_default(),
        }
    }
}

impl Sink for Hashes {
    fn put<T: Serialize + ?Sized>(&mut self, kind: &str, name: &str, value: &T) {
        self.count += 1;
        let json = self.stream.put_value(kind, name, value);
        if let Some(map) = &mut self.map {
            let mut hex = blake3::hash(&self.stream.buf[json]).to_hex().to_string();
            hex.truncate(OBJECT_HASH_HEX);
            map.insert(format!("{kind}:{name}"), hex);
        }
        self.stream.flush_if_full();
    }
}

/// Every `kind:name` and value written to one hasher, through a buffer. The objects are
/// emitted grouped by kind, in a fixed order, each group in key order: deterministic.
#[derive(Default)]
struct Stream {
    hasher: blake3::Hasher,
    buf: Vec<u8>,
}

impl Stream {
    const FLUSH_AT: usize = 1 << 16;

    fn finish(mut self) -> blake3::Hasher {
        self.hasher.update(&self.buf);
        self.hasher
    }
}

impl Stream {
    /// Appends `kind:name`, NUL, the value's JSON and a newline; returns where the JSON
    /// is in the buffer (valid until [`Stream::flush_if_full`]).
    fn put_value<T: Serialize + ?Sized>(
        &mut self,
        kind: &str,
        name: &str,
        value: &T,
    ) -> std::ops::Range<usize> {
        let b = &mut self.buf;
        for part in [kind.as_bytes(), b":", name.as_bytes(), b"\0"] {
            b.extend_from_slice(part);
        }
        let start = b.len();
        serde_json::to_writer(&mut *b, value).expect("catalog objects serialize");
        let end = b.len();
        b.push(b'\n');
        start..end
    }

    fn flush_if_full(&mut self) {
        if self.buf.len() >= Self::FLUSH_AT {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }
}

impl Sink for Stream {
    fn put<T: Serialize + ?Sized>(&mut self, kind: &str, name: &str, value: &T) {
        self.put_value(kind, name, value);
        self.flush_if_full();
    }
}

/// Invalid patterns match nothing here; `diff` reports them.
fn globs(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = Glob::new(p) {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

type NameFilter<'a> = Box<dyn Fn(&str) -> bool + 'a>;

struct Filter<'a> {
    database: bool,
    role: NameFilter<'a>,
    schema: NameFilter<'a>,
}

impl Filter<'_> {
    fn everything() -> Self {
        Filter {
            database: true,
            role: Box::new(|_| true),
            schema: Box::new(|_| true),
        }
    }
}

fn qualified(name: &QualifiedName) -> String {
    format!(
        "{}.{}",
        display_ident(&name.schema),
        display_ident(&name.name)
    )
}

fn part(table: &QualifiedName, name: &str) -> String {
    format!("{}.{}", qualified(table), display_ident(name))
}

#[derive(Serialize)]
struct DatabaseView<'a> {
    name: &'a Option<String>,
    owner: &'a Option<String>,
    comment: &'a Option<String>,
    acl: &'a Acl,
    settings: &'a BTreeMap<String, SettingValue>,
}

#[derive(Serialize)]
struct RoleView<'a> {
    external: bool,
    attributes: &'a RoleAttributes,
    comment: &'a Option<String>,
    password: String,
    member_of: &'a BTreeMap<String, Membership>,
    settings: &'a BTreeMap<String, SettingValue>,
    database_settings: &'a BTreeMap<String, SettingValue>,
    confinement: &'a Option<Confinement>,
}

#[derive(Serialize)]
struct SchemaView<'a> {
    manage_tables: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    manage_all: bool,
    owner: &'a Option<String>,
    comment: &'a Option<String>,
    acl: &'a Acl,
    object_grants: &'a BTreeMap<ObjectKind, Acl>,
}

/// A relation: its owner and grants, plus the table's own properties (its columns,
/// constraints, indexes, policies and triggers are entries of their own) or the sequence's
/// definition.
#[derive(Serialize)]
struct RelationView<'a> {
    owner: Option<&'a Option<String>>,
    acl: Option<&'a Acl>,
    table: Option<TableView<'a>>,
    sequence: Option<&'a Sequence>,
    /// A view's definition (absent for other relations, whose hashes it leaves alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    view: Option<ViewDefinition<'a>>,
}

/// What a view is, without what it reads (ordering only).
#[derive(Serialize)]
struct ViewDefinition<'a> {
    definition: &'a str,
    columns: &'a [ViewColumn],
    security_barrier: bool,
    security_invoker: bool,
    check_option: &'a Option<String>,
    storage: &'a BTreeMap<String, String>,
    with_data: bool,
    comment: &'a Option<String>,
    column_comments: &'a BTreeMap<String, String>,
    indexes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    index_comments: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct TableView<'a> {
    renamed_from: &'a Option<String>,
    comment: &'a Option<String>,
    unlogged: bool,
    row_level_security: bool,
    force_row_level_security: bool,
    partition_by: &'a Option<String>,
    partition_of: &'a Option<PartitionOf>,
    /// Left out when empty: the fingerprints of tables without parents stay as they were.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    inherits: &'a [QualifiedName],
    /// Column order is part of a table's definition.
    column_order: Vec<&'a str>,
}

#[derive(Serialize)]
struct FunctionView<'a> {
    owner: &'a Option<String>,
    acl: &'a Acl,
    /// The whole definition (a changed body is a changed function) and the comment.
    definition: &'a Option<RoutineDefinition>,
    comment: &'a Option<String>,
}

fn password_view(p: &Password) -> String {
    match p {
        Password::Unmanaged => "unmanaged".to_string(),
        Password::Desired { source, .. } => format!("desired: {source}"),
        // Whether a verifier is stored, and which, only a superuser may read: a plan
        // made by a read-only role must fingerprint the live catalog as a superuser's
        // apply does. A password changed since the plan is caught by apply itself,
        // which compares the declared secret with the stored verifier in its
        // transaction.
        Password::Unreadable | Password::Absent | Password::Stored(_) => "live".to_string(),
    }
}

fn objects(c: &Catalog, filter: &Filter<'_>, out: &mut impl Sink) {
    if filter.database
        && let Some(db) = &c.database
    {
        let view = DatabaseView {
            name: &db.name,
            owner: &db.owner,
            comment: &db.comment,
            acl: &db.acl,
            settings: &db.settings,
        };
        let name = db.name.as_deref().map(display_ident).unwrap_or_default();
        out.put("database", &name, &view);
    }
    for (name, r) in c.roles.iter().filter(|(n, _)| (filter.role)(n)) {
        let view = RoleView {
            external: r.external,
            attributes: &r.attributes,
            comment: &r.comment,
            password: password_view(&r.password),
            member_of: &r.member_of,
            settings: &r.settings,
            database_settings: &r.database_settings,
            confinement: &r.confinement,
        };
        out.put("role", &display_ident(name), &view);
    }
    for (name, s) in c.schemas.iter().filter(|(n, _)| (filter.schema)(n)) {
        let view = SchemaView {
            manage_tables: s.manage_tables,
            manage_all: s.manage_all,
            owner: &s.owner,
            comment: &s.comment,
            acl: &s.acl,
            object_grants: &s.object_grants,
        };
        out.put("schema", &display_ident(name), &view);
    }

    let in_scope = |n: &QualifiedName| (filter.schema)(&n.schema);
    let names: BTreeSet<&QualifiedName> = c
        .relations
        .keys()
        .chain(c.tables.keys())
        .chain(c.sequences.keys())
        .chain(c.views.keys())
        .filter(|n| in_scope(n))
        .collect();
    for name in names {
        let relation = c.relations.get(name);
        let table = c.tables.get(name);
        let sequence = c.sequences.get(name);
        let kind = match (relation, table, sequence) {
            (Some(r), _, _) => r.kind.describe(),
            (None, Some(t), _) if t.partition_by.is_some() => "partitioned table",
            (None, Some(_), _) => "table",
            _ => "sequence",
        };
        let view = RelationView {
            owner: relation.map(|r| &r.owner),
            acl: relation.map(|r| &r.acl),
            table: table.map(|t| TableView {
                renamed_from: &t.renamed_from,
                comment: &t.comment,
                unlogged: t.unlogged,
                row_level_security: t.row_level_security,
                force_row_level_security: t.force_row_level_security,
                partition_by: &t.partition_by,
                partition_of: &t.partition_of,
                inherits: &t.inherits,
                column_order: t.columns.iter().map(|c| c.name.as_str()).collect(),
            }),
            sequence,
            view: c.views.get(name).map(|v| ViewDefinition {
                definition: &v.definition,
                columns: &v.columns,
                security_barrier: v.security_barrier,
                security_invoker: v.security_invoker,
                check_option: &v.check_option,
                storage: &v.storage,
                with_data: v.with_data,
                comment: &v.comment,
                column_comments: &v.column_comments,
                indexes: &v.indexes,
                index_comments: &v.index_comments,
            }),
        };
        out.put(kind, &qualified(name), &view);
        if let Some(t) = table {
            for column in &t.columns {
                out.put("column", &part(name, &column.name), column);
            }
            for (n, constraint) in &t.constraints {
                out.put("constraint", &part(name, n), constraint);
            }
            for (n, index) in &t.indexes {
                out.put("index", &part(name, n), index);
            }
            for (n, policy) in &t.policies {
                out.put("policy", &part(name, n), policy);
            }
            for (n, trigger) in &t.triggers {
                out.put("trigger", &part(name, n), trigger);
            }
        }
        // A view's triggers: entries of their own, like a table's.
        for (n, trigger) in c.views.get(name).into_iter().flat_map(|v| &v.triggers) {
            out.put("trigger", &part(name, n), trigger);
        }
    }
    for (id, f) in c
        .functions
        .iter()
        .filter(|(id, _)| (filter.schema)(&id.schema))
    {
        let kind = if f.is_procedure {
            "procedure"
        } else {
            "function"
        };
        let view = FunctionView {
            owner: &f.owner,
            acl: &f.acl,
            definition: &f.definition,
            comment: &f.comment,
        };
        out.put(kind, &id.to_string(), &view);
    }
    for (name, e) in c.enums.iter().filter(|(n, _)| in_scope(n)) {
        out.put("enum", &qualified(name), e);
    }
    for (name, d) in c.domains.iter().filter(|(n, _)| in_scope(n)) {
        out.put("domain", &qualified(name), d);
    }
    for (name, x) in c.collations.iter().filter(|(n, _)| in_scope(n)) {
        out.put("collation", &qualified(name), x);
    }
    for (name, t) in c.composite_types.iter().filter(|(n, _)| in_scope(n)) {
        out.put("composite type", &qualified(name), t);
    }
    for (name, r) in c.range_types.iter().filter(|(n, _)| in_scope(n)) {
        out.put("range type", &qualified(name), r);
    }
    for (name, e) in &c.extensions {
        out.put("extension", &display_ident(name), e);
    }
    for (key, acl) in c
        .default_privileges
        .iter()
        .filter(|(k, _)| (filter.schema)(&k.schema))
    {
        let name = format!(
            "{} on {} in schema {}",
            display_ident(&key.for_role),
            key.kind.plural_keyword().to_ascii_lowercase(),
            display_ident(&key.schema)
        );
        out.put("default privileges", &name, acl);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut c = Catalog {
            database: Some(Database {
                name: Some("app".into()),
                ..Database::default()
            }),
            ..Catalog::default()
        };
        c.roles.insert("app".into(), Role::new("app"));
        c.roles.insert("stranger".into(), Role::new("stranger"));
        c.schemas.insert("general".into(), Schema::new("general"));
        c.schemas.insert("other".into(), Schema::new("other"));
        let notes = QualifiedName::new("general", "notes");
        let mut table = Table::new(notes.clone());
        table.columns.push(Column::new("id", "bigint"));
        c.tables.insert(notes.clone(), table);
        c.relations.insert(
            notes.clone(),
            Relation {
                name: notes,
                kind: RelationKind::Table,
                owner: Some("app".into()),
                acl: Acl::default(),
            },
        );
        c
    }

    fn scope() -> FingerprintScope {
        FingerprintScope {
            database: false,
            roles: ["app".to_string()].into(),
            role_patterns: vec![],
            schemas: ["general".to_string()].into(),
            schema_patterns: vec![],
        }
    }

    #[test]
    fn only_the_managed_scope_is_fingerprinted() {
        let fp = live(&catalog(), &scope(), Detail::PerObject);
        let keys: Vec<&str> = fp.objects.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "column:general.notes.id",
                "role:app",
                "schema:general",
                "table:general.notes"
            ]
        );
        // Changes outside the scope leave it alone.
        let mut c = catalog();
        c.roles.get_mut("stranger").unwrap().attributes.login = true;
        c.schemas.get_mut("other").unwrap().comment = Some("x".into());
        assert_eq!(live(&c, &scope(), Detail::PerObject), fp);
    }

    #[test]
    fn the_hash_alone_is_the_hash_with_objects() {
        let detailed = live(&catalog(), &scope(), Detail::PerObject);
        let hash_only = live(&catalog(), &scope(), Detail::Hash);
        assert_eq!(hash_only.hash, detailed.hash);
        assert_eq!(hash_only.count, detailed.objects.len());
        assert!(hash_only.objects.is_empty());
        // Any change in scope changes the hash, with or without the objects.
        let mut c = catalog();
        c.roles.get_mut("app").unwrap().attributes.login = true;
        assert_ne!(live(&c, &scope(), Detail::Hash).hash, hash_only.hash);
    }

    #[test]
    fn a_changed_function_body_changes_its_fingerprint() {
        let id = FunctionId {
            schema: "general".into(),
            name: "f".into(),
            arguments: String::new(),
        };
        let with_body = |body: &str| {
            let mut c = catalog();
            let definition = RoutineDefinition {
                text: format!(
                    "CREATE OR REPLACE FUNCTION general.f()\n RETURNS integer\n \
                     LANGUAGE sql\nAS $function${body}$function$\n"
                ),
                arguments: String::new(),
                result: Some("integer".into()),
                language: "sql".into(),
                security_definer: false,
            };
            c.functions.insert(
                id.clone(),
                Function {
                    id: id.clone(),
                    is_procedure: false,
                    owner: Some("app".into()),
                    acl: Acl::default(),
                    definition: Some(definition),
                    comment: None,
                    used_by: Vec::new(),
                },
            );
            live(&c, &scope(), Detail::PerObject)
        };
        let changes: Vec<String> = compare(&with_body("SELECT 1"), &with_body("SELECT  1"))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changes, ["function `general.f()` changed"]);
        assert!(compare(&with_body("SELECT 1"), &with_body("SELECT 1")).is_empty());
    }

    #[test]
    fn changes_are_named() {
        let before = live(&catalog(), &scope(), Detail::PerObject);
        let mut c = catalog();
        c.roles.get_mut("app").unwrap().attributes.login = true;
        let notes = QualifiedName::new("general", "notes");
        c.tables
            .get_mut(&notes)
            .unwrap()
            .columns
            .push(Column::new("body", "text"));
        c.schemas.remove("general");
        let changes: Vec<String> = compare(&before, &live(&c, &scope(), Detail::PerObject))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            changes,
            [
                "column `general.notes.body` appeared",
                "role `app` changed",
                "schema `general` disappeared",
                "table `general.notes` changed",
            ]
        );
    }

    #[test]
    fn secrets_never_enter_and_hashes_are_stable() {
        let mut c = catalog();
        c.roles.get_mut("app").unwrap().password = Password::Desired {
            source: PasswordSource::Env("APP_PW".into()),
            secret: Some("hunter2".to_string().into()),
        };
        let a = desired_hash(&c, &[]);
        c.roles.get_mut("app").unwrap().password = Password::Desired {
            source: PasswordSource::Env("APP_PW".into()),
            secret: Some("another".to_string().into()),
        };
        assert_eq!(
            desired_hash(&c, &[]),
            a,
            "the secret is not part of the hash"
        );
        assert_eq!(a.len(), 64);
        c.roles.get_mut("app").unwrap().password = Password::Desired {
            source: PasswordSource::Env("OTHER".into()),
            secret: None,
        };
        assert_ne!(desired_hash(&c, &[]), a, "the source is");
    }
}
