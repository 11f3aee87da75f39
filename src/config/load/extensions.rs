//! `[extensions.NAME]`.

use super::*;
use crate::model::Extension;

impl Loader {
    pub(super) fn walk_extension(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let name = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let ctx = format!("extension `{name}`");
        let help = format!("declare it as a table: [extensions.{}]", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.check_identifier(&name, key_span, "extension");
        let mut ext = Extension {
            name: name.clone(),
            schema: None,
            version: None,
            comment: None,
            update_targets: Vec::new(),
            owner: None,
        };
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "schema" => {
                    if let Some((schema, span)) = self.name_value(f, value, &what, "schema") {
                        if schema != "public" {
                            self.schema_refs.push((
                                schema.clone(),
                                span,
                                ctx.clone(),
                                "an extension is installed in a declared schema or in public",
                            ));
                        }
                        ext.schema = Some(schema);
                    }
                }
                "version" => {
                    ext.version = self.string(f, value, &what);
                    if ext.version.as_deref() == Some("") {
                        self.empty_value(
                            f,
                            value,
                            &what,
                            "write the version, e.g. \"1.3\", or leave it out for the default",
                        );
                        ext.version = None;
                    }
                }
                "comment" => ext.comment = non_empty(self.string(f, value, &what)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawExtension>(), Some(&ctx)),
            }
        }
        if let Some(first) = self.rel.extensions.get(&name).copied() {
            let header = format!("[extensions.{}]", toml_key(&name));
            self.duplicate(key_span, first, &ctx, &header);
            return;
        }
        self.rel.extensions.insert(name.clone(), key_span);
        self.sources
            .extensions
            .insert(name.clone(), self.sources.location(key_span));
        self.catalog.extensions.insert(name, ext);
    }
}
