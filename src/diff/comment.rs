//! Comments, for every kind of object.

use super::{Change, Cx};
use crate::model::*;

impl Cx<'_> {
    pub(super) fn comment(
        &mut self,
        object: ObjectRef,
        want: &Option<String>,
        have: &Option<String>,
    ) {
        if want != have {
            self.push(Change::SetComment {
                object,
                from: have.clone(),
                to: want.clone(),
            });
        }
    }
}
