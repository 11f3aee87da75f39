//! `inherits`: each parent is a declared table that is neither partitioned nor a
//! partition, named once, and no table inherits from itself through its parents.

use super::tables::Relational;
use super::*;

impl Loader {
    pub(super) fn validate_inherits(&self, rel: &Relational, diags: &mut Vec<Diag>) {
        for (name, decl) in &rel.tables {
            let mut seen = BTreeSet::new();
            for (parent, span) in &decl.inherits {
                let text = self.text_of(rel, parent);
                let child = &decl.key_text;
                let Some(p) = self.catalog.tables.get(parent) else {
                    diags.push(
                        Diag::new(
                            ErrorKind::UndeclaredTable,
                            format!("the parent `{text}` of table `{child}` is not declared"),
                        )
                        .at(*span, "not a declared table")
                        .help(format!(
                            "declare it under [tables.{}]; a table inherits from a declared table",
                            toml_key(&text)
                        )),
                    );
                    continue;
                };
                let wrong = if !seen.insert(parent) {
                    Some(("named twice", "name each parent once".to_string()))
                } else if parent == name || self.inherits_from(parent, name) {
                    Some((
                        "inherits from the table itself",
                        "remove the cycle from `inherits`".to_string(),
                    ))
                } else if p.partition_by.is_some() {
                    Some((
                        "a partitioned table",
                        format!(
                            "declare the table as a partition with partition_of = {{ parent = \
                             \"{text}\", bound = \"…\" }}"
                        ),
                    ))
                } else if p.partition_of.is_some() {
                    Some((
                        "a partition",
                        "a partition cannot be a parent: inherit from a table that is not \
                         partitioned"
                            .to_string(),
                    ))
                } else {
                    None
                };
                if let Some((label, help)) = wrong {
                    diags.push(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!("table `{child}` cannot inherit from `{text}`"),
                        )
                        .at(*span, label)
                        .help(help),
                    );
                }
            }
            if let (Some(_), Some((_, span))) = (&decl.parent, decl.inherits.first()) {
                diags.push(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!(
                            "partition `{}` cannot inherit from other tables",
                            decl.key_text
                        ),
                    )
                    .at(*span, "not allowed with `partition_of`")
                    .help("remove `inherits`: a partition inherits from its partitioned table"),
                );
            }
        }
    }

    /// Whether declared table `name` inherits, directly or not, from `ancestor`.
    fn inherits_from(&self, name: &QualifiedName, ancestor: &QualifiedName) -> bool {
        let mut pending = vec![name];
        let mut seen = BTreeSet::new();
        while let Some(n) = pending.pop() {
            if !seen.insert(n) {
                continue;
            }
            let Some(t) = self.catalog.tables.get(n) else {
                continue;
            };
            for p in &t.inherits {
                if p == ancestor {
                    return true;
                }
                pending.push(p);
            }
        }
        false
    }
}
