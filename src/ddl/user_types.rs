//! Collations, composite types and range types: the `CREATE` text both canon's scratch
//! copies and the plan write. Type names, collations, operator classes and functions are
//! SQL already (as written in a parsed `.sql` statement, or canonical).

use super::{Sink, collation_sql};
use crate::model::{Attribute, Collation, CollationProvider, CompositeType, QualifiedName};
use crate::model::{RangeType, default_multirange_name};
use crate::sql::{qualified, quote_ident, quote_literal};

/// `CREATE COLLATION s.c (provider = …, locale = … | lc_collate = …, lc_ctype = …,
/// deterministic = …)`.
pub fn create_collation(out: &mut impl Sink, name: &QualifiedName, c: &Collation) {
    out.text(&format!(
        "CREATE COLLATION {} (provider = {}",
        qualified(&name.schema, &name.name),
        c.provider.as_sql()
    ));
    if let Some(l) = &c.locale {
        out.text(", ");
        out.clause("locale".into(), &format!("locale = {}", quote_literal(l)));
    }
    if c.provider == CollationProvider::Libc {
        if let Some(l) = &c.lc_collate {
            out.text(", ");
            out.clause(
                "locale".into(),
                &format!("lc_collate = {}", quote_literal(l)),
            );
        }
        if let Some(l) = &c.lc_ctype {
            out.text(", ");
            out.clause("locale".into(), &format!("lc_ctype = {}", quote_literal(l)));
        }
    }
    if !c.deterministic {
        out.text(", deterministic = false");
    }
    out.text(")");
}

/// One attribute: `name type [COLLATE c]`.
pub fn attribute_sql(a: &Attribute) -> String {
    let mut s = format!("{} {}", quote_ident(&a.name), a.type_name);
    if let Some(c) = &a.collation {
        s.push_str(&format!(" COLLATE {}", collation_sql(c)));
    }
    s
}

/// `CREATE TYPE s.t AS (a type [COLLATE c], …)`, under the name `target`.
pub fn create_composite(out: &mut impl Sink, target: &QualifiedName, t: &CompositeType) {
    out.text(&format!(
        "CREATE TYPE {} AS (",
        qualified(&target.schema, &target.name)
    ));
    for (i, a) in t.attributes.iter().enumerate() {
        if i > 0 {
            out.text(", ");
        }
        out.clause(
            format!("attribute {}", quote_ident(&a.name)),
            &attribute_sql(a),
        );
    }
    out.text(")");
}

/// `CREATE TYPE s.r AS RANGE (subtype = …, …)`, under the name `target`; the multirange
/// type goes to `target`'s schema too when it is the range's own schema.
pub fn create_range(out: &mut impl Sink, target: &QualifiedName, r: &RangeType) {
    out.text(&format!(
        "CREATE TYPE {} AS RANGE (",
        qualified(&target.schema, &target.name)
    ));
    out.clause("subtype".into(), &format!("subtype = {}", r.subtype));
    let options = [
        ("subtype_opclass", &r.subtype_opclass),
        ("canonical", &r.canonical),
        ("subtype_diff", &r.subtype_diff),
    ];
    for (label, value) in options {
        if let Some(v) = value {
            out.text(", ");
            out.clause(label.into(), &format!("{label} = {v}"));
        }
    }
    if let Some(c) = &r.collation {
        out.text(", ");
        out.clause(
            "collation".into(),
            &format!("collation = {}", collation_sql(c)),
        );
    }
    if r.multirange.schema != r.name.schema
        || r.multirange.name != default_multirange_name(&r.name.name)
    {
        let schema = if r.multirange.schema == r.name.schema {
            &target.schema
        } else {
            &r.multirange.schema
        };
        out.text(", ");
        out.clause(
            "multirange_type_name".into(),
            &format!(
                "multirange_type_name = {}",
                qualified(schema, &r.multirange.name)
            ),
        );
    }
    out.text(")");
}
