//! The one DDL emitter: model objects → SQL text, for the pieces both the plan steps and
//! the canonicalisation's scratch statements write. Pure text, no validation: callers
//! check declared fragments first (`canon`) or pass canonical text (`plan`).

pub mod column;
pub mod constraint;
pub mod domain;
pub mod enum_type;
pub mod expression;
pub mod index;
pub mod policy;
pub mod sequence;
pub mod table;
pub mod trigger;
pub mod user_types;
pub mod view;

/// Where emitted SQL goes: plain text for the plan; canon's statement also keeps the
/// character range of each labelled clause, to name the clause a server error points at.
pub trait Sink {
    fn text(&mut self, text: &str);

    /// Appends `text`, the clause `label`.
    fn clause(&mut self, label: String, text: &str) {
        let _ = label;
        self.text(text);
    }
}

impl Sink for String {
    fn text(&mut self, text: &str) {
        self.push_str(text);
    }
}

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
