//! Schemas: create and drop.

use crate::model::*;
use crate::plan::builder::{Builder, ident};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn create_schema(name: &str, owner: &Option<String>) -> Node {
    let mut b = Builder::default();
    let auth = owner.as_deref().map_or(String::new(), |o| {
        format!(" AUTHORIZATION {}", quote_ident(o))
    });
    b.sql(format!("CREATE SCHEMA {}{auth}", quote_ident(name)));
    if let Some(o) = owner {
        b.details.push(format!("owner: {}", ident(o)));
        b.requires.push(Key::Role(o.clone()));
    }
    b.creates.push(Key::Schema(name.to_string()));
    b.finish(
        phase::CREATE_SCHEMA,
        Action::Create,
        ObjectRef::schema(name),
        format!("create schema {}", ident(name)),
    )
}

pub(super) fn drop_schema(name: &str, contents: usize) -> Node {
    let mut b = Builder::default();
    if contents > 0 {
        b.sql(format!("DROP SCHEMA {} CASCADE", quote_ident(name)));
    } else {
        b.sql(format!("DROP SCHEMA {}", quote_ident(name)));
    }
    b.hazard(
        HazardKind::DeletesData,
        format!(
            "drops schema {} and the {contents} object{} in it",
            ident(name),
            if contents == 1 { "" } else { "s" },
        ),
    );
    b.drops.push(Key::Schema(name.to_string()));
    b.finish(
        phase::DROP_SCHEMA,
        Action::Drop,
        ObjectRef::schema(name),
        format!("drop schema {}", ident(name)),
    )
}
