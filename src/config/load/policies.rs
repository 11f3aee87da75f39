//! `policies` of `[tables."s.t"]`: row-level security policies.

use super::*;
use crate::config::sql_check::SqlKind;
use crate::model::{Policy, Table};

impl Loader {
    pub(super) fn policy(&mut self, f: usize, k: &K<'_>, v: &V<'_>, tctx: &str, table: &mut Table) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("policy `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "policy");
        let help = format!(
            "write {} = {{ command = \"select\", roles = [\"app\"], using = \"owner = current_user\" }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut policy = Policy {
            name: name.clone(),
            permissive: true,
            command: "ALL".to_string(),
            roles: vec!["PUBLIC".to_string()],
            using: None,
            with_check: None,
            comment: None,
        };
        let mut ok = true;
        let mut using_key = None;
        let mut check_key = None;
        let mut command_span = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "command" => {
                    let choices = fields_of::<raw::RawPolicyCommand>();
                    command_span = Some(self.sp(f, value.span()));
                    match self.choice(f, value, &what, "command", choices) {
                        Some(c) => policy.command = c.to_ascii_uppercase(),
                        None => ok = false,
                    }
                }
                "permissive" => policy.permissive = self.boolean(f, value, &what).unwrap_or(true),
                "roles" => match self.policy_roles(f, value, &what) {
                    Some(roles) => policy.roles = roles,
                    None => ok = false,
                },
                "using" => {
                    using_key = Some(self.sp(f, key.span()));
                    let what = format!("the USING expression of {ctx}");
                    policy.using = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "with_check" => {
                    check_key = Some(self.sp(f, key.span()));
                    let what = format!("the WITH CHECK expression of {ctx}");
                    policy.with_check = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "comment" => policy.comment = non_empty(self.string(f, value, &what)),
                _ => self.unknown_key(f, key, fields_of::<raw::RawPolicy>(), Some(&ctx)),
            }
        }
        let command = policy.command.as_str();
        let misplaced = match (command, using_key, check_key) {
            ("INSERT", Some(span), _) => {
                Some((span, "using", "an INSERT policy has only WITH CHECK"))
            }
            ("SELECT" | "DELETE", _, Some(span)) => Some((
                span,
                "with_check",
                "SELECT and DELETE policies have only USING",
            )),
            _ => None,
        };
        if let Some((span, key, help)) = misplaced {
            let mut d = Diag::new(
                ErrorKind::Conflict,
                format!("`{key}` cannot be set on {ctx}"),
            )
            .at(span, format!("not allowed for {command}"))
            .help(format!("{help}: remove `{key}`"));
            if let Some(c) = command_span {
                d = d.also(c, "the command");
            }
            self.err(d);
        }
        if ok {
            table.policies.insert(name, policy);
        }
    }

    fn policy_roles(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<Vec<String>> {
        let items = self.string_list(f, v, what)?;
        if items.is_empty() {
            self.empty_list(
                f,
                v,
                what,
                "list at least one role, or leave `roles` out for PUBLIC",
            );
            return None;
        }
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (role, span) in items {
            let role = if role == "PUBLIC" {
                role
            } else if role.eq_ignore_ascii_case("public") {
                self.err(
                    Diag::new(
                        ErrorKind::LowercasePublic,
                        format!("role `{role}` must be written `PUBLIC`"),
                    )
                    .at(span, "write PUBLIC")
                    .help("write PUBLIC (uppercase) for a policy that applies to every role"),
                );
                "PUBLIC".to_string()
            } else {
                self.role_refs
                    .push((role.clone(), span, RefKind::PolicyRole));
                role
            };
            if let Some(first) = seen.get(&role) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("role `{role}` is listed twice in {what}"),
                    )
                    .at(span, "listed again here")
                    .also(*first, "first listed here")
                    .help("keep one entry per role"),
                );
                continue;
            }
            seen.insert(role, span);
        }
        Some(seen.into_keys().collect())
    }
}
