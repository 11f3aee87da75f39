//! `[scope]`: the roles, schemas and extensions pgrecon owns beyond those declared.

use super::*;

impl Loader {
    pub(super) fn walk_scope(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_span = self.sp(f, k.span());
        let Some(t) = self.table(f, v, "`scope`", Some(help_table("scope"))) else {
            return;
        };
        let ctx = "[scope]";
        let mut local = crate::model::Scope::default();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "owned_roles" => {
                    local.owned_role_patterns =
                        self.globs(f, value, &format!("`owned_roles` of {ctx}"));
                }
                "owned_schemas" => {
                    local.owned_schema_patterns =
                        self.globs(f, value, &format!("`owned_schemas` of {ctx}"));
                }
                "owned_extensions" => {
                    local.owned_extension_patterns =
                        self.globs(f, value, &format!("`owned_extensions` of {ctx}"));
                }
                "reassign_owned_to" => {
                    let what = format!("`reassign_owned_to` of {ctx}");
                    if let Some(name) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        self.role_refs
                            .push((name.clone(), span, RefKind::ReassignOwnedTo));
                        local.reassign_owned_to = Some(name);
                    }
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawScope>(), Some(ctx)),
            }
        }
        if let Some(first) = self.scope_span {
            self.duplicate(key_span, first, "`[scope]`", "[scope]");
            return;
        }
        self.scope_span = Some(key_span);
        self.sources.scope = Some(self.sources.location(key_span));
        self.catalog.scope = local;
    }

    fn globs(&mut self, f: usize, v: &V<'_>, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (pattern, span) in self.string_list(f, v, what).unwrap_or_default() {
            match globset::Glob::new(&pattern) {
                Ok(_) => out.push(pattern),
                Err(e) => self.err(
                    Diag::new(
                        ErrorKind::InvalidGlob,
                        format!("invalid glob pattern `{pattern}` in {what}"),
                    )
                    .at(span, e.kind().to_string())
                    .help("write a glob such as `butler_*_app` (`*`, `?`, `[abc]`, `{a,b}`)"),
                ),
            }
        }
        out
    }
}
