//! Renames of views, routines, triggers, composite and range types and collations
//! (`ALTER … RENAME TO`). The step frees the old name and gives the object its new one:
//! every step that needs the object under the new name, or drops it there (to create it
//! again), runs after it.

use crate::diff::rename_objects::{ObjectRename, RenamedKind};
use crate::model::*;
use crate::plan::builder::{Builder, ident, qn};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn rename(r: &ObjectRename) -> Node {
    let mut b = Builder::default();
    let to = quote_ident(match &r.object {
        ObjectRef::Relation { name, .. }
        | ObjectRef::Type { name, .. }
        | ObjectRef::Collation { name } => &name.name,
        ObjectRef::Function { id } => &id.name,
        ObjectRef::TablePart { name, .. } => name,
        _ => &r.from,
    });
    let summary = match (&r.object, &r.kind) {
        (
            ObjectRef::Relation { name, .. },
            RenamedKind::View {
                materialized,
                columns,
            },
        ) => {
            let old = QualifiedName::new(&name.schema, &r.from);
            let keyword = if *materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            b.sql(format!("ALTER {keyword} {} RENAME TO {to}", qn(&old)));
            b.requires.push(Key::Schema(name.schema.clone()));
            b.drops.push(Key::Relation(old.clone()));
            b.renames.push(Key::Relation(name.clone()));
            for c in columns {
                b.drops.push(Key::Column(old.clone(), c.clone()));
                b.renames.push(Key::Column(name.clone(), c.clone()));
            }
            format!("rename {} {old} to {to}", keyword.to_lowercase())
        }
        (ObjectRef::Function { id }, RenamedKind::Routine { procedure }) => {
            let old = FunctionId {
                name: r.from.clone(),
                ..id.clone()
            };
            let keyword = if *procedure { "PROCEDURE" } else { "FUNCTION" };
            b.sql(format!(
                "ALTER {keyword} {}({}) RENAME TO {to}",
                qn(&QualifiedName::new(&id.schema, &r.from)),
                id.arguments
            ));
            b.requires.push(Key::Schema(id.schema.clone()));
            b.drops.extend([
                Key::Function(old.clone()),
                Key::FunctionName(QualifiedName::new(&id.schema, &r.from)),
            ]);
            b.renames.extend([
                Key::Function(id.clone()),
                Key::FunctionName(QualifiedName::new(&id.schema, &id.name)),
            ]);
            format!("rename {} {old} to {to}", keyword.to_lowercase())
        }
        (ObjectRef::TablePart { table, name, .. }, _) => {
            b.sql(format!(
                "ALTER TRIGGER {} ON {} RENAME TO {to}",
                quote_ident(&r.from),
                qn(table)
            ));
            b.requires.push(Key::Relation(table.clone()));
            b.drops.push(Key::Trigger(table.clone(), r.from.clone()));
            b.renames.push(Key::Trigger(table.clone(), name.clone()));
            format!("rename trigger {} on {table} to {to}", ident(&r.from))
        }
        (ObjectRef::Type { name, kind }, RenamedKind::Type { multirange }) => {
            let old = QualifiedName::new(&name.schema, &r.from);
            b.sql(format!("ALTER TYPE {} RENAME TO {to}", qn(&old)));
            b.requires.push(Key::Schema(name.schema.clone()));
            b.drops.push(Key::Type(old.clone()));
            b.renames.push(Key::Type(name.clone()));
            if let Some((from, new)) = multirange {
                let m = QualifiedName::new(&name.schema, from);
                b.sql(format!(
                    "ALTER TYPE {} RENAME TO {}",
                    qn(&m),
                    quote_ident(new)
                ));
                b.details
                    .push(format!("multirange: {} → {}", ident(from), ident(new)));
                b.drops.push(Key::Type(m));
                b.renames
                    .push(Key::Type(QualifiedName::new(&name.schema, new)));
            }
            let what = match kind {
                TypeKind::Composite => "composite type",
                TypeKind::Range => "range type",
                TypeKind::Enum => "enum",
                TypeKind::Domain => "domain",
            };
            format!("rename {what} {old} to {to}")
        }
        (ObjectRef::Collation { name }, _) => {
            let old = QualifiedName::new(&name.schema, &r.from);
            b.sql(format!("ALTER COLLATION {} RENAME TO {to}", qn(&old)));
            b.requires.push(Key::Schema(name.schema.clone()));
            b.drops.push(Key::Collation(old.clone()));
            b.renames.push(Key::Collation(name.clone()));
            format!("rename collation {old} to {to}")
        }
        (object, _) => format!("rename {object}"),
    };
    b.finish(phase::RENAME, Action::Alter, r.object.clone(), summary)
}
