//! Schemas: create, owner, comment, ACL, and undeclared schemas in the owned scope.

use super::shared::globs;
use super::{Change, Cx, DiffError, NoteKind};
use crate::model::*;

impl Cx<'_> {
    pub(super) fn schemas(&mut self) {
        for (name, want) in &self.desired.schemas {
            let object = ObjectRef::schema(name);
            match self.live.schemas.get(name) {
                None => {
                    self.push(Change::CreateSchema {
                        name: name.clone(),
                        owner: want.owner.clone(),
                    });
                    self.comment(object.clone(), &want.comment, &None);
                    let owner = want.owner.as_deref();
                    self.acl(
                        ObjectKind::Schema,
                        &[object],
                        &want.acl,
                        &Acl::default(),
                        owner,
                    );
                }
                Some(have) => {
                    if let Some(owner) = &want.owner
                        && have.owner.as_ref() != Some(owner)
                    {
                        self.push(Change::AlterOwner {
                            object: object.clone(),
                            from: have.owner.clone(),
                            to: owner.clone(),
                        });
                    }
                    self.comment(object.clone(), &want.comment, &have.comment);
                    // Strip whichever owner will hold the schema after the plan.
                    let owner = want.owner.as_deref().or(have.owner.as_deref());
                    self.acl(ObjectKind::Schema, &[object], &want.acl, &have.acl, owner);
                }
            }
        }
    }

    pub(super) fn owned_schemas(&mut self) -> Result<(), DiffError> {
        let patterns = globs(&self.desired.scope.owned_schema_patterns)?;
        if patterns.is_empty() {
            return Ok(());
        }
        for name in self.live.schemas.keys() {
            if self.desired.schemas.contains_key(name) || !patterns.is_match(name) {
                continue;
            }
            // Every kind counts: a schema holding only types still needs CASCADE.
            let live = self.live;
            let in_schema = |q: &QualifiedName| &q.schema == name;
            let contents = live.relations.keys().filter(|q| in_schema(q)).count()
                + live.functions.keys().filter(|f| &f.schema == name).count()
                + live.enums.keys().filter(|q| in_schema(q)).count()
                + live.domains.keys().filter(|q| in_schema(q)).count()
                + live.composite_types.keys().filter(|q| in_schema(q)).count()
                + live.range_types.keys().filter(|q| in_schema(q)).count()
                + live.collations.keys().filter(|q| in_schema(q)).count()
                + live.unmanaged.iter().filter(|u| &u.schema == name).count();
            if self.options.prune {
                self.push(Change::DropSchema {
                    name: name.clone(),
                    contents,
                });
            } else {
                let message = format!(
                    "schema matches an owned pattern but is not declared ({contents} objects); \
                     left alone (use --prune to drop it)"
                );
                self.note(NoteKind::Unexpected, ObjectRef::schema(name), message);
            }
        }
        Ok(())
    }
}
