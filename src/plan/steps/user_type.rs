//! Collations, composite types and range types: create, replace (drop and create),
//! composite attributes, and the drop of a collation (types are dropped by
//! `enum_type::drop_type`).

use crate::ddl::user_types::{attribute_sql, create_collation, create_composite, create_range};
use crate::diff::user_types::TypeChange;
use crate::model::*;
use crate::plan::builder::{Builder, ident, qn};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn node_for(change: &TypeChange) -> Node {
    match change {
        TypeChange::CreateCollation { collation } => collation_node(None, collation),
        TypeChange::ReplaceCollation { from, to } => collation_node(Some(from), to),
        TypeChange::DropCollation { name } => drop_collation(name),
        TypeChange::CreateComposite { composite } => composite_node(composite),
        TypeChange::AddAttribute { name, attribute } => add_attribute(name, attribute),
        TypeChange::DropAttribute { name, attribute } => drop_attribute(name, attribute),
        TypeChange::AlterAttribute { name, from, to } => alter_attribute(name, from, to),
        TypeChange::CreateRange { range } => range_node(None, range),
        TypeChange::ReplaceRange { from, to } => range_node(Some(from), to),
    }
}

fn collation_details(c: &Collation) -> String {
    let mut parts = vec![format!("provider {}", c.provider.as_sql())];
    if let Some(l) = &c.locale {
        parts.push(format!("locale {l:?}"));
    }
    match (&c.lc_collate, &c.lc_ctype) {
        (Some(a), Some(b)) if a == b => parts.push(format!("locale {a:?}")),
        (a, b) => {
            if let Some(a) = a {
                parts.push(format!("lc_collate {a:?}"));
            }
            if let Some(b) = b {
                parts.push(format!("lc_ctype {b:?}"));
            }
        }
    }
    if !c.deterministic {
        parts.push("not deterministic".into());
    }
    parts.join(", ")
}

/// A replaced object: dropped first (nothing may use it: the diff checked), then created.
fn replaced(b: &mut Builder, drop_sql: String, before: String, key: Key) {
    b.sql(drop_sql);
    b.details.push(format!("was: {before}"));
    b.details
        .push("dropped and created again: its definition cannot change in place".into());
    b.drops.push(key);
}

fn collation_node(from: Option<&Collation>, c: &Collation) -> Node {
    let mut b = Builder::default();
    let object = ObjectRef::Collation {
        name: c.name.clone(),
    };
    if let Some(from) = from {
        let drop_sql = format!("DROP COLLATION {}", qn(&c.name));
        replaced(
            &mut b,
            drop_sql,
            collation_details(from),
            Key::Collation(c.name.clone()),
        );
    }
    let mut sql = String::new();
    create_collation(&mut sql, &c.name, c);
    b.sql(sql);
    b.details.push(collation_details(c));
    b.owned_by(&object, c.owner.as_ref());
    b.comment(&object, c.comment.as_ref());
    b.requires.push(Key::Schema(c.name.schema.clone()));
    b.creates.push(Key::Collation(c.name.clone()));
    let (action, verb) = match from {
        Some(_) => (Action::Alter, "replace"),
        None => (Action::Create, "create"),
    };
    b.finish(
        phase::TYPE,
        action,
        object,
        format!("{verb} collation {}", c.name),
    )
}

fn drop_collation(name: &QualifiedName) -> Node {
    let mut b = Builder::default();
    b.sql(format!("DROP COLLATION {}", qn(name)));
    b.details
        .push("fails if a column, type or index still uses it (no CASCADE)".into());
    b.requires.push(Key::Schema(name.schema.clone()));
    b.drops.push(Key::Collation(name.clone()));
    b.finish(
        phase::DROP_TYPE,
        Action::Drop,
        ObjectRef::Collation { name: name.clone() },
        format!("drop collation {name}"),
    )
}

fn composite_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Type {
        kind: TypeKind::Composite,
        name: name.clone(),
    }
}

fn range_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Type {
        kind: TypeKind::Range,
        name: name.clone(),
    }
}

fn require_attribute(b: &mut Builder, a: &Attribute) {
    b.require_type(&a.type_name);
    b.require_collation(a.collation.as_deref());
}

fn composite_node(t: &CompositeType) -> Node {
    let mut b = Builder::default();
    let mut sql = String::new();
    create_composite(&mut sql, &t.name, t);
    b.sql(sql);
    for a in &t.attributes {
        b.details.push(attribute_sql(a));
        require_attribute(&mut b, a);
    }
    let object = composite_ref(&t.name);
    b.owned_by(&object, t.owner.as_ref());
    b.comment(&object, t.comment.as_ref());
    b.requires.push(Key::Schema(t.name.schema.clone()));
    b.creates.push(Key::Type(t.name.clone()));
    b.finish(
        phase::TYPE,
        Action::Create,
        object,
        format!("create composite type {}", t.name),
    )
}

/// An attribute change: what uses the type in this plan (new columns, new types)
/// waits for it, as for a create, since a type in use can no longer change its
/// attributes' types.
fn altered(b: &mut Builder, name: &QualifiedName) {
    b.requires.push(Key::Schema(name.schema.clone()));
    b.creates.push(Key::Type(name.clone()));
}

fn add_attribute(name: &QualifiedName, a: &Attribute) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TYPE {} ADD ATTRIBUTE {}",
        qn(name),
        attribute_sql(a)
    ));
    require_attribute(&mut b, a);
    altered(&mut b, name);
    b.finish(
        phase::TYPE,
        Action::Alter,
        composite_ref(name),
        format!("add attribute {} to composite type {name}", ident(&a.name)),
    )
}

fn drop_attribute(name: &QualifiedName, attribute: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TYPE {} DROP ATTRIBUTE {}",
        qn(name),
        quote_ident(attribute)
    ));
    b.hazard(
        HazardKind::DeletesData,
        format!(
            "the values of attribute {} are lost wherever {name} is stored",
            ident(attribute)
        ),
    );
    altered(&mut b, name);
    b.finish(
        phase::TYPE,
        Action::Alter,
        composite_ref(name),
        format!(
            "drop attribute {} of composite type {name}",
            ident(attribute)
        ),
    )
}

fn alter_attribute(name: &QualifiedName, from: &Attribute, to: &Attribute) -> Node {
    let mut b = Builder::default();
    let mut sql = format!(
        "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}",
        qn(name),
        quote_ident(&to.name),
        to.type_name
    );
    if let Some(c) = &to.collation {
        sql.push_str(&format!(" COLLATE {}", crate::ddl::collation_sql(c)));
    }
    b.sql(sql);
    b.details.push(format!("was: {}", attribute_sql(from)));
    require_attribute(&mut b, to);
    altered(&mut b, name);
    b.finish(
        phase::TYPE,
        Action::Alter,
        composite_ref(name),
        format!(
            "alter attribute {} of composite type {name}",
            ident(&to.name)
        ),
    )
}

fn range_details(r: &RangeType) -> String {
    let mut parts = vec![format!("subtype {}", r.subtype)];
    if let Some(o) = &r.subtype_opclass {
        parts.push(format!("opclass {o}"));
    }
    if let Some(c) = &r.collation {
        parts.push(format!("collation {c}"));
    }
    if let Some(f) = &r.canonical {
        parts.push(format!("canonical {f}"));
    }
    if let Some(f) = &r.subtype_diff {
        parts.push(format!("subtype_diff {f}"));
    }
    parts.push(format!("multirange {}", r.multirange));
    parts.join(", ")
}

fn range_node(from: Option<&RangeType>, r: &RangeType) -> Node {
    let mut b = Builder::default();
    if let Some(from) = from {
        let drop_sql = format!("DROP TYPE {}", qn(&r.name));
        replaced(
            &mut b,
            drop_sql,
            range_details(from),
            Key::Type(r.name.clone()),
        );
        b.drops.push(Key::Type(from.multirange.clone()));
    }
    let mut sql = String::new();
    create_range(&mut sql, &r.name, r);
    b.sql(sql);
    b.details.push(range_details(r));
    b.require_type(&r.subtype);
    b.require_collation(r.collation.as_deref());
    let object = range_ref(&r.name);
    b.owned_by(&object, r.owner.as_ref());
    b.comment(&object, r.comment.as_ref());
    b.requires.push(Key::Schema(r.name.schema.clone()));
    b.requires.push(Key::Schema(r.multirange.schema.clone()));
    b.creates.push(Key::Type(r.name.clone()));
    b.creates.push(Key::Type(r.multirange.clone()));
    let (action, verb) = match from {
        Some(_) => (Action::Alter, "replace"),
        None => (Action::Create, "create"),
    };
    b.finish(
        phase::TYPE,
        action,
        object,
        format!("{verb} range type {}", r.name),
    )
}
