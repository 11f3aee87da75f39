//! Extensions: create, update, move to another schema.

use crate::plan::builder::{Builder, extension_ref, ident};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn create_extension(
    name: &str,
    schema: &Option<String>,
    version: &Option<String>,
) -> Node {
    let mut b = Builder::default();
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(name));
    if let Some(s) = schema {
        sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
        b.details.push(format!("schema: {}", ident(s)));
        b.requires.push(Key::Schema(s.clone()));
    }
    if let Some(v) = version {
        sql.push_str(&format!(" VERSION {}", quote_literal(v)));
        b.details.push(format!("version: {v}"));
    }
    b.sql(sql);
    b.creates.push(Key::Extension(name.to_string()));
    b.finish(
        phase::EXTENSION,
        Action::Create,
        extension_ref(name),
        format!("create extension {}", ident(name)),
    )
}

pub(super) fn update_extension(name: &str, from: &Option<String>, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER EXTENSION {} UPDATE TO {}",
        quote_ident(name),
        quote_literal(to)
    ));
    b.details.push(format!(
        "version: {} → {to}",
        from.as_deref().unwrap_or("?")
    ));
    b.requires.push(Key::Extension(name.to_string()));
    b.finish(
        phase::EXTENSION,
        Action::Alter,
        extension_ref(name),
        format!("update extension {} to version {to}", ident(name)),
    )
}

pub(super) fn set_extension_schema(name: &str, from: &Option<String>, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER EXTENSION {} SET SCHEMA {}",
        quote_ident(name),
        quote_ident(to)
    ));
    b.details.push(format!(
        "schema: {} → {}",
        from.as_deref().map_or("?".into(), ident),
        ident(to)
    ));
    b.requires.extend([
        Key::Extension(name.to_string()),
        Key::Schema(to.to_string()),
    ]);
    b.finish(
        phase::EXTENSION,
        Action::Alter,
        extension_ref(name),
        format!("move extension {} to schema {}", ident(name), ident(to)),
    )
}
