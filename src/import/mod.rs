//! Live catalog → desired-state TOML: the inverse of `config`. What it writes plans back
//! as an empty plan: roles with every attribute, the database's grants and settings, and
//! per schema its owner, grants, the grants every object of a kind shares (which also
//! become the owner's default privileges) and the per-object exceptions, its tables
//! (columns, constraints, indexes, policies, partitioning, column grants), sequences,
//! enums and domains; extensions go to `extensions.toml`. What is declared in SQL goes
//! beside the schema's file: its functions and procedures to
//! `schema.<name>.functions.sql`, its collations, composite and range types to
//! `schema.<name>.types.sql`, its views and materialized views to
//! `schema.<name>.views.sql`, its tables' triggers to `schema.<name>.triggers.sql`.
//! Objects pgrecon does not manage (rules, aggregates, …) are listed in the report as
//! "unmanaged, left alone". A schema is written as managed whole (`manage_all`) unless
//! an object of it was left out, and an import of every schema claims them all and the
//! extensions (`[scope] owned_schemas`, `owned_extensions`), so that a schema or an
//! extension it did not see is drift.

mod columns;
mod constraints;
mod database;
mod default_privileges;
mod domains;
mod enums;
mod extensions;
mod functions;
mod grants;
mod indexes;
mod names;
mod policies;
mod roles;
mod schemas;
mod sequences;
mod tables;
#[cfg(test)]
mod tests;
mod triggers;
mod user_types;
mod values;
mod views;

use crate::model::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use values::file_stem;

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
    let (declarable, mut left_out) = names::declarable(live);
    let (declarable, views_left_out) = views::declarable(declarable);
    left_out.extend(views_left_out);
    let partial = schemas::partial(live, &declarable);
    // An import of every schema is the whole truth of the database's schemas and
    // extensions, unless one of them could not be written.
    let claims_schemas =
        options.schemas.is_empty() && declarable.schemas.len() == live.schemas.len();
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
    if claims_schemas {
        roles.push_str(SCOPE_ALL_SCHEMAS);
    }
    for role in live.roles.values() {
        roles::write_role(&mut roles, role, role.name == server.current_user);
        report.roles += 1;
    }
    files.push(("roles.toml".to_string(), roles));
    report.notes.push(
        "passwords are never imported; declare password = { env = \"VAR\" } where pgrecon \
         should manage one"
            .into(),
    );

    if let Some(db) = &live.database {
        files.push(("database.toml".to_string(), database::database_file(db)));
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
            extensions::write_extension(&mut out, e);
        }
        files.push(("extensions.toml".to_string(), out));
    }
    for u in &live.unmanaged {
        // Functions, procedures and views are imported with their definitions.
        if selected_names.contains(u.schema.as_str())
            && !matches!(
                u.kind.as_str(),
                "function" | "procedure" | "view" | "materialized view"
            )
        {
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
        let whole = !partial.contains(&schema.name);
        let (mut text, objects) = schemas::schema_file(live, schema, whole);
        text.push_str(&user_types::toml_entries(live, schema));
        report.tables += in_schema(&live.tables, &schema.name).count();
        report.schemas += 1;
        report.objects += objects;
        let mut file = format!("schema.{}.toml", file_stem(&schema.name));
        while !used_names.insert(file.clone()) {
            file = file.replace(".toml", "_.toml");
        }
        if let Some(sql) = user_types::sql_file(live, &schema.name) {
            files.push((file.replace(".toml", ".types.sql"), sql));
        }
        if let Some(sql) = functions::sql_file(live, &schema.name) {
            files.push((file.replace(".toml", ".functions.sql"), sql));
        }
        if let Some(sql) = triggers::triggers_file(live, &schema.name) {
            files.push((file.replace(".toml", ".triggers.sql"), sql));
        }
        if let Some(sql) = views::sql_file(live, &schema.name) {
            files.push((file.replace(".toml", ".views.sql"), sql));
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
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
        report.files.push(path);
    }
    Ok(report)
}

const HEADER: &str = "# written by pgrecon import\n\n";

const SCOPE_ALL_SCHEMAS: &str = "\
# The import read every schema and extension of the database: one not declared here is
# drift, dropped by `apply --prune`. Narrow a pattern (or remove it) to leave some alone.
[scope]
owned_schemas = [\"*\"]
owned_extensions = [\"*\"]

";
