//! The one DDL emitter: model objects → SQL text, for the pieces both the plan steps and
//! the canonicalisation's scratch statements write (sequence options, identity and
//! generated columns, collations, check constraints, enums, policies). Pure text, no
//! validation: callers check declared fragments first (`canon`) or pass canonical text
//! (`plan`).

pub mod column;
pub mod constraint;
pub mod enum_type;
pub mod policy;
pub mod sequence;

/// A `COLLATE` argument. Canonical names are SQL already (`"C"`, `ucs_basic`,
/// `public.german`); a bare name is quoted as written (collation names are
/// case-sensitive).
pub fn collation_sql(c: &str) -> String {
    if c.contains('"') || c.contains('.') {
        c.to_string()
    } else {
        format!("\"{}\"", c.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collations_are_quoted_when_bare() {
        assert_eq!(collation_sql("\"C\""), "\"C\"");
        assert_eq!(collation_sql("C"), "\"C\"");
        assert_eq!(collation_sql("public.german"), "public.german");
    }
}
