//! The comment on any object.

use crate::model::*;
use crate::plan::builder::{Builder, object_sql, shown};
use crate::plan::{Action, Node, phase};
use crate::sql::quote_literal;

pub(super) fn set_comment(object: &ObjectRef, from: &Option<String>, to: &Option<String>) -> Node {
    let mut b = Builder::default();
    let value = to.as_deref().map_or("NULL".to_string(), quote_literal);
    b.sql(format!("COMMENT ON {} IS {value}", object_sql(object)));
    b.details.push(format!(
        "comment: {} → {}",
        shown(from.as_deref()),
        shown(to.as_deref())
    ));
    b.require_object(object);
    let verb = if to.is_some() { "set" } else { "remove" };
    b.finish(
        phase::COMMENT,
        Action::Alter,
        object.clone(),
        format!("{verb} comment on {object}"),
    )
}
