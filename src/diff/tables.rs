//! Diff of the relational layer: tables, columns, constraints, indexes, policies,
//! sequences, enums, domains, extensions. (In progress.)

use super::{Diff, DiffOptions};
use crate::model::Catalog;

/// A difference in the relational layer. One variant, one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChange {}

/// Appends the relational changes to `out`. Pure, like the rest of the diff.
pub(super) fn diff(_desired: &Catalog, _live: &Catalog, _options: &DiffOptions, _out: &mut Diff) {}
