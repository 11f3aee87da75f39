//! Owners of types and relations.

use super::{Change, Cx};
use crate::model::*;

impl Cx<'_> {
    pub(super) fn owner(
        &mut self,
        object: ObjectRef,
        want: Option<&String>,
        have: Option<&String>,
    ) {
        if let Some(want) = want
            && have != Some(want)
        {
            self.out.changes.push(Change::AlterOwner {
                object,
                from: have.cloned(),
                to: want.clone(),
            });
        }
    }

    /// Owner a new relation ends up with: the declared one, else the role running the plan.
    pub(super) fn new_owner<'b>(&'b self, declared: Option<&'b String>) -> Option<&'b str> {
        declared.map(String::as_str).or(self.current_user)
    }
}
