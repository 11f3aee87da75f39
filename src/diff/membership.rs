//! Role memberships (`GRANT role TO member`) and their ADMIN/INHERIT/SET options.

use super::{Change, Cx};
use crate::model::*;
use std::collections::BTreeMap;

impl Cx<'_> {
    /// PostgreSQL 16+ fills unset membership options with defaults; resolve ours the same
    /// way so an omitted option never shows as a difference.
    fn effective_membership(&self, member: &Role, m: &Membership) -> Membership {
        if self.server_version < 160000 {
            return Membership {
                admin: m.admin,
                inherit: None,
                set: None,
            };
        }
        Membership {
            admin: m.admin,
            inherit: Some(m.inherit.unwrap_or(member.attributes.inherit)),
            set: Some(m.set.unwrap_or(true)),
        }
    }

    pub(super) fn memberships(&mut self, want: &Role, have: Option<&Role>) {
        let empty = BTreeMap::new();
        let have_of = have.map_or(&empty, |h| &h.member_of);
        for (role, options) in &want.member_of {
            let wanted = self.effective_membership(want, options);
            match have_of.get(role) {
                None => self.push(Change::GrantMembership {
                    role: role.clone(),
                    member: want.name.clone(),
                    options: wanted,
                }),
                Some(current) => {
                    let current = self.effective_membership(want, current);
                    if current != wanted {
                        self.push(Change::AlterMembership {
                            role: role.clone(),
                            member: want.name.clone(),
                            from: current,
                            to: wanted,
                        });
                    }
                }
            }
        }
        for role in have_of.keys() {
            if !want.member_of.contains_key(role) {
                self.push(Change::RevokeMembership {
                    role: role.clone(),
                    member: want.name.clone(),
                });
            }
        }
    }
}
