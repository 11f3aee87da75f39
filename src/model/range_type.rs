//! Range types (`CREATE TYPE … AS RANGE (…)`) and the multirange type created with each.

use super::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeType {
    pub name: QualifiedName,
    pub owner: Option<String>,
    /// Canonical `format_type` of the subtype.
    pub subtype: String,
    /// Only when not the subtype's default B-tree operator class.
    pub subtype_opclass: Option<String>,
    /// Only when it differs from the subtype's own collation.
    pub collation: Option<String>,
    /// Functions, as `regproc` prints them.
    pub canonical: Option<String>,
    pub subtype_diff: Option<String>,
    /// The multirange type PostgreSQL creates with the range (declared, or its default
    /// name: `range` → `multirange` in the name, else `_multirange` appended).
    pub multirange: QualifiedName,
    pub comment: Option<String>,
    /// `USAGE` grants, without the owner's. Live: always read (`acldefault` when never
    /// granted on: `PUBLIC` `USAGE`). Desired: `None` when no grants are declared for it
    /// (nor `type_grants` on its schema), and then its ACL is left alone.
    pub acl: Option<super::Acl>,
}

/// The multirange type name PostgreSQL gives a range type declared without
/// `multirange_type_name` (`makeMultirangeTypeName`): the first `range` in the name
/// becomes `multirange`, else `_multirange` is appended; cut to 63 bytes.
pub fn default_multirange_name(range: &str) -> String {
    let mut name = match range.find("range") {
        Some(i) => format!("{}multi{}", &range[..i], &range[i..]),
        None => format!("{}_multirange", clip(range, 64 - 12)),
    };
    name.truncate(clip(&name, 63).len());
    name
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multirange_names_follow_postgres() {
        assert_eq!(default_multirange_name("floatrange"), "floatmultirange");
        assert_eq!(default_multirange_name("rangey"), "multirangey");
        assert_eq!(default_multirange_name("span"), "span_multirange");
        assert_eq!(default_multirange_name(&"x".repeat(63)).len(), 63);
    }
}
