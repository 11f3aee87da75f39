//! Collations, composite and range types: created under their real names when absent
//! live (scratch tables may use them), else copied into the scratch schema; read back
//! for their canonical text (`format_type`, `regcollation`, `regproc`, the ICU locale
//! as the server stores it).

use super::ddl::{Group, Stmt};
use super::work::Work;
use super::{CanonError, Declared};
use crate::ddl::user_types::{create_collation, create_composite, create_range};
use crate::model::*;

impl Work {
    fn target(&self, name: &QualifiedName, real: bool) -> QualifiedName {
        if real {
            name.clone()
        } else {
            self.scratch_name(name)
        }
    }

    /// Collations, then range types (before domains and composites, which may use them).
    pub(super) fn collation_and_range_statements(&self, desired: &Catalog) -> Vec<Group> {
        let mut groups = Vec::new();
        for (name, real) in &self.collations {
            let mut stmt = Stmt::new();
            create_collation(
                &mut stmt,
                &self.target(name, *real),
                &desired.collations[name],
            );
            groups.push(group(
                format!("collation {name}"),
                Declared::Collation(name.clone()),
                name,
                stmt,
            ));
        }
        for (name, real) in &self.ranges {
            let mut stmt = Stmt::new();
            create_range(
                &mut stmt,
                &self.target(name, *real),
                &desired.range_types[name],
            );
            groups.push(group(
                format!("range type {name}"),
                Declared::Type(name.clone()),
                name,
                stmt,
            ));
        }
        groups
    }

    /// Composite types, each after the composite types of its attributes.
    pub(super) fn composite_statements(&self, desired: &Catalog) -> Vec<Group> {
        let mut groups = Vec::new();
        for (name, real) in composites_in_order(&self.composites, desired) {
            let (name, real) = (&name, &real);
            let mut stmt = Stmt::new();
            let t = &desired.composite_types[name];
            create_composite(&mut stmt, &self.target(name, *real), t);
            groups.push(group(
                format!("composite type {name}"),
                Declared::Type(name.clone()),
                name,
                stmt,
            ));
        }
        groups
    }

    pub(super) fn merge_user_types(
        &self,
        out: &mut Catalog,
        read_back: &Catalog,
        fix: &dyn Fn(&str) -> String,
    ) -> Result<(), CanonError> {
        let missing = |what: String| {
            CanonError::Database(format!(
                "the scratch copy of {what} was not found when reading it back; this is a bug"
            ))
        };
        for (name, real) in &self.collations {
            let rb = read_back
                .collations
                .get(&self.target(name, *real))
                .ok_or_else(|| missing(format!("collation {name}")))?;
            let c = out.collations.get_mut(name).expect("desired collation");
            c.provider = rb.provider;
            c.locale = rb.locale.clone();
            c.lc_collate = rb.lc_collate.clone();
            c.lc_ctype = rb.lc_ctype.clone();
            c.deterministic = rb.deterministic;
        }
        for (name, real) in &self.composites {
            let rb = read_back
                .composite_types
                .get(&self.target(name, *real))
                .ok_or_else(|| missing(format!("composite type {name}")))?;
            let t = out.composite_types.get_mut(name).expect("desired type");
            t.attributes = rb
                .attributes
                .iter()
                .map(|a| Attribute {
                    name: a.name.clone(),
                    type_name: fix(&a.type_name),
                    collation: a.collation.as_deref().map(fix),
                })
                .collect();
        }
        for (name, real) in &self.ranges {
            let at = self.target(name, *real);
            let rb = read_back
                .range_types
                .get(&at)
                .ok_or_else(|| missing(format!("range type {name}")))?;
            let r = out.range_types.get_mut(name).expect("desired type");
            r.subtype = fix(&rb.subtype);
            r.subtype_opclass = rb.subtype_opclass.as_deref().map(fix);
            r.collation = rb.collation.as_deref().map(fix);
            r.canonical = rb.canonical.as_deref().map(fix);
            r.subtype_diff = rb.subtype_diff.as_deref().map(fix);
            r.multirange = if rb.multirange.schema == at.schema {
                QualifiedName::new(&name.schema, &rb.multirange.name)
            } else {
                rb.multirange.clone()
            };
        }
        Ok(())
    }
}

fn group(object: String, declared: Declared, name: &QualifiedName, stmt: Stmt) -> Group {
    Group {
        object,
        declared: Some(declared),
        creates: true,
        search_path: Some(name.schema.clone()),
        stmts: vec![stmt],
    }
}

/// `pending` ordered so that a composite type comes after those its attributes use
/// (as written: `b`, `app.b`, `app.b[]`; unqualified names are in the type's schema).
/// A cycle keeps the remaining ones in name order (the server then reports it).
fn composites_in_order(
    pending: &[(QualifiedName, bool)],
    desired: &Catalog,
) -> Vec<(QualifiedName, bool)> {
    let uses = |t: &CompositeType| -> Vec<QualifiedName> {
        t.attributes
            .iter()
            .filter_map(|a| {
                let text = a.type_name.trim().trim_end_matches("[]").trim_end();
                match crate::sql::split_qualified(text)?.as_slice() {
                    [n] => Some(QualifiedName::new(&t.name.schema, n)),
                    [s, n] => Some(QualifiedName::new(s, n)),
                    _ => None,
                }
            })
            .collect()
    };
    let mut left: Vec<(QualifiedName, bool)> = pending.to_vec();
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let waiting = |n: &QualifiedName| left.iter().any(|(l, _)| l == n);
        let ready = left.iter().position(|(name, _)| {
            uses(&desired.composite_types[name])
                .iter()
                .all(|u| u == name || !waiting(u))
        });
        out.push(left.remove(ready.unwrap_or(0)));
    }
    out
}
