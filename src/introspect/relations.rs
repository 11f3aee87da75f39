//! Relations of every kind (tables, views, sequences, …): owner and ACL.

use super::acl::{acl_join, read_acl};
use super::queries::{not_extension_member, user_schema};
use super::{IntrospectError, get, unexpected};
use crate::model::{QualifiedName, Relation, RelationKind, is_system_schema};
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Tables, partitioned tables, views, materialized views, foreign tables and sequences
/// (including identity and serial sequences) in the schemas `schemas()` returns,
/// without extension members.
pub fn relations() -> String {
    format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
                pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
                acl.grantees, acl.privileges, acl.grantable
         FROM pg_catalog.pg_class AS c
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         {acl}
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND {user_schema} AND {not_ext_rel} AND {not_ext_nsp}",
        acl = acl_join(
            "coalesce(c.relacl, pg_catalog.acldefault(\
                CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner))",
            "c.relowner"
        ),
        user_schema = user_schema("n"),
        not_ext_rel = not_extension_member("pg_class", "c.oid"),
        not_ext_nsp = not_extension_member("pg_namespace", "n.oid"),
    )
}

fn relation_kind(relkind: &str) -> Option<RelationKind> {
    Some(match relkind {
        "r" => RelationKind::Table,
        "p" => RelationKind::PartitionedTable,
        "v" => RelationKind::View,
        "m" => RelationKind::MaterializedView,
        "f" => RelationKind::ForeignTable,
        "S" => RelationKind::Sequence,
        _ => return None,
    })
}

pub(super) fn read_relations(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, Relation>, IntrospectError> {
    let mut relations = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let relkind: String = get(what, row, "kind")?;
        let kind = relation_kind(&relkind)
            .ok_or_else(|| unexpected(what, format!("relkind {relkind} of {name}")))?;
        let acl = read_acl(what, row, &|| format!("{} {name}", kind.describe()))?;
        let relation = Relation {
            kind,
            owner: Some(get(what, row, "owner")?),
            acl,
            name: name.clone(),
        };
        relations.insert(name, relation);
    }
    Ok(relations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relkinds_map_to_relation_kinds() {
        assert_eq!(relation_kind("r"), Some(RelationKind::Table));
        assert_eq!(relation_kind("S"), Some(RelationKind::Sequence));
        assert_eq!(relation_kind("i"), None);
    }
}
