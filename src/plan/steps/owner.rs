//! The owner of any object.

use crate::model::*;
use crate::plan::builder::{Builder, ident, object_sql};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn alter_owner(object: &ObjectRef, from: &Option<String>, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER {} OWNER TO {}",
        object_sql(object),
        quote_ident(to)
    ));
    b.details.push(format!(
        "owner: {} → {}",
        from.as_deref().map_or("(unknown)".into(), ident),
        ident(to)
    ));
    b.hazard(
        HazardKind::AuthorizationChange,
        format!("{} takes ownership of {object}", ident(to)),
    );
    b.require_object(object);
    b.requires.push(Key::Role(to.to_string()));
    if let Some(f) = from {
        b.requires.push(Key::Role(f.clone()));
    }
    b.finish(
        phase::OWNER,
        Action::Alter,
        object.clone(),
        format!("change owner of {object}"),
    )
}
