//! The relations a view's query names (`FROM s.t`, `JOIN v`, subqueries …), from the
//! parse tree: what config records offline as what a view reads, and what canon
//! rewrites to point a scratch view at scratch copies.

use pg_query::NodeRef;
use std::collections::BTreeSet;

/// One relation named in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelationRef {
    /// `None` when unqualified (resolved through `search_path`).
    pub schema: Option<String>,
    pub name: String,
    /// Byte offset of the name (its first part) in the query.
    pub location: usize,
    /// Written with a database name too (`db.s.t`).
    pub with_catalog: bool,
}

/// The relations `query` names and the names of its `WITH` queries (an unqualified
/// name may be one of those rather than a relation). `Err`: the parser's message.
pub(crate) fn query_relations(query: &str) -> Result<(Vec<RelationRef>, BTreeSet<String>), String> {
    let parsed =
        pg_query::parse(query, pg_query::ParserOptions::DEFAULT).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut ctes = BTreeSet::new();
    for (node, _, _, _) in parsed.protobuf.nodes() {
        match node {
            NodeRef::RangeVar(rv) => {
                let Ok(location) = usize::try_from(rv.location) else {
                    continue;
                };
                out.push(RelationRef {
                    schema: (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()),
                    name: rv.relname.clone(),
                    location,
                    with_catalog: !rv.catalogname.is_empty(),
                });
            }
            NodeRef::CommonTableExpr(cte) => {
                ctes.insert(cte.ctename.clone());
            }
            _ => {}
        }
    }
    out.sort_by_key(|r| r.location);
    out.dedup();
    Ok((out, ctes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_in_joins_subqueries_and_ctes() {
        let (refs, ctes) = query_relations(
            "WITH w AS (SELECT * FROM app.a) SELECT * FROM w JOIN b ON true \
             WHERE EXISTS (SELECT 1 FROM \"App\".\"C\")",
        )
        .unwrap();
        let names: Vec<(Option<&str>, &str)> = refs
            .iter()
            .map(|r| (r.schema.as_deref(), r.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (Some("app"), "a"),
                (None, "w"),
                (None, "b"),
                (Some("App"), "C")
            ]
        );
        assert!(ctes.contains("w"));
    }
}
