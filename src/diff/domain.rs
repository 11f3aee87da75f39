//! Domains: default, NOT NULL and checks altered in place; base type and collation cannot be.

use super::tables::TableChange;
use super::{Cx, NoteKind};
use crate::model::*;

fn collate_text(c: &Option<String>) -> String {
    c.as_ref()
        .map_or(String::new(), |c| format!(" collate {c}"))
}

impl Cx<'_> {
    pub(super) fn domains(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.domains {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Type {
                kind: TypeKind::Domain,
                name: name.clone(),
            };
            let Some(have) = self.live.domains.get(name) else {
                self.push_table(TableChange::CreateDomain {
                    domain: want.clone(),
                });
                continue;
            };
            if want.base_type != have.base_type || want.collation != have.collation {
                self.note(
                    NoteKind::Error,
                    object.clone(),
                    format!(
                        "cannot change a domain's type or collation in place ({}{} → {}{}); \
                         nothing planned for it",
                        have.base_type,
                        collate_text(&have.collation),
                        want.base_type,
                        collate_text(&want.collation)
                    ),
                );
            }
            if want.default != have.default {
                self.push_table(TableChange::SetDomainDefault {
                    name: name.clone(),
                    from: have.default.clone(),
                    to: want.default.clone(),
                });
            }
            if want.not_null != have.not_null {
                self.push_table(TableChange::SetDomainNotNull {
                    name: name.clone(),
                    not_null: want.not_null,
                });
            }
            for (check, expr) in &have.checks {
                if want.checks.get(check) != Some(expr) {
                    self.push_table(TableChange::DropDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                    });
                }
            }
            for (check, expr) in &want.checks {
                if have.checks.get(check) != Some(expr) {
                    self.push_table(TableChange::AddDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                        expression: expr.clone(),
                    });
                    self.push_table(TableChange::ValidateDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                    });
                }
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }
}
