//! Which live tables the scratch copy needs. Canonicalising creates only the declared
//! objects whose text differs from the live text; they resolve names against the copy,
//! and so do the copy's own views, routines and types. A live table nothing of that
//! names is left out: on a catalog of thousands of tables, a plan that adds one would
//! otherwise copy every one of them before it starts.
//!
//! "Names" is decided on text, conservatively: a table is needed when its name occurs
//! anywhere (ASCII case folded, as PostgreSQL folds unquoted names) in the serialized
//! object, and, for a table or view, when that object is in the same schema or in
//! `public` or the text also holds the table's schema name (the only ways its name can
//! resolve there). Routines and types name tables from any schema (their bodies resolve
//! against a `search_path` the catalog does not record). A needed table brings in what
//! it names in turn (parents, referenced tables). Where the text cannot be trusted to
//! show a name (a Unicode-escaped identifier, a name with a quote, a backslash or a
//! control character, which serialization escapes), every table is needed.

use crate::canon;
use crate::model::*;
use aho_corasick::AhoCorasick;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The live tables the copy needs, or `None` for all of them.
pub(super) fn tables_needed(desired: &Catalog, live: &Catalog) -> Option<HashSet<QualifiedName>> {
    // JSON escapes these, so such a name would not show in the text as it is.
    let escaped = |c: char| c == '"' || c == '\\' || c < ' ';
    if live
        .tables
        .keys()
        .any(|n| [&n.schema, &n.name].iter().any(|s| s.contains(escaped)))
    {
        return None;
    }
    let index = Index::new(live)?;
    let mut found = Found {
        index: &index,
        live,
        needed: HashSet::new(),
        todo: Vec::new(),
    };
    let pending = canon::pending(desired, live);
    for t in &pending.tables {
        found.visit(&json(t)?, Some(&t.name.schema))?;
    }
    for v in pending.views.iter().copied().chain(live.views.values()) {
        found.visit(&json(v)?, Some(&v.name.schema))?;
    }
    for f in pending
        .functions
        .iter()
        .copied()
        .chain(live.functions.values())
    {
        found.visit(&json(&(&f.id, &f.definition))?, None)?;
    }
    for c in [desired, live] {
        for d in c.domains.values() {
            found.visit(&json(d)?, None)?;
        }
        for t in c.composite_types.values() {
            found.visit(&json(t)?, None)?;
        }
        for r in c.range_types.values() {
            found.visit(&json(r)?, None)?;
        }
    }
    for s in desired.sequences.values() {
        found.visit(&json(s)?, None)?;
    }
    while let Some(t) = found.todo.pop() {
        found.visit(&json(t)?, Some(&t.name.schema))?;
    }
    let needed = found.needed;
    Some(needed)
}

/// The tables found needed so far, and those whose own text is still to be read.
struct Found<'a> {
    index: &'a Index<'a>,
    live: &'a Catalog,
    needed: HashSet<QualifiedName>,
    todo: Vec<&'a Table>,
}

impl Found<'_> {
    /// Marks the tables `text` names as needed; `None` when it may hide names.
    fn visit(&mut self, text: &str, schema: Option<&str>) -> Option<()> {
        for name in self.index.named_in(text, schema)? {
            if self.needed.insert(name.clone()) {
                self.todo.push(&self.live.tables[name]);
            }
        }
        Some(())
    }
}

/// `live` with the tables outside `needed` left out, and what hangs on them: their
/// grants, and the `OWNED BY` of sequences owned by them.
pub(super) fn keep_tables(copy: &mut Catalog, needed: &HashSet<QualifiedName>) {
    copy.tables.retain(|name, _| needed.contains(name));
    let sequences = &copy.sequences;
    let tables = &copy.tables;
    copy.relations.retain(|name, r| match r.kind {
        RelationKind::Table | RelationKind::PartitionedTable => tables.contains_key(name),
        // An identity column's sequence is the table's; its grants do not matter to
        // how names resolve.
        RelationKind::Sequence => sequences.contains_key(name),
        _ => true,
    });
    for s in copy.sequences.values_mut() {
        if s.owned_by
            .as_ref()
            .is_some_and(|(t, _)| !needed.contains(t))
        {
            s.owned_by = None;
        }
    }
}

/// The folded JSON of `value`; `None` if it does not serialize (then every table is
/// needed).
fn json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut text = serde_json::to_string(value).ok()?;
    text.make_ascii_lowercase();
    Some(text)
}

/// The live tables by folded name, and an automaton finding those names in a text.
struct Index<'a> {
    names: AhoCorasick,
    /// For each pattern of `names`, the tables of that folded name.
    tables: Vec<Vec<&'a QualifiedName>>,
}

impl<'a> Index<'a> {
    fn new(live: &'a Catalog) -> Option<Self> {
        let mut by_name: HashMap<String, Vec<&'a QualifiedName>> = HashMap::new();
        for name in live.tables.keys() {
            by_name
                .entry(name.name.to_ascii_lowercase())
                .or_default()
                .push(name);
        }
        let (patterns, tables): (Vec<String>, Vec<Vec<&QualifiedName>>) =
            by_name.into_iter().unzip();
        let names = AhoCorasick::new(&patterns).ok()?;
        Some(Index { names, tables })
    }

    /// The tables named in `text` (folded). `schema`: the schema of the object the text
    /// belongs to when its names resolve there or in `public` only; `None` for any
    /// schema. `None` when the text may name tables in a way it does not show.
    fn named_in(&self, text: &str, schema: Option<&str>) -> Option<Vec<&'a QualifiedName>> {
        if text.contains("u&") {
            return None;
        }
        let mut out = Vec::new();
        let mut mentioned: HashMap<&str, bool> = HashMap::new();
        let mut seen: HashSet<usize> = HashSet::new();
        for m in self.names.find_overlapping_iter(text) {
            let pattern = m.pattern().as_usize();
            if !seen.insert(pattern) {
                continue;
            }
            for &name in &self.tables[pattern] {
                let resolves = match schema {
                    None => true,
                    Some(own) => {
                        name.schema == own
                            || name.schema == "public"
                            || *mentioned
                                .entry(name.schema.as_str())
                                .or_insert_with(|| text.contains(&name.schema.to_ascii_lowercase()))
                    }
                };
                if resolves {
                    out.push(name);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(schema: &str, name: &str) -> Table {
        Table::new(QualifiedName::new(schema, name))
    }

    fn live_with(names: &[(&str, &str)]) -> Catalog {
        let mut live = Catalog::default();
        for (s, n) in names {
            let t = table(s, n);
            live.tables.insert(t.name.clone(), t);
        }
        live
    }

    #[test]
    fn a_new_table_needs_only_what_it_names() {
        let live = live_with(&[
            ("sales", "orders"),
            ("billing", "orders"),
            ("sales", "items"),
            ("public", "lookup"),
        ]);
        let mut desired = Catalog::default();
        let mut t = table("sales", "extra");
        t.inherits = vec![QualifiedName::new("sales", "Orders")];
        desired.tables.insert(t.name.clone(), t);
        let needed = tables_needed(&desired, &live).expect("plain names");
        // Same schema: yes; another schema not named: no; `public`: only when named.
        assert!(needed.contains(&QualifiedName::new("sales", "orders")));
        assert!(!needed.contains(&QualifiedName::new("billing", "orders")));
        assert!(!needed.contains(&QualifiedName::new("sales", "items")));
        assert!(!needed.contains(&QualifiedName::new("public", "lookup")));
    }

    #[test]
    fn what_a_needed_table_names_is_needed_too() {
        let mut live = live_with(&[("a", "parent"), ("b", "grandparent"), ("b", "other")]);
        live.tables
            .get_mut(&QualifiedName::new("a", "parent"))
            .unwrap()
            .inherits = vec![QualifiedName::new("b", "grandparent")];
        let mut desired = Catalog::default();
        let mut t = table("a", "child");
        t.inherits = vec![QualifiedName::new("a", "parent")];
        desired.tables.insert(t.name.clone(), t);
        let needed = tables_needed(&desired, &live).expect("plain names");
        assert!(needed.contains(&QualifiedName::new("a", "parent")));
        assert!(needed.contains(&QualifiedName::new("b", "grandparent")));
        assert!(!needed.contains(&QualifiedName::new("b", "other")));
    }

    #[test]
    fn names_the_text_may_hide_need_everything() {
        for odd in ["with\"quote", "back\\slash", "new\nline"] {
            let live = live_with(&[("a", odd)]);
            assert!(tables_needed(&Catalog::default(), &live).is_none(), "{odd}");
        }
        let live = live_with(&[("a", "t")]);
        let mut desired = Catalog::default();
        let mut t = table("a", "x");
        t.comment = Some("U&\"\\0074\"".into());
        desired.tables.insert(t.name.clone(), t);
        assert!(tables_needed(&desired, &live).is_none());
    }

    #[test]
    fn keeping_tables_drops_their_grants_and_sequence_ownership() {
        let mut copy = live_with(&[("a", "kept"), ("a", "gone")]);
        for (name, kind) in [
            ("kept", RelationKind::Table),
            ("gone", RelationKind::Table),
            ("gone_id_seq", RelationKind::Sequence),
            ("v", RelationKind::View),
        ] {
            let name = QualifiedName::new("a", name);
            copy.relations.insert(
                name.clone(),
                Relation {
                    name,
                    kind,
                    owner: None,
                    acl: Acl::default(),
                },
            );
        }
        let seq = Sequence {
            name: QualifiedName::new("a", "serial_seq"),
            owner: None,
            data_type: "bigint".into(),
            options: SequenceOptions::default(),
            owned_by: Some((QualifiedName::new("a", "gone"), "n".into())),
            comment: None,
        };
        copy.sequences.insert(seq.name.clone(), seq);
        let needed = HashSet::from([QualifiedName::new("a", "kept")]);
        keep_tables(&mut copy, &needed);
        let kept: Vec<&str> = copy.relations.keys().map(|n| n.name.as_str()).collect();
        assert_eq!(kept, ["kept", "v"]);
        assert_eq!(copy.tables.len(), 1);
        assert!(copy.sequences.values().all(|s| s.owned_by.is_none()));
    }
}
