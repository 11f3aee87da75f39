//! `settings` of roles and of the database: server parameters and their values.

use super::*;

impl Loader {
    /// Parameter name (lowercase) → value and the span of its key.
    pub(super) fn settings(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
    ) -> BTreeMap<String, (SettingValue, Span)> {
        let mut out: BTreeMap<String, (SettingValue, Span)> = BTreeMap::new();
        let Some(t) = self.table(
            f,
            v,
            what,
            Some("write a table of parameters, e.g. { statement_timeout = \"30s\" }".into()),
        ) else {
            return out;
        };
        for (key, value) in t.iter() {
            let raw_name = key.get_ref().as_ref();
            let key_span = self.sp(f, key.span());
            if !valid_parameter_name(raw_name) {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidSetting,
                        format!("invalid parameter name `{raw_name}` in {what}"),
                    )
                    .at(key_span, "not a parameter name")
                    .help("parameter names are letters, digits, `_` and `.`, e.g. work_mem or app.tenant"),
                );
                continue;
            }
            let name = raw_name.to_ascii_lowercase();
            let Some(setting) =
                self.setting_value(f, &name, value, &format!("`{raw_name}` in {what}"))
            else {
                continue;
            };
            if let Some((_, first)) = out.get(&name) {
                let (first, second) = ordered(*first, key_span);
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("parameter `{name}` is set twice in {what}"),
                    )
                    .at(second, "set again here")
                    .also(first, "first set here")
                    .help("parameter names are case-insensitive; keep one of them"),
                );
                continue;
            }
            out.insert(name, (setting, key_span));
        }
        out
    }

    fn setting_value(
        &mut self,
        f: usize,
        name: &str,
        v: &V<'_>,
        what: &str,
    ) -> Option<SettingValue> {
        if is_list_parameter(name) {
            return self.name_list_setting(f, v, what);
        }
        let scalar = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => n.to_string(),
                Err(_) => i.as_str().to_string(),
            },
            DeValue::Float(x) => x.as_str().to_string(),
            DeValue::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
            DeValue::Array(_) => {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidSetting,
                        format!("{what} takes a single value, not a list"),
                    )
                    .at(self.sp(f, v.span()), "a list")
                    .help(format!(
                        "only list parameters (such as search_path) take a list; write one value, e.g. {name} = \"...\""
                    )),
                );
                return None;
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string, a number or a boolean",
                    what,
                    Some(format!(
                        "write the value as PostgreSQL accepts it, e.g. {name} = \"...\""
                    )),
                );
                return None;
            }
        };
        Some(SettingValue::Scalar(scalar))
    }

    /// An array of names, or one string split on commas.
    pub(super) fn name_list_setting(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
    ) -> Option<SettingValue> {
        match v.get_ref() {
            DeValue::String(s) => Some(SettingValue::List(split_list(s))),
            _ => self
                .string_list(f, v, what)
                .map(|items| SettingValue::List(items.into_iter().map(|(s, _)| s).collect())),
        }
    }
}

pub(super) fn valid_parameter_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}
