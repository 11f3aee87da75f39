//! Enums (create, add a value) and the drop of a user-defined type, enum or domain.

use crate::ddl::enum_type::{create_enum as create_enum_sql, enum_labels};
use crate::diff::tables::{EnumPosition, TypeUses};
use crate::model::*;
use crate::plan::builder::{Builder, qn};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::quote_literal;

pub(super) fn create_enum(e: &EnumType) -> Node {
    let mut b = Builder::default();
    b.sql(create_enum_sql(&e.name, &e.values));
    b.details
        .push(format!("values: {}", enum_labels(&e.values).join(", ")));
    let object = ObjectRef::Type {
        kind: TypeKind::Enum,
        name: e.name.clone(),
    };
    b.owned_by(&object, e.owner.as_ref());
    b.comment(&object, e.comment.as_ref());
    b.requires.push(Key::Schema(e.name.schema.clone()));
    b.creates.push(Key::Type(e.name.clone()));
    b.finish(
        phase::TYPE,
        Action::Create,
        object,
        format!("create enum {}", e.name),
    )
}

pub(super) fn add_enum_value(name: &QualifiedName, value: &str, position: &EnumPosition) -> Node {
    let mut b = Builder::default();
    let place = match position {
        EnumPosition::Before(l) => format!(" BEFORE {}", quote_literal(l)),
        EnumPosition::After(l) => format!(" AFTER {}", quote_literal(l)),
        EnumPosition::End => String::new(),
    };
    b.sql(format!(
        "ALTER TYPE {} ADD VALUE {}{place}",
        qn(name),
        quote_literal(value)
    ));
    b.details.push(match position {
        EnumPosition::Before(l) => format!("before {}", quote_literal(l)),
        EnumPosition::After(l) => format!("after {}", quote_literal(l)),
        EnumPosition::End => "as the first label".into(),
    });
    b.details.push(
        "in place; the new label cannot be used before this plan commits \
         (PostgreSQL restriction)"
            .into(),
    );
    b.requires.push(Key::Type(name.clone()));
    b.finish(
        phase::TYPE,
        Action::Alter,
        ObjectRef::Type {
            kind: TypeKind::Enum,
            name: name.clone(),
        },
        format!("add value {} to enum {name}", quote_literal(value)),
    )
}

pub(super) fn drop_type(name: &QualifiedName, kind: TypeKind, uses: &TypeUses) -> Node {
    let mut b = Builder::default();
    let (keyword, what) = match kind {
        TypeKind::Enum => ("TYPE", "enum"),
        TypeKind::Domain => ("DOMAIN", "domain"),
        TypeKind::Composite => ("TYPE", "composite type"),
        TypeKind::Range => ("TYPE", "range type"),
    };
    b.sql(format!("DROP {keyword} {}", qn(name)));
    b.details
        .push("fails if a column still uses it (no CASCADE)".into());
    b.requires.push(Key::Schema(name.schema.clone()));
    // Dropped before the types, collations and routines it names.
    for t in &uses.types {
        b.require_type(t);
    }
    for c in &uses.collations {
        b.require_collation(Some(c));
    }
    for e in &uses.expressions {
        b.require_calls(e);
        b.require_sequences(e);
    }
    b.drops.push(Key::Type(name.clone()));
    b.finish(
        phase::DROP_TYPE,
        Action::Drop,
        ObjectRef::Type {
            kind,
            name: name.clone(),
        },
        format!("drop {what} {name}"),
    )
}
