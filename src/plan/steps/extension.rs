//! Extensions: create, update (or recreate where no update path leads), move to another
//! schema, drop.

use crate::plan::builder::{Builder, extension_ref, ident};
use crate::plan::{Action, HazardKind, Key, Node, phase};
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

/// No update path leads to the declared version: drop it and create it at that version.
pub(super) fn recreate_extension(
    name: &str,
    schema: &Option<String>,
    from: &Option<String>,
    to: &str,
) -> Node {
    let mut b = Builder::default();
    b.sql(format!("DROP EXTENSION {}", quote_ident(name)));
    let mut sql = format!("CREATE EXTENSION {}", quote_ident(name));
    if let Some(s) = schema {
        sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
        b.requires.push(Key::Schema(s.clone()));
    }
    sql.push_str(&format!(" VERSION {}", quote_literal(to)));
    b.sql(sql);
    let from = from.as_deref().unwrap_or("?");
    b.details.push(format!("version: {from} → {to}"));
    b.hazard(
        HazardKind::DeletesData,
        format!(
            "the extension's scripts have no update path from version {from} to {to}: drops \
             it (its objects' data and grants included) and creates it again; fails if an \
             object outside it uses it (no CASCADE)"
        ),
    );
    b.requires.push(Key::Extension(name.to_string()));
    b.finish(
        phase::EXTENSION,
        Action::Alter,
        extension_ref(name),
        format!("recreate extension {} at version {to}", ident(name)),
    )
}

/// Undeclared, claimed by `[scope] owned_extensions`: after every object that may use it.
pub(super) fn drop_extension(name: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!("DROP EXTENSION {}", quote_ident(name)));
    b.hazard(
        HazardKind::DeletesData,
        format!(
            "drops extension {} and the objects it installed; fails if an object outside it \
             still uses it (no CASCADE)",
            ident(name)
        ),
    );
    b.drops.push(Key::Extension(name.to_string()));
    b.finish(
        phase::DROP_EXTENSION,
        Action::Drop,
        extension_ref(name),
        format!("drop extension {}", ident(name)),
    )
}
