//! Steps for the relational layer. (In progress.)

use super::Node;
use crate::diff::tables::TableChange;

pub(super) fn node_for(change: &TableChange) -> Node {
    match *change {}
}
