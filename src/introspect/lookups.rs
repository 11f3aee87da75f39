//! Operator classes, collations, collatable types and operators, by oid: what the
//! column, index and constraint readers need to name keys, collations and operators.

use super::queries::qualified_unless_catalog;
use super::{IntrospectError, get, unexpected};
use std::collections::HashMap;
use tokio_postgres::Row;

/// Every operator class, collation, collatable type and operator, for the reader to
/// name index keys, column collations and exclusion operators: an opclass (`name` as
/// the `queries` documentation says) with its default flag, method and input type, to
/// tell whether it is the default for a column; a collation by oid (`regcollation`
/// text); a collatable type with its default collation (`type_collation`); an operator
/// as an `EXCLUDE` clause writes it.
pub fn opclasses_and_collations() -> String {
    format!(
        "SELECT 'opclass' AS kind, o.oid AS oid, {opclass} AS name,
                o.opcdefault AS is_default, o.opcmethod AS method, o.opcintype AS input_type,
                NULL::oid AS type_collation
         FROM pg_catalog.pg_opclass AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.opcnamespace
         UNION ALL
         SELECT 'collation', co.oid, co.oid::pg_catalog.regcollation::text,
                NULL, NULL, NULL, NULL
         FROM pg_catalog.pg_collation AS co
         UNION ALL
         SELECT 'type', t.oid, NULL, NULL, NULL, NULL, t.typcollation
         FROM pg_catalog.pg_type AS t
         WHERE t.typcollation <> 0
         UNION ALL
         SELECT 'operator', o.oid,
                CASE WHEN n.nspname = 'pg_catalog' THEN o.oprname::text
                     ELSE 'OPERATOR(' || pg_catalog.quote_ident(n.nspname::text) || '.'
                          || o.oprname::text || ')' END,
                NULL, NULL, NULL, NULL
         FROM pg_catalog.pg_operator AS o
         JOIN pg_catalog.pg_namespace AS n ON n.oid = o.oprnamespace",
        opclass = qualified_unless_catalog("n", "o.opcname"),
    )
}

/// Operator classes, collations and the default collation of collatable types, see
/// [`opclasses_and_collations`].
#[derive(Default)]
pub(super) struct Lookups {
    opclasses: HashMap<u32, Opclass>,
    /// The default opclass of (index method, input type).
    default_opclass: HashMap<(u32, u32), u32>,
    collations: HashMap<u32, String>,
    /// `typcollation` of every collatable type (others have none).
    type_collations: HashMap<u32, u32>,
    pub(super) operators: HashMap<u32, String>,
}

struct Opclass {
    name: String,
    is_default: bool,
    method: u32,
}

/// `DEFAULT_COLLATION_OID`: the database's default collation.
pub(super) const DEFAULT_COLLATION: u32 = 100;

impl Lookups {
    /// The opclass of an index key, `None` when it is the default one: the default
    /// opclass of the column's exact type, or, when the type has none (`varchar`,
    /// domains, enums, arrays), a default opclass the type is binary-compatible with
    /// (as `GetDefaultOpClass` resolves them). For an expression key (`column_type`
    /// unknown), any default opclass.
    pub(super) fn opclass(&self, oid: u32, column_type: Option<u32>) -> Option<String> {
        let opclass = self.opclasses.get(&oid)?;
        let is_default = opclass.is_default
            && column_type.is_none_or(|type_oid| {
                self.default_opclass
                    .get(&(opclass.method, type_oid))
                    .is_none_or(|&default| default == oid)
            });
        (!is_default).then(|| opclass.name.clone())
    }

    /// The name of collation `oid` unless it is `default` (the collation a column or
    /// key gets when none is written); 0 is no collation.
    pub(super) fn collation_unless(
        &self,
        what: &'static str,
        oid: u32,
        default: u32,
        object: &dyn Fn() -> String,
    ) -> Result<Option<String>, IntrospectError> {
        if oid == 0 || oid == default {
            return Ok(None);
        }
        self.collations
            .get(&oid)
            .cloned()
            .map(Some)
            .ok_or_else(|| unexpected(what, format!("{} uses unknown collation {oid}", object())))
    }

    /// The collation a column of type `type_oid` gets by default.
    pub(super) fn type_collation(&self, type_oid: u32) -> u32 {
        self.type_collations.get(&type_oid).copied().unwrap_or(0)
    }
}

pub(super) fn read_lookups(what: &'static str, rows: &[Row]) -> Result<Lookups, IntrospectError> {
    let mut lookups = Lookups::default();
    for row in rows {
        let kind: &str = get(what, row, "kind")?;
        let oid: u32 = get(what, row, "oid")?;
        match kind {
            "opclass" => {
                let is_default: bool = get(what, row, "is_default")?;
                let method: u32 = get(what, row, "method")?;
                let input_type: u32 = get(what, row, "input_type")?;
                if is_default {
                    lookups.default_opclass.insert((method, input_type), oid);
                }
                let opclass = Opclass {
                    name: get(what, row, "name")?,
                    is_default,
                    method,
                };
                lookups.opclasses.insert(oid, opclass);
            }
            "collation" => {
                lookups.collations.insert(oid, get(what, row, "name")?);
            }
            "type" => {
                lookups
                    .type_collations
                    .insert(oid, get(what, row, "type_collation")?);
            }
            "operator" => {
                lookups.operators.insert(oid, get(what, row, "name")?);
            }
            other => return Err(unexpected(what, format!("lookup kind {other:?}"))),
        }
    }
    Ok(lookups)
}
