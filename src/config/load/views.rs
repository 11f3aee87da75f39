//! Views and materialized views declared in `.sql` files.

use super::sql_files::SqlDecl;
use super::*;

impl Loader {
    pub(super) fn walk_sql_view(&mut self, decl: &SqlDecl<'_>) {
        self.sql_not_managed(decl, "views");
    }
}
