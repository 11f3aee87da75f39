//! `[database]`: the database itself (name, comment, grants, settings).

use super::*;

impl Loader {
    pub(super) fn walk_database(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_span = self.sp(f, k.span());
        let Some(t) = self.table(f, v, "`database`", Some(help_table("database"))) else {
            return;
        };
        let ctx = "[database]";
        let mut db = Database::default();
        let mut rec = Rec::default();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "name" => {
                    if let Some(name) = self.string(f, value, "`name` of [database]") {
                        let span = self.sp(f, value.span());
                        self.check_identifier(&name, span, "database");
                        db.name = Some(name);
                    }
                }
                "comment" => {
                    db.comment = non_empty(self.string(f, value, "`comment` of [database]"))
                }
                "grants" => {
                    db.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Database,
                        GrantSite::Database,
                        "the grants of [database]",
                        &mut rec,
                    )
                }
                "settings" => {
                    db.settings = self
                        .settings(f, value, "the settings of [database]")
                        .into_iter()
                        .map(|(k, (v, _))| (k, v))
                        .collect()
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawDatabase>(), Some(ctx)),
            }
        }
        if let Some(first) = self.database_span {
            self.duplicate(key_span, first, "`[database]`", "[database]");
            return;
        }
        self.database_span = Some(key_span);
        self.sources.database = Some(self.sources.location(key_span));
        self.commit(rec);
        self.catalog.database = Some(db);
    }
}
