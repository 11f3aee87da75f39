//! Extensions: created or updated when declared; dropped only when undeclared and
//! claimed by `[scope] owned_extensions`. Their comment is managed only when declared
//! (an extension's install script usually sets one).

use super::shared::globs;
use super::tables::TableChange;
use super::{Cx, DiffError, NoteKind};
use crate::model::ObjectRef;

impl Cx<'_> {
    pub(super) fn extensions(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.extensions {
            let object = ObjectRef::Extension { name: name.clone() };
            match self.live.extensions.get(name) {
                None => {
                    self.push_table(TableChange::CreateExtension {
                        name: name.clone(),
                        schema: want.schema.clone(),
                        version: want.version.clone(),
                    });
                    // Whatever the script set: only a declared comment is written.
                    if want.comment.is_some() {
                        self.comment(object, &want.comment, &None);
                    }
                }
                Some(have) => {
                    // Undeclared: left as the extension's script set it.
                    if want.comment.is_some() {
                        self.comment(object, &want.comment, &have.comment);
                    }
                    if let Some(to) = &want.schema
                        && have.schema.as_ref() != Some(to)
                    {
                        self.push_table(TableChange::SetExtensionSchema {
                            name: name.clone(),
                            from: have.schema.clone(),
                            to: to.clone(),
                        });
                    }
                    if let Some(to) = &want.version
                        && have.version.as_ref() != Some(to)
                    {
                        // The extension's scripts may offer no way there (a downgrade,
                        // usually): then only dropping and creating it again reaches it.
                        if have.update_targets.contains(to) {
                            self.push_table(TableChange::UpdateExtension {
                                name: name.clone(),
                                from: have.version.clone(),
                                to: to.clone(),
                            });
                        } else {
                            self.push_table(TableChange::RecreateExtension {
                                name: name.clone(),
                                schema: want.schema.clone().or(have.schema.clone()),
                                from: have.version.clone(),
                                to: to.clone(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Undeclared extensions that `[scope] owned_extensions` claims.
    pub(super) fn owned_extensions(&mut self) -> Result<(), DiffError> {
        let patterns = globs(&self.desired.scope.owned_extension_patterns)?;
        if patterns.is_empty() {
            return Ok(());
        }
        for name in self.live.extensions.keys() {
            if self.desired.extensions.contains_key(name) || !patterns.is_match(name) {
                continue;
            }
            if self.options.prune {
                self.push_table(TableChange::DropExtension { name: name.clone() });
            } else {
                self.note(
                    NoteKind::Unexpected,
                    ObjectRef::Extension { name: name.clone() },
                    "extension matches an owned pattern but is not declared; left alone (use \
                     --prune to drop it)",
                );
            }
        }
        Ok(())
    }
}
