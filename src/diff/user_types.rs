//! Collations, composite types and range types (declared in `.sql` files).
//!
//! A composite type's attributes are added, dropped and altered in place (an altered
//! attribute is refused, as PostgreSQL refuses it, while a column uses the type); a changed
//! collation or range type is dropped and created again, refused (an `error` note) while
//! a live table column, composite attribute or domain uses it. Scope: a schema that
//! declares any object of one of these kinds manages every object of that kind in it
//! (undeclared ones are unexpected, dropped with `--prune`); in the other declared
//! schemas they are listed as unmanaged.

use super::tables::TableChange;
use super::{Change, Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeSet;

/// A change to a collation, composite type or range type. One variant, one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    /// With its owner and comment.
    CreateCollation {
        collation: Collation,
    },
    /// Dropped and created again, with its owner and comment.
    ReplaceCollation {
        from: Collation,
        to: Collation,
    },
    DropCollation {
        name: QualifiedName,
    },
    /// With its owner and comment.
    CreateComposite {
        composite: CompositeType,
    },
    AddAttribute {
        name: QualifiedName,
        attribute: Attribute,
    },
    /// Destructive: the values of the attribute are lost wherever the type is stored.
    DropAttribute {
        name: QualifiedName,
        attribute: String,
    },
    /// `ALTER ATTRIBUTE … TYPE … [COLLATE …]`.
    AlterAttribute {
        name: QualifiedName,
        from: Attribute,
        to: Attribute,
    },
    /// With its owner and comment.
    CreateRange {
        range: RangeType,
    },
    /// Dropped and created again, with its owner and comment.
    ReplaceRange {
        from: RangeType,
        to: Box<RangeType>,
    },
}

/// The user-defined object a canonical type or collation name refers to: `app.t`,
/// `app.t[]`, `app.t(3)`; `None` for built-in (unqualified) names.
fn named_object(text: &str) -> Option<QualifiedName> {
    let mut t = text.trim();
    while let Some(s) = t.strip_suffix("[]") {
        t = s.trim_end();
    }
    if t.ends_with(')')
        && let Some(i) = t.rfind('(')
    {
        t = t[..i].trim_end();
    }
    match crate::sql::split_qualified(t)?.as_slice() {
        [schema, name] => Some(QualifiedName::new(schema, name)),
        _ => None,
    }
}

/// Live objects that use the type or collation `name` (so it cannot be dropped).
fn users(live: &Catalog, name: &QualifiedName, collation: bool) -> Vec<String> {
    let uses = |type_name: &str, coll: Option<&String>| {
        let text = if collation {
            coll.map(String::as_str)
        } else {
            Some(type_name)
        };
        text.and_then(named_object).as_ref() == Some(name)
    };
    let mut out = Vec::new();
    for t in live.tables.values() {
        for c in &t.columns {
            if uses(&c.type_name, c.collation.as_ref()) {
                out.push(format!(
                    "column {}.{}",
                    t.name,
                    crate::sql::display_ident(&c.name)
                ));
            }
        }
    }
    for ct in live.composite_types.values() {
        for a in &ct.attributes {
            if uses(&a.type_name, a.collation.as_ref()) {
                out.push(format!(
                    "attribute {}.{}",
                    ct.name,
                    crate::sql::display_ident(&a.name)
                ));
            }
        }
    }
    for d in live.domains.values() {
        if uses(&d.base_type, d.collation.as_ref()) {
            out.push(format!("domain {}", d.name));
        }
    }
    for r in live.range_types.values() {
        if uses(&r.subtype, r.collation.as_ref()) {
            out.push(format!("range type {}", r.name));
        }
    }
    out
}

impl Cx<'_> {
    fn push_type(&mut self, change: TypeChange) {
        self.push(Change::Type(Box::new(change)));
    }

    /// A replacement that cannot run while something uses the object: an error note.
    fn used(&mut self, object: ObjectRef, names: &[&QualifiedName], collation: bool) -> bool {
        let users: Vec<String> = names
            .iter()
            .flat_map(|name| users(self.live, name, collation))
            .collect();
        if users.is_empty() {
            return false;
        }
        self.note(
            NoteKind::Error,
            object,
            format!(
                "its definition changed, and it can only be dropped and created again, but it \
                 is used by {}; nothing planned for it",
                users.join(", ")
            ),
        );
        true
    }

    pub(super) fn collations(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.collations {
            let object = ObjectRef::Collation { name: name.clone() };
            let Some(have) = self.live.collations.get(name) else {
                self.push_type(TypeChange::CreateCollation {
                    collation: want.clone(),
                });
                continue;
            };
            let definition = |c: &Collation| {
                (
                    c.provider,
                    c.locale.clone(),
                    c.lc_collate.clone(),
                    c.lc_ctype.clone(),
                    c.deterministic,
                )
            };
            if definition(want) != definition(have) {
                if !self.used(object.clone(), &[name], true) {
                    self.push_type(TypeChange::ReplaceCollation {
                        from: have.clone(),
                        to: want.clone(),
                    });
                }
                continue;
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }

    pub(super) fn composite_types(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.composite_types {
            let object = ObjectRef::Type {
                kind: TypeKind::Composite,
                name: name.clone(),
            };
            let Some(have) = self.live.composite_types.get(name) else {
                self.push_type(TypeChange::CreateComposite {
                    composite: want.clone(),
                });
                continue;
            };
            // Kept attributes keep their order; new ones are appended.
            let kept: Vec<&str> = have
                .attributes
                .iter()
                .map(|a| a.name.as_str())
                .filter(|a| want.attribute(a).is_some())
                .collect();
            let wanted: Vec<&str> = want.attributes.iter().map(|a| a.name.as_str()).collect();
            if !wanted.starts_with(&kept) {
                self.note(
                    NoteKind::Error,
                    object.clone(),
                    format!(
                        "cannot reorder the attributes of a composite type in place (live: \
                         {}; declared: {}); nothing planned for its attributes",
                        kept.join(", "),
                        wanted.join(", ")
                    ),
                );
            } else {
                for a in &have.attributes {
                    if want.attribute(&a.name).is_none() {
                        self.push_type(TypeChange::DropAttribute {
                            name: name.clone(),
                            attribute: a.name.clone(),
                        });
                    }
                }
                for a in &want.attributes {
                    match have.attribute(&a.name) {
                        None => self.push_type(TypeChange::AddAttribute {
                            name: name.clone(),
                            attribute: a.clone(),
                        }),
                        Some(h) if h != a => {
                            let users = users(self.live, name, false);
                            if users.is_empty() {
                                self.push_type(TypeChange::AlterAttribute {
                                    name: name.clone(),
                                    from: h.clone(),
                                    to: a.clone(),
                                });
                            } else {
                                self.note(
                                    NoteKind::Error,
                                    object.clone(),
                                    format!(
                                        "cannot change the type or collation of attribute {} while {} uses the \
                                         type (PostgreSQL refuses it); nothing planned for it",
                                        crate::sql::display_ident(&a.name),
                                        users.join(", ")
                                    ),
                                );
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }

    pub(super) fn range_types(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.range_types {
            let object = ObjectRef::Type {
                kind: TypeKind::Range,
                name: name.clone(),
            };
            let Some(have) = self.live.range_types.get(name) else {
                self.push_type(TypeChange::CreateRange {
                    range: want.clone(),
                });
                continue;
            };
            let definition = |r: &RangeType| RangeType {
                owner: None,
                comment: None,
                acl: None,
                ..r.clone()
            };
            if definition(want) != definition(have) {
                // The multirange type goes with it.
                if !self.used(object.clone(), &[name, &have.multirange], false) {
                    self.push_type(TypeChange::ReplaceRange {
                        from: have.clone(),
                        to: Box::new(want.clone()),
                    });
                }
                continue;
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }

    /// Undeclared collations, composite and range types: in a schema that declares
    /// objects of the kind, unexpected (dropped with `--prune`); in other declared
    /// schemas, unmanaged.
    pub(super) fn undeclared_user_types(&mut self) {
        let (desired, live) = (self.desired, self.live);
        // A schema that declares objects of the kind, or is managed whole.
        let schemas = |names: &mut dyn Iterator<Item = &QualifiedName>| -> BTreeSet<String> {
            (names.map(|n| n.schema.clone()))
                .chain(super::routine::whole_schemas(desired).map(str::to_string))
                .collect()
        };
        let with_collations = schemas(&mut desired.collations.keys());
        let with_composites = schemas(&mut desired.composite_types.keys());
        let with_ranges = schemas(&mut desired.range_types.keys());
        let mut found: Vec<(ObjectRef, &str, bool)> = Vec::new();
        for name in live.collations.keys() {
            if !desired.collations.contains_key(name) {
                let object = ObjectRef::Collation { name: name.clone() };
                found.push((object, "collation", with_collations.contains(&name.schema)));
            }
        }
        for name in live.composite_types.keys() {
            if !desired.composite_types.contains_key(name) {
                let object = ObjectRef::Type {
                    kind: TypeKind::Composite,
                    name: name.clone(),
                };
                let managed = with_composites.contains(&name.schema);
                found.push((object, "composite type", managed));
            }
        }
        for name in live.range_types.keys() {
            if !desired.range_types.contains_key(name) {
                let object = ObjectRef::Type {
                    kind: TypeKind::Range,
                    name: name.clone(),
                };
                found.push((object, "range type", with_ranges.contains(&name.schema)));
            }
        }
        for (object, what, managed) in found {
            let (ObjectRef::Collation { name } | ObjectRef::Type { name, .. }) = &object else {
                continue;
            };
            let name = name.clone();
            if !desired.schemas.contains_key(&name.schema) {
                continue;
            }
            if !managed {
                self.note(
                    NoteKind::Unmanaged,
                    ObjectRef::schema(&name.schema),
                    format!("{what} {name}"),
                );
            } else if !self.options.prune {
                self.note(
                    NoteKind::Unexpected,
                    object,
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
            } else if let ObjectRef::Type { kind, .. } = object {
                let uses = super::tables::TypeUses::of(self.live, &name, kind);
                self.push_table(TableChange::DropType { name, kind, uses });
            } else {
                self.push_type(TypeChange::DropCollation { name });
            }
        }
    }
}
