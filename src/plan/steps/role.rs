//! Roles: create, alter attributes, set the password, drop.

use crate::diff::PasswordReason;
use crate::model::*;
use crate::plan::builder::{Builder, ident};
use crate::plan::{Action, Exec, HazardKind, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn create_role(name: &str, attributes: &RoleAttributes) -> Node {
    let mut b = Builder::default();
    let opts = role_options(&RoleAttributes::default(), attributes);
    let with = if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH {}", opts.join(" "))
    };
    b.sql(format!("CREATE ROLE {}{with}", quote_ident(name)));
    b.details = attribute_details(&RoleAttributes::default(), attributes, false);
    b.role_powers(attributes, &RoleAttributes::default());
    b.creates.push(Key::Role(name.to_string()));
    b.finish(
        phase::CREATE_ROLE,
        Action::Create,
        ObjectRef::role(name),
        format!("create role {}", ident(name)),
    )
}

pub(super) fn alter_role(name: &str, from: &RoleAttributes, to: &RoleAttributes) -> Node {
    let mut b = Builder::default();
    let opts = role_options(from, to);
    b.sql(format!(
        "ALTER ROLE {} WITH {}",
        quote_ident(name),
        opts.join(" ")
    ));
    b.details = attribute_details(from, to, true);
    b.role_powers(to, from);
    b.requires.push(Key::Role(name.to_string()));
    b.finish(
        phase::ALTER_ROLE,
        Action::Alter,
        ObjectRef::role(name),
        format!("alter role {}", ident(name)),
    )
}

pub(super) fn set_password(role: &str, source: &PasswordSource, reason: &PasswordReason) -> Node {
    let mut b = Builder::default();
    let why = match reason {
        PasswordReason::New => "new role",
        PasswordReason::Missing => "the role has no password",
        PasswordReason::Differs => "the stored password differs",
        PasswordReason::Unrecognised => "the stored verifier is not in a known form",
    };
    b.printed.push(format!(
        "-- ALTER ROLE {} PASSWORD '…' ({source}; the secret is never printed, \
         pgrecon apply sends it as a SCRAM verifier)",
        quote_ident(role)
    ));
    b.exec = Some(Exec::SetPassword {
        role: role.to_string(),
        source: source.clone(),
    });
    b.details.push(format!("password: ({source})"));
    b.details.push(format!("reason: {why}"));
    b.requires.push(Key::Role(role.to_string()));
    b.finish(
        phase::PASSWORD,
        Action::Alter,
        ObjectRef::role(role),
        format!("set password of role {}", ident(role)),
    )
}

pub(super) fn drop_role(name: &str, reassign_to: &Option<String>) -> Node {
    let mut b = Builder::default();
    let to = reassign_to
        .as_deref()
        .map_or("CURRENT_USER".to_string(), quote_ident);
    let r = quote_ident(name);
    b.sql(format!("REASSIGN OWNED BY {r} TO {to}"));
    b.sql(format!("DROP OWNED BY {r}"));
    b.sql(format!("DROP ROLE {r}"));
    b.hazard(
        HazardKind::DropsRole,
        format!(
            "drops role {}: its objects in this database go to {}, its privileges are \
             revoked, sessions using it can no longer log in",
            ident(name),
            reassign_to
                .as_deref()
                .map_or("the current user".into(), ident)
        ),
    );
    b.drops.push(Key::Role(name.to_string()));
    if let Some(t) = reassign_to {
        b.requires.push(Key::Role(t.clone()));
    }
    b.finish(
        phase::DROP_ROLE,
        Action::Drop,
        ObjectRef::role(name),
        format!("drop role {}", ident(name)),
    )
}

impl Builder {
    fn role_powers(&mut self, to: &RoleAttributes, from: &RoleAttributes) {
        for (name, now, before) in [
            ("SUPERUSER", to.superuser, from.superuser),
            ("CREATEROLE", to.createrole, from.createrole),
            ("BYPASSRLS", to.bypassrls, from.bypassrls),
            ("REPLICATION", to.replication, from.replication),
        ] {
            if now && !before {
                self.hazard(
                    HazardKind::AuthorizationChange,
                    format!("grants {name}, which bypasses ordinary privilege checks"),
                );
            }
        }
    }
}

/// The options of `CREATE/ALTER ROLE` that differ between `from` and `to`.
fn role_options(from: &RoleAttributes, to: &RoleAttributes) -> Vec<String> {
    let mut opts = Vec::new();
    for (yes, no, a, z) in [
        ("LOGIN", "NOLOGIN", from.login, to.login),
        ("SUPERUSER", "NOSUPERUSER", from.superuser, to.superuser),
        ("CREATEDB", "NOCREATEDB", from.createdb, to.createdb),
        ("CREATEROLE", "NOCREATEROLE", from.createrole, to.createrole),
        ("INHERIT", "NOINHERIT", from.inherit, to.inherit),
        (
            "REPLICATION",
            "NOREPLICATION",
            from.replication,
            to.replication,
        ),
        ("BYPASSRLS", "NOBYPASSRLS", from.bypassrls, to.bypassrls),
    ] {
        if a != z {
            opts.push(if z { yes } else { no }.to_string());
        }
    }
    if from.connection_limit != to.connection_limit {
        opts.push(format!("CONNECTION LIMIT {}", to.connection_limit));
    }
    if from.valid_until != to.valid_until {
        let v = to.valid_until.as_deref().unwrap_or("infinity");
        opts.push(format!("VALID UNTIL {}", quote_literal(v)));
    }
    opts
}

fn attribute_details(from: &RoleAttributes, to: &RoleAttributes, show_old: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = |name: &str, a: String, z: String| {
        if a != z {
            out.push(if show_old {
                format!("{name}: {a} → {z}")
            } else {
                format!("{name}: {z}")
            });
        }
    };
    line("login", from.login.to_string(), to.login.to_string());
    line(
        "superuser",
        from.superuser.to_string(),
        to.superuser.to_string(),
    );
    line(
        "createdb",
        from.createdb.to_string(),
        to.createdb.to_string(),
    );
    line(
        "createrole",
        from.createrole.to_string(),
        to.createrole.to_string(),
    );
    line("inherit", from.inherit.to_string(), to.inherit.to_string());
    line(
        "replication",
        from.replication.to_string(),
        to.replication.to_string(),
    );
    line(
        "bypassrls",
        from.bypassrls.to_string(),
        to.bypassrls.to_string(),
    );
    line(
        "connection limit",
        from.connection_limit.to_string(),
        to.connection_limit.to_string(),
    );
    line(
        "valid until",
        from.valid_until.clone().unwrap_or("(never expires)".into()),
        to.valid_until.clone().unwrap_or("(never expires)".into()),
    );
    out
}
