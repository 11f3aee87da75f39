//! Row-level security policies: altered in place when `ALTER POLICY` can, else replaced.

use super::Cx;
use super::tables::TableChange;
use crate::model::*;

fn policy_roles(p: &Policy) -> Vec<String> {
    if p.roles.is_empty() {
        vec!["PUBLIC".to_string()]
    } else {
        let mut r = p.roles.clone();
        r.sort();
        r
    }
}

/// `ALTER POLICY` can change roles, `USING` and `WITH CHECK`, but cannot remove an
/// expression nor change the command or the permissive/restrictive kind.
fn policy_alterable(have: &Policy, want: &Policy) -> bool {
    have.permissive == want.permissive
        && have.command.eq_ignore_ascii_case(&want.command)
        && !(have.using.is_some() && want.using.is_none())
        && !(have.with_check.is_some() && want.with_check.is_none())
}

impl Cx<'_> {
    pub(super) fn policies(&mut self, want_t: &Table, have_t: &Table) {
        let t = &want_t.name;
        for (name, have) in &have_t.policies {
            let replaced = want_t
                .policies
                .get(name)
                .is_some_and(|w| !policy_alterable(have, w));
            if !want_t.policies.contains_key(name) || replaced {
                self.push_table(TableChange::DropPolicy {
                    table: t.clone(),
                    policy: have.clone(),
                });
            }
        }
        for (name, want) in &want_t.policies {
            match have_t.policies.get(name) {
                Some(have) if policy_alterable(have, want) => {
                    if policy_roles(have) != policy_roles(want)
                        || have.using != want.using
                        || have.with_check != want.with_check
                    {
                        self.push_table(TableChange::AlterPolicy {
                            table: t.clone(),
                            from: have.clone(),
                            to: want.clone(),
                        });
                    }
                    let object = ObjectRef::table_part(TablePart::Policy, t, name);
                    self.comment(object, &want.comment, &have.comment);
                }
                _ => self.push_table(TableChange::CreatePolicy {
                    table: t.clone(),
                    policy: want.clone(),
                }),
            }
        }
    }
}
