//! Roles: create, alter attributes, passwords, and undeclared roles in the owned scope.
//! Each role's memberships and parameters are diffed right after it.

use super::password;
use super::shared::globs;
use super::{Change, Cx, DiffError, NoteKind, ParameterTarget, PasswordReason};
use crate::model::*;
use secrecy::ExposeSecret;
use std::collections::BTreeMap;

impl Cx<'_> {
    pub(super) fn roles(&mut self) -> Result<(), DiffError> {
        for (name, want) in &self.desired.roles {
            if is_builtin_role(name) {
                continue;
            }
            let have = self.live.roles.get(name);
            if want.external {
                if have.is_none() {
                    return Err(DiffError::ExternalRoleMissing(name.clone()));
                }
                continue;
            }
            match have {
                None => {
                    self.push(Change::CreateRole {
                        name: name.clone(),
                        attributes: want.attributes.clone(),
                    });
                    self.comment(ObjectRef::role(name), &want.comment, &None);
                }
                Some(have) => {
                    if want.attributes != have.attributes {
                        self.push(Change::AlterRole {
                            name: name.clone(),
                            from: have.attributes.clone(),
                            to: want.attributes.clone(),
                        });
                    }
                    self.comment(ObjectRef::role(name), &want.comment, &have.comment);
                }
            }
            self.password(want, have);
            self.memberships(want, have);
            let empty = BTreeMap::new();
            let target = ParameterTarget::Role { role: name.clone() };
            self.parameters(target, &want.settings, have.map_or(&empty, |h| &h.settings));
            let target = ParameterTarget::RoleInDatabase {
                role: name.clone(),
                database: self.db_name.clone(),
            };
            let have_db = have.map_or(&empty, |h| &h.database_settings);
            self.parameters(target, &want.database_settings, have_db);
        }
        Ok(())
    }

    fn password(&mut self, want: &Role, have: Option<&Role>) {
        let Password::Desired { source, secret } = &want.password else {
            return;
        };
        let object = ObjectRef::role(&want.name);
        let Some(secret) = secret else {
            let message = match source {
                PasswordSource::Env(var) => {
                    format!("password not managed this run: environment variable {var} is not set")
                }
                other => format!("password not managed this run: {other} is not available"),
            };
            self.note(NoteKind::Skipped, object, message);
            return;
        };
        let reason = match have.map(|h| &h.password) {
            None => Some(PasswordReason::New),
            Some(Password::Absent) => Some(PasswordReason::Missing),
            Some(Password::Stored(stored)) => {
                match password::matches(secret.expose_secret(), stored.expose_secret(), &want.name)
                {
                    Some(true) => None,
                    Some(false) => Some(PasswordReason::Differs),
                    None => Some(PasswordReason::Unrecognised),
                }
            }
            Some(_) => {
                let message = "password cannot be checked: the stored verifier is not readable \
                               by this user (needs superuser); not re-set"
                    .to_string();
                self.note(NoteKind::Unverifiable, object, message);
                None
            }
        };
        if let Some(reason) = reason {
            self.push(Change::SetPassword {
                role: want.name.clone(),
                source: source.clone(),
                reason,
            });
        }
    }

    pub(super) fn owned_roles(&mut self) -> Result<(), DiffError> {
        let patterns = globs(&self.desired.scope.owned_role_patterns)?;
        if patterns.is_empty() {
            return Ok(());
        }
        for (name, have) in &self.live.roles {
            if self.desired.roles.contains_key(name)
                || is_builtin_role(name)
                || !patterns.is_match(name)
                || self
                    .live
                    .server
                    .as_ref()
                    .is_some_and(|s| &s.current_user == name)
            {
                continue;
            }
            if self.options.prune {
                self.push(Change::DropRole {
                    name: name.clone(),
                    reassign_to: self.desired.scope.reassign_owned_to.clone(),
                });
            } else {
                let login = if have.attributes.login { "login " } else { "" };
                let message = format!(
                    "{login}role matches an owned pattern but is not declared; left alone \
                     (use --prune to drop it)"
                );
                self.note(NoteKind::Unexpected, ObjectRef::role(name), message);
            }
        }
        Ok(())
    }
}
