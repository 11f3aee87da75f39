//! The database object itself, when `[database]` is declared: comment, ACL, settings.

use super::{Cx, DiffError, ParameterTarget};
use crate::model::*;

impl Cx<'_> {
    pub(super) fn database(&mut self, live_db: &Database) -> Result<(), DiffError> {
        let Some(want) = &self.desired.database else {
            return Ok(());
        };
        if let Some(name) = &want.name
            && Some(name) != live_db.name.as_ref()
        {
            return Err(DiffError::WrongDatabase {
                desired: name.clone(),
                live: self.db_name.clone(),
            });
        }
        let object = ObjectRef::Database {
            name: self.db_name.clone(),
        };
        self.comment(object.clone(), &want.comment, &live_db.comment);
        let owner = live_db.owner.as_deref();
        self.acl(
            ObjectKind::Database,
            &[object],
            &want.acl,
            &live_db.acl,
            owner,
        );
        let target = ParameterTarget::Database {
            database: self.db_name.clone(),
        };
        self.parameters(target, &want.settings, &live_db.settings);
        Ok(())
    }
}
