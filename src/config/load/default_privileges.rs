//! `default_privileges` of `[schemas.NAME]`: what objects created later are granted.

use super::*;

impl Loader {
    pub(super) fn default_privileges(
        &mut self,
        f: usize,
        v: &V<'_>,
        schema: &str,
        rec: &mut Rec,
    ) -> Vec<(DefaultPrivilegeKey, Acl, Span)> {
        let what = format!("`default_privileges` of schema `{schema}`");
        let help = format!(
            "write one [[schemas.{}.default_privileges]] table per creator role",
            toml_key(schema)
        );
        let mut out = Vec::new();
        let Some(items) = self.array(f, v, &what, Some(help.clone())) else {
            return out;
        };
        for item in items {
            let ctx = format!("a default_privileges entry of schema `{schema}`");
            let Some(t) = self.table(f, item, &ctx, Some(help.clone())) else {
                continue;
            };
            let entry_span = self.sp(f, item.span());
            let mut for_role = None;
            let mut kind = None;
            let mut grants_value = None;
            for (key, value) in t.iter() {
                let key_name = key.get_ref().as_ref();
                let what = format!("`{key_name}` of {ctx}");
                match key_name {
                    "for_role" => {
                        if let Some(role) = self.string(f, value, &what) {
                            let span = self.sp(f, value.span());
                            self.role_refs.push((role.clone(), span, RefKind::ForRole));
                            for_role = Some(role);
                        }
                    }
                    "on" => {
                        if let Some(text) = self.string(f, value, &what) {
                            let span = self.sp(f, value.span());
                            kind = match text.as_str() {
                                "tables" => Some(ObjectKind::Table),
                                "sequences" => Some(ObjectKind::Sequence),
                                "functions" => Some(ObjectKind::Function),
                                "types" => Some(ObjectKind::Type),
                                other => {
                                    let choices = fields_of::<raw::RawObjectKind>();
                                    self.err(
                                        Diag::new(
                                            ErrorKind::InvalidValue,
                                            format!("unknown object kind `{other}` in {ctx}"),
                                        )
                                        .at(span, "unknown object kind")
                                        .help(suggest_or_list(other, choices)),
                                    );
                                    None
                                }
                            };
                        }
                    }
                    "grants" => grants_value = Some(value),
                    _ => self.unknown_key(
                        f,
                        key,
                        fields_of::<raw::RawDefaultPrivileges>(),
                        Some(&ctx),
                    ),
                }
            }
            if t.get("for_role").is_none() {
                self.missing_key(f, item, "for_role", &ctx, "for_role = \"migrator\"");
            }
            if t.get("on").is_none() {
                self.missing_key(f, item, "on", &ctx, "on = \"tables\"");
            }
            let (Some(for_role), Some(kind)) = (for_role, kind) else {
                continue;
            };
            let key = DefaultPrivilegeKey {
                for_role,
                schema: schema.to_string(),
                kind,
            };
            let acl = match grants_value {
                Some(value) => self.grants(
                    f,
                    value,
                    kind,
                    GrantSite::DefaultPrivileges(key.clone()),
                    &format!("the grants of {ctx}"),
                    rec,
                ),
                None => Acl::default(),
            };
            out.push((key, acl, entry_span));
        }
        out
    }
}
