//! Extensions: created or updated when declared, never dropped.

use super::Cx;
use super::tables::TableChange;

impl Cx<'_> {
    pub(super) fn extensions(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.extensions {
            match self.live.extensions.get(name) {
                None => self.push_table(TableChange::CreateExtension {
                    name: name.clone(),
                    schema: want.schema.clone(),
                    version: want.version.clone(),
                }),
                Some(have) => {
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
