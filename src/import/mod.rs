//! Live catalog → desired-state TOML: the inverse of `config`. What it writes plans back
//! as an empty plan: roles with every attribute, the database's grants and settings, and
//! per schema its owner, grants, the grants every object of a kind shares (which also
//! become the owner's default privileges) and the per-object exceptions, its tables
//! (columns, constraints, indexes, policies, partitioning, column grants), sequences,
//! enums and domains; extensions go to `extensions.toml`. Objects pgrecon does not
//! manage (views, triggers, functions' bodies, …) are listed in the report as
//! "unmanaged, left alone".

mod names;
mod tables;

use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Schemas to import; empty means every non-system schema.
    pub schemas: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "schema `{}` does not exist in the database",
        crate::escape::text_line(.0)
    )]
    NoSuchSchema(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the live catalog has no server information")]
    NoServer,
}

/// What `import` wrote and what it left out.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub files: Vec<PathBuf>,
    pub roles: usize,
    pub schemas: usize,
    pub objects: usize,
    /// Tables declared with their definition (columns, constraints, indexes, …).
    pub tables: usize,
    pub notes: Vec<String>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "imported {} roles, {} schemas and {} tables ({} tables, views, sequences and \
             functions whose grants are managed)",
            self.roles, self.schemas, self.tables, self.objects
        )?;
        for file in &self.files {
            writeln!(f, "  wrote {}", file.display())?;
        }
        for n in &self.notes {
            // Notes quote live names, which may hold anything.
            writeln!(f, "  note: {}", crate::escape::text_line(n))?;
        }
        Ok(())
    }
}

/// Renders the files in memory: (file name, contents), in a fixed order.
pub fn render(
    live: &Catalog,
    options: &ImportOptions,
) -> Result<(Vec<(String, String)>, ImportReport), ImportError> {
    let server = live.server.as_ref().ok_or(ImportError::NoServer)?;
    let (declarable, left_out) = names::declarable(live);
    let live = &declarable;
    let selected: Vec<&Schema> = if options.schemas.is_empty() {
        live.schemas.values().collect()
    } else {
        options
            .schemas
            .iter()
            .map(|s| {
                live.schemas
                    .get(s)
                    .ok_or_else(|| ImportError::NoSuchSchema(s.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    let mut report = ImportReport {
        notes: left_out,
        ..ImportReport::default()
    };
    let mut files = Vec::new();

    let mut roles = String::from(HEADER);
    for role in live.roles.values() {
        write_role(&mut roles, role, role.name == server.current_user);
        report.roles += 1;
    }
    files.push(("roles.toml".to_string(), roles));
    report.notes.push(
        "passwords are never imported; declare password = { env = \"VAR\" } where pgrecon \
         should manage one"
            .into(),
    );

    if let Some(db) = &live.database {
        let mut out = String::from(HEADER);
        out.push_str("[database]\n");
        if let Some(c) = &db.comment {
            let _ = writeln!(out, "comment = {}", string(c));
        }
        let _ = writeln!(out, "grants = {}", grants(&db.acl));
        if !db.settings.is_empty() {
            let _ = writeln!(out, "settings = {}", settings(&db.settings));
        }
        files.push(("database.toml".to_string(), out));
    }

    let selected_names: BTreeSet<&str> = selected.iter().map(|s| s.name.as_str()).collect();
    // An extension goes where it is: a schema of the import, `public`, or (no `schema`)
    // a system schema, its own default.
    let mut extensions: Vec<Extension> = Vec::new();
    for e in live.extensions.values() {
        match e.schema.as_deref() {
            Some(s) if is_system_schema(s) => extensions.push(Extension {
                schema: None,
                ..e.clone()
            }),
            Some(s) if !selected_names.contains(s) && s != "public" => {
                report.notes.push(format!(
                    "extension {} is left out: it is installed in schema {}, which is not \
                     imported",
                    crate::sql::display_ident(&e.name),
                    crate::sql::display_ident(s)
                ));
            }
            _ => extensions.push(e.clone()),
        }
    }
    if !extensions.is_empty() {
        let mut out = String::from(HEADER);
        for e in &extensions {
            tables::write_extension(&mut out, e);
        }
        files.push(("extensions.toml".to_string(), out));
    }
    for u in &live.unmanaged {
        if selected_names.contains(u.schema.as_str()) {
            // Triggers and rules are named with their table already.
            let name = if matches!(u.kind.as_str(), "trigger" | "rule") {
                u.name.clone()
            } else {
                format!("{}.{}", crate::sql::display_ident(&u.schema), u.name)
            };
            report
                .notes
                .push(format!("unmanaged, left alone: {} {name}", u.kind));
        }
    }
    for t in live
        .tables
        .values()
        .filter(|t| selected_names.contains(t.name.schema.as_str()))
    {
        for (name, c) in &t.constraints {
            if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                && !selected_names.contains(references.schema.as_str())
            {
                report.notes.push(format!(
                    "foreign key {} of table {} references {references}, in schema {}, which \
                     is not imported: the desired state does not load until that table is \
                     declared; import schema {} too",
                    crate::sql::display_ident(name),
                    t.name,
                    crate::sql::display_ident(&references.schema),
                    crate::sql::display_ident(&references.schema),
                ));
            }
        }
    }

    let mut used_names = BTreeSet::new();
    for schema in selected {
        let (text, objects) = schema_file(live, schema);
        report.tables += live
            .tables
            .keys()
            .filter(|t| t.schema == schema.name)
            .count();
        report.schemas += 1;
        report.objects += objects;
        let mut file = format!("schema.{}.toml", file_stem(&schema.name));
        while !used_names.insert(file.clone()) {
            file = file.replace(".toml", "_.toml");
        }
        files.push((file, text));
    }
    Ok((files, report))
}

/// Writes the files into `dir` (created if needed).
pub fn write(
    live: &Catalog,
    options: &ImportOptions,
    dir: &Path,
) -> Result<ImportReport, ImportError> {
    let (files, mut report) = render(live, options)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io(&path))?;
        report.files.push(path);
    }
    Ok(report)
}

const HEADER: &str = "# written by pgrecon import\n\n";

fn write_role(out: &mut String, role: &Role, external: bool) {
    let _ = writeln!(out, "[roles.{}]", key(&role.name));
    if external {
        out.push_str("external = true  # the role pgrecon connects as is never altered\n");
        if let Some(c) = &role.comment {
            let _ = writeln!(out, "comment = {}", string(c));
        }
        out.push('\n');
        return;
    }
    let a = &role.attributes;
    let d = RoleAttributes::default();
    for (name, v, default) in [
        ("login", a.login, d.login),
        ("superuser", a.superuser, d.superuser),
        ("createdb", a.createdb, d.createdb),
        ("createrole", a.createrole, d.createrole),
        ("inherit", a.inherit, d.inherit),
        ("replication", a.replication, d.replication),
        ("bypassrls", a.bypassrls, d.bypassrls),
    ] {
        if v != default {
            let _ = writeln!(out, "{name} = {v}");
        }
    }
    if a.connection_limit != d.connection_limit {
        let _ = writeln!(out, "connection_limit = {}", a.connection_limit);
    }
    if let Some(v) = &a.valid_until {
        let _ = writeln!(out, "valid_until = {}", string(v));
    }
    if let Some(c) = &role.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if !role.member_of.is_empty() {
        let items: Vec<String> = role
            .member_of
            .iter()
            .map(|(r, m)| {
                if m.admin || m.inherit.is_some() || m.set.is_some() {
                    let mut parts = vec![format!("role = {}", string(r))];
                    if m.admin {
                        parts.push("admin = true".into());
                    }
                    if let Some(i) = m.inherit {
                        parts.push(format!("inherit = {i}"));
                    }
                    if let Some(s) = m.set {
                        parts.push(format!("set = {s}"));
                    }
                    format!("{{ {} }}", parts.join(", "))
                } else {
                    string(r)
                }
            })
            .collect();
        let _ = writeln!(out, "member_of = [{}]", items.join(", "));
    }
    if !role.settings.is_empty() {
        let _ = writeln!(out, "settings = {}", settings(&role.settings));
    }
    if !role.database_settings.is_empty() {
        let _ = writeln!(
            out,
            "database_settings = {}",
            settings(&role.database_settings)
        );
    }
    out.push('\n');
}

fn schema_file(live: &Catalog, schema: &Schema) -> (String, usize) {
    let mut out = String::from(HEADER);
    let _ = writeln!(out, "[schemas.{}]", key(&schema.name));
    if let Some(o) = &schema.owner {
        let _ = writeln!(out, "owner = {}", string(o));
    }
    if let Some(c) = &schema.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    let _ = writeln!(out, "grants = {}", grants(&schema.acl));

    // Objects of each kind with their ACLs.
    let mut by_kind: BTreeMap<ObjectKind, Vec<(String, &Acl)>> = BTreeMap::new();
    for r in live
        .relations
        .values()
        .filter(|r| r.name.schema == schema.name)
    {
        let k = qualified_key(&r.name.schema, &r.name.name);
        by_kind
            .entry(r.kind.object_kind())
            .or_default()
            .push((k, &r.acl));
    }
    for f in live
        .functions
        .values()
        .filter(|f| f.id.schema == schema.name)
    {
        let k = format!(
            "{}({})",
            qualified_key(&f.id.schema, &f.id.name),
            f.id.arguments
        );
        by_kind
            .entry(ObjectKind::Function)
            .or_default()
            .push((k, &f.acl));
    }
    let empty = Acl::default();
    let owner = schema.owner.clone().unwrap_or_default();
    let declared_keys: BTreeSet<String> = live
        .tables
        .keys()
        .chain(live.sequences.keys())
        .filter(|n| n.schema == schema.name)
        .map(|n| qualified_key(&n.schema, &n.name))
        .collect();
    let mut per_object = String::new();
    let mut explicit_defaults = String::new();
    let mut relational = String::new();
    let mut objects = 0;
    let schema_owner = schema.owner.as_deref();
    for e in live.enums.values().filter(|e| e.name.schema == schema.name) {
        tables::write_enum(&mut relational, e, schema_owner);
    }
    for d in live
        .domains
        .values()
        .filter(|d| d.name.schema == schema.name)
    {
        tables::write_domain(&mut relational, d, schema_owner);
    }
    let mut sequence_extras: BTreeMap<String, Acl> = BTreeMap::new();
    let mut table_extras: BTreeMap<String, Acl> = BTreeMap::new();
    for kind in [
        ObjectKind::Table,
        ObjectKind::Sequence,
        ObjectKind::Function,
    ] {
        let stored = live
            .default_privileges
            .get(&DefaultPrivilegeKey {
                for_role: owner.clone(),
                schema: schema.name.clone(),
                kind,
            })
            .unwrap_or(&empty);
        // What a new object of this kind gets; the shared grants can be at most that.
        let future = stored.union(&crate::diff::builtin_default(kind));
        let members = by_kind.get(&kind).map(Vec::as_slice).unwrap_or(&[]);
        let shared = members
            .iter()
            .fold(future.clone(), |acc, (_, acl)| acc.intersection(acl));
        let field = match kind {
            ObjectKind::Table => "table_grants",
            ObjectKind::Sequence => "sequence_grants",
            _ => "function_grants",
        };
        if !shared.is_empty() {
            let _ = writeln!(out, "{field} = {}", grants(&shared));
        }
        let extra_default = stored.minus(&shared).normalized();
        if !extra_default.is_empty() {
            write_default_block(
                &mut explicit_defaults,
                &schema.name,
                &owner,
                kind,
                &extra_default,
            );
        }
        for (k, acl) in members {
            objects += 1;
            let extra = acl.minus(&shared).normalized();
            // Declared tables and sequences carry their grants in their own entry.
            let declared = match kind {
                ObjectKind::Table => Some(&mut table_extras),
                ObjectKind::Sequence => Some(&mut sequence_extras),
                _ => None,
            };
            if let Some(map) = declared
                && declared_keys.contains(k)
            {
                map.insert(k.clone(), extra);
                continue;
            }
            if !extra.is_empty() {
                let _ = writeln!(per_object, "\n[{field}.{}]", string(k));
                for (grantee, privs) in &extra.0 {
                    let _ = writeln!(
                        per_object,
                        "{} = {}",
                        grantee_key(grantee),
                        privilege_value(privs)
                    );
                }
            }
        }
    }
    for (k, acl) in &live.default_privileges {
        if k.schema == schema.name && k.for_role != owner && !acl.is_empty() {
            write_default_block(
                &mut explicit_defaults,
                &schema.name,
                &k.for_role,
                k.kind,
                acl,
            );
        }
    }
    for seq in live
        .sequences
        .values()
        .filter(|q| q.name.schema == schema.name)
    {
        let k = qualified_key(&seq.name.schema, &seq.name.name);
        let owner = live
            .relations
            .get(&seq.name)
            .and_then(|r| r.owner.clone())
            .or_else(|| seq.owner.clone());
        let seq = Sequence {
            owner,
            ..seq.clone()
        };
        tables::write_sequence(&mut relational, &seq, schema_owner, sequence_extras.get(&k));
    }
    for t in live
        .tables
        .values()
        .filter(|t| t.name.schema == schema.name)
    {
        let k = qualified_key(&t.name.schema, &t.name.name);
        tables::write_table(
            &mut relational,
            t,
            live.relations.get(&t.name),
            schema_owner,
            table_extras.get(&k),
        );
    }
    out.push_str(&explicit_defaults);
    out.push_str(&relational);
    out.push_str(&per_object);
    (out, objects)
}

fn write_default_block(out: &mut String, schema: &str, role: &str, kind: ObjectKind, acl: &Acl) {
    let on = match kind {
        ObjectKind::Table => "tables",
        ObjectKind::Sequence => "sequences",
        _ => "functions",
    };
    let _ = writeln!(out, "\n[[schemas.{}.default_privileges]]", key(schema));
    let _ = writeln!(out, "for_role = {}", string(role));
    let _ = writeln!(out, "on = \"{on}\"");
    let _ = writeln!(out, "grants = {}", grants(acl));
}

fn qualified_key(schema: &str, name: &str) -> String {
    crate::sql::qualified(schema, name)
}

fn grants(acl: &Acl) -> String {
    let items: Vec<String> = acl
        .0
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(g, p)| format!("{} = {}", grantee_key(g), privilege_value(p)))
        .collect();
    if items.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

fn grantee_key(g: &Grantee) -> String {
    match g {
        Grantee::Public => "PUBLIC".into(),
        Grantee::Role(r) => key(r),
    }
}

/// `["SELECT"]`, or the detailed form when some privileges carry the grant option.
fn privilege_value(privs: &PrivilegeSet) -> String {
    let plain: Vec<String> = privs
        .iter()
        .filter(|(_, g)| !**g)
        .map(|(p, _)| format!("\"{p}\""))
        .collect();
    let grantable: Vec<String> = privs
        .iter()
        .filter(|(_, g)| **g)
        .map(|(p, _)| format!("\"{p}\""))
        .collect();
    match (plain.is_empty(), grantable.is_empty()) {
        (_, true) => format!("[{}]", plain.join(", ")),
        (true, false) => format!(
            "{{ privileges = [{}], with_grant_option = true }}",
            grantable.join(", ")
        ),
        // Mixed: `grantable` lists the privileges held WITH GRANT OPTION.
        (false, false) => format!(
            "{{ privileges = [{}], grantable = [{}] }}",
            plain.join(", "),
            grantable.join(", ")
        ),
    }
}

fn settings(values: &BTreeMap<String, SettingValue>) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|(k, v)| {
            let value = match v {
                SettingValue::Scalar(s) => string(s),
                SettingValue::List(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| string(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!("{} = {value}", key(k))
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A TOML key: bare when it can be, else a one-line escaped string.
fn key(name: &str) -> String {
    crate::escape::toml_key(name)
}

/// A TOML string on one line (line breaks and control characters escaped), so no name
/// or value can start a line of its own in the file a reviewer reads.
fn string(s: &str) -> String {
    crate::escape::toml_string(s)
}

fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
