//! Extensions: created or updated when declared, never dropped. Their comment is
//! managed only when declared (an extension's install script usually sets one).

use super::Cx;
use super::tables::TableChange;
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
                        self.push_table(TableChange::UpdateExtension {
                            name: name.clone(),
                            from: have.version.clone(),
                            to: to.clone(),
                        });
                    }
                }
            }
        }
    }
}
