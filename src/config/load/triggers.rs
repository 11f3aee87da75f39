//! Triggers declared in `.sql` files.

use super::sql_files::SqlDecl;
use super::*;

impl Loader {
    pub(super) fn walk_sql_trigger(&mut self, decl: &SqlDecl<'_>) {
        self.sql_not_managed(decl, "triggers");
    }
}
