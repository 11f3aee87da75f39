//! One change → one step: its SQL, its description, its hazards and its dependencies.

use super::builder::{Builder, ident, object_name, object_sql, privilege_list, shown};
use super::{Action, Exec, HazardKind, Key, Node, phase};
use crate::diff::{Change, GrantTarget, ParameterTarget, PasswordReason};
use crate::model::*;
use crate::sql::{quote_ident, quote_literal};

pub(super) fn node_for(change: &Change) -> Node {
    let mut b = Builder::default();
    match change {
        Change::Table(change) => super::tables::node_for(change),
        Change::CreateRole { name, attributes } => {
            let opts = role_options(&RoleAttributes::default(), attributes);
            let with = if opts.is_empty() {
                String::new()
            } else {
                format!(" WITH {}", opts.join(" "))
            };
            b.sql(format!("CREATE ROLE {}{with}", quote_ident(name)));
            b.details = attribute_details(&RoleAttributes::default(), attributes, false);
            b.role_powers(attributes, &RoleAttributes::default());
            b.creates.push(Key::Role(name.clone()));
            b.finish(
                phase::CREATE_ROLE,
                Action::Create,
                ObjectRef::role(name),
                format!("create role {}", ident(name)),
            )
        }
        Change::AlterRole { name, from, to } => {
            let opts = role_options(from, to);
            b.sql(format!(
                "ALTER ROLE {} WITH {}",
                quote_ident(name),
                opts.join(" ")
            ));
            b.details = attribute_details(from, to, true);
            b.role_powers(to, from);
            b.requires.push(Key::Role(name.clone()));
            b.finish(
                phase::ALTER_ROLE,
                Action::Alter,
                ObjectRef::role(name),
                format!("alter role {}", ident(name)),
            )
        }
        Change::SetPassword {
            role,
            source,
            reason,
        } => {
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
                role: role.clone(),
                source: source.clone(),
            });
            b.details.push(format!("password: ({source})"));
            b.details.push(format!("reason: {why}"));
            b.requires.push(Key::Role(role.clone()));
            b.finish(
                phase::PASSWORD,
                Action::Alter,
                ObjectRef::role(role),
                format!("set password of role {}", ident(role)),
            )
        }
        Change::DropRole { name, reassign_to } => {
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
            b.drops.push(Key::Role(name.clone()));
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
        Change::SetComment { object, from, to } => {
            let value = to.as_deref().map_or("NULL".to_string(), quote_literal);
            b.sql(format!("COMMENT ON {} IS {value}", object_sql(object)));
            b.details.push(format!(
                "comment: {} → {}",
                shown(from.as_deref()),
                shown(to.as_deref())
            ));
            b.require_object(object);
            let verb = if to.is_some() { "set" } else { "remove" };
            b.finish(
                phase::COMMENT,
                Action::Alter,
                object.clone(),
                format!("{verb} comment on {object}"),
            )
        }
        Change::GrantMembership {
            role,
            member,
            options,
        } => {
            let with = membership_options(options, None);
            b.sql(format!(
                "GRANT {} TO {}{with}",
                quote_ident(role),
                quote_ident(member)
            ));
            b.membership_details(options);
            b.hazard(
                HazardKind::AuthorizationChange,
                format!("{} gains the privileges of {}", ident(member), ident(role)),
            );
            b.requires
                .extend([Key::Role(role.clone()), Key::Role(member.clone())]);
            b.finish(
                phase::MEMBERSHIP,
                Action::Grant,
                ObjectRef::role(member),
                format!("grant membership in {} to {}", ident(role), ident(member)),
            )
        }
        Change::AlterMembership {
            role,
            member,
            from,
            to,
        } => {
            if from.admin && !to.admin {
                b.sql(format!(
                    "REVOKE ADMIN OPTION FOR {} FROM {}",
                    quote_ident(role),
                    quote_ident(member)
                ));
            }
            let with = membership_options(to, Some(from));
            if !with.is_empty() {
                b.sql(format!(
                    "GRANT {} TO {}{with}",
                    quote_ident(role),
                    quote_ident(member)
                ));
            }
            for (label, a, z) in [
                ("admin", Some(from.admin), Some(to.admin)),
                ("inherit", from.inherit, to.inherit),
                ("set", from.set, to.set),
            ] {
                if a != z {
                    b.details
                        .push(format!("{label}: {} → {}", opt_bool(a), opt_bool(z)));
                }
            }
            b.requires
                .extend([Key::Role(role.clone()), Key::Role(member.clone())]);
            b.finish(
                phase::MEMBERSHIP,
                Action::Alter,
                ObjectRef::role(member),
                format!("alter membership of {} in {}", ident(member), ident(role)),
            )
        }
        Change::RevokeMembership { role, member } => {
            b.sql(format!(
                "REVOKE {} FROM {}",
                quote_ident(role),
                quote_ident(member)
            ));
            b.requires
                .extend([Key::Role(role.clone()), Key::Role(member.clone())]);
            b.finish(
                phase::MEMBERSHIP_REVOKE,
                Action::Revoke,
                ObjectRef::role(member),
                format!(
                    "revoke membership in {} from {}",
                    ident(role),
                    ident(member)
                ),
            )
        }
        Change::SetParameter {
            target,
            name,
            from,
            to,
        } => {
            let (prefix, object, label) = match target {
                ParameterTarget::Role { role } => {
                    b.requires.push(Key::Role(role.clone()));
                    (
                        format!("ALTER ROLE {}", quote_ident(role)),
                        ObjectRef::role(role),
                        format!("role {}", ident(role)),
                    )
                }
                ParameterTarget::RoleInDatabase { role, database } => {
                    b.requires.push(Key::Role(role.clone()));
                    (
                        format!(
                            "ALTER ROLE {} IN DATABASE {}",
                            quote_ident(role),
                            quote_ident(database)
                        ),
                        ObjectRef::role(role),
                        format!("role {} in database {}", ident(role), ident(database)),
                    )
                }
                ParameterTarget::Database { database } => (
                    format!("ALTER DATABASE {}", quote_ident(database)),
                    ObjectRef::Database {
                        name: database.clone(),
                    },
                    format!("database {}", ident(database)),
                ),
            };
            let param = parameter_name(name);
            match to {
                Some(v) => b.sql(format!("{prefix} SET {param} TO {}", v.to_sql())),
                None => b.sql(format!("{prefix} RESET {param}")),
            }
            b.details.push(format!(
                "{name}: {} → {}",
                from.as_ref()
                    .map_or("(not set)".to_string(), |v| v.stored()),
                to.as_ref().map_or("(not set)".to_string(), |v| v.stored())
            ));
            let verb = if to.is_some() { "set" } else { "reset" };
            b.finish(
                phase::PARAMETER,
                Action::Alter,
                object,
                format!("{verb} {name} for {label}"),
            )
        }
        Change::CreateSchema { name, owner } => {
            let auth = owner.as_deref().map_or(String::new(), |o| {
                format!(" AUTHORIZATION {}", quote_ident(o))
            });
            b.sql(format!("CREATE SCHEMA {}{auth}", quote_ident(name)));
            if let Some(o) = owner {
                b.details.push(format!("owner: {}", ident(o)));
                b.requires.push(Key::Role(o.clone()));
            }
            b.creates.push(Key::Schema(name.clone()));
            b.finish(
                phase::CREATE_SCHEMA,
                Action::Create,
                ObjectRef::schema(name),
                format!("create schema {}", ident(name)),
            )
        }
        Change::AlterOwner { object, from, to } => {
            b.sql(format!(
                "ALTER {} OWNER TO {}",
                object_sql(object),
                quote_ident(to)
            ));
            b.details.push(format!(
                "owner: {} → {}",
                from.as_deref().map_or("(unknown)".into(), ident),
                ident(to)
            ));
            b.hazard(
                HazardKind::AuthorizationChange,
                format!("{} takes ownership of {object}", ident(to)),
            );
            b.require_object(object);
            b.requires.push(Key::Role(to.clone()));
            if let Some(f) = from {
                b.requires.push(Key::Role(f.clone()));
            }
            b.finish(
                phase::OWNER,
                Action::Alter,
                object.clone(),
                format!("change owner of {object}"),
            )
        }
        Change::DropSchema { name, contents } => {
            if *contents > 0 {
                b.sql(format!("DROP SCHEMA {} CASCADE", quote_ident(name)));
            } else {
                b.sql(format!("DROP SCHEMA {}", quote_ident(name)));
            }
            b.hazard(
                HazardKind::DeletesData,
                format!(
                    "drops schema {} and the {contents} table{}, view{s}, sequence{s} or \
                     function{s} in it",
                    ident(name),
                    if *contents == 1 { "" } else { "s" },
                    s = if *contents == 1 { "" } else { "s" },
                ),
            );
            b.drops.push(Key::Schema(name.clone()));
            b.finish(
                phase::DROP_SCHEMA,
                Action::Drop,
                ObjectRef::schema(name),
                format!("drop schema {}", ident(name)),
            )
        }
        Change::Grant {
            target,
            grantee,
            privileges,
            with_grant_option,
        } => {
            let wgo = if *with_grant_option {
                " WITH GRANT OPTION"
            } else {
                ""
            };
            b.sql(format!(
                "GRANT {} ON {} TO {}{wgo}",
                privilege_list(privileges),
                target_sql(target),
                grantee.to_sql()
            ));
            b.grant_hazard(grantee, *with_grant_option);
            b.require_target(target, grantee);
            let suffix = if *with_grant_option {
                " with grant option"
            } else {
                ""
            };
            b.finish(
                phase::GRANT,
                Action::Grant,
                target_object(target),
                format!(
                    "grant {} on {} to {grantee}{suffix}",
                    privilege_list(privileges),
                    describe_target(target)
                ),
            )
        }
        Change::Revoke {
            target,
            grantee,
            privileges,
            grant_option_only,
        } => {
            let gof = if *grant_option_only {
                "GRANT OPTION FOR "
            } else {
                ""
            };
            b.sql(format!(
                "REVOKE {gof}{} ON {} FROM {}",
                privilege_list(privileges),
                target_sql(target),
                grantee.to_sql()
            ));
            b.require_target(target, grantee);
            let what = if *grant_option_only {
                "grant option for "
            } else {
                ""
            };
            b.finish(
                phase::REVOKE,
                Action::Revoke,
                target_object(target),
                format!(
                    "revoke {what}{} on {} from {grantee}",
                    privilege_list(privileges),
                    describe_target(target)
                ),
            )
        }
        Change::AlterDefaultPrivileges {
            key,
            grantee,
            privileges,
            grant,
            grant_option,
        } => {
            let head = format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}",
                quote_ident(&key.for_role),
                quote_ident(&key.schema)
            );
            let on = key.kind.plural_keyword();
            let privs = privilege_list(privileges);
            if *grant {
                let wgo = if *grant_option {
                    " WITH GRANT OPTION"
                } else {
                    ""
                };
                b.sql(format!(
                    "{head} GRANT {privs} ON {on} TO {}{wgo}",
                    grantee.to_sql()
                ));
                b.grant_hazard(grantee, *grant_option);
            } else {
                let gof = if *grant_option {
                    "GRANT OPTION FOR "
                } else {
                    ""
                };
                b.sql(format!(
                    "{head} REVOKE {gof}{privs} ON {on} FROM {}",
                    grantee.to_sql()
                ));
            }
            b.requires.extend([
                Key::Role(key.for_role.clone()),
                Key::Schema(key.schema.clone()),
            ]);
            if let Some(r) = grantee.role_name() {
                b.requires.push(Key::Role(r.to_string()));
            }
            let future = format!(
                "future {}s of {} in schema {}",
                key.kind.name(),
                ident(&key.for_role),
                ident(&key.schema)
            );
            if *grant {
                b.finish(
                    phase::DEFAULT_GRANT,
                    Action::Grant,
                    ObjectRef::schema(&key.schema),
                    format!("grant {privs} on {future} to {grantee}"),
                )
            } else {
                b.finish(
                    phase::DEFAULT_REVOKE,
                    Action::Revoke,
                    ObjectRef::schema(&key.schema),
                    format!("revoke {privs} on {future} from {grantee}"),
                )
            }
        }
    }
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

    fn membership_details(&mut self, m: &Membership) {
        if m.admin {
            self.details.push("admin: true".into());
        }
        if let Some(i) = m.inherit {
            self.details.push(format!("inherit: {i}"));
        }
        if let Some(s) = m.set {
            self.details.push(format!("set: {s}"));
        }
    }

    fn require_target(&mut self, target: &GrantTarget, grantee: &Grantee) {
        // Every object: a grant on several tables waits for each one created in the plan.
        for object in &target.objects {
            self.require_object(object);
        }
        if let Some(r) = grantee.role_name() {
            self.requires.push(Key::Role(r.to_string()));
        }
    }
}

fn opt_bool(v: Option<bool>) -> String {
    v.map_or("(default)".to_string(), |b| b.to_string())
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

/// ` WITH ADMIN OPTION, INHERIT TRUE, SET FALSE` — only what differs from `from` (or
/// everything non-default for a new membership).
fn membership_options(to: &Membership, from: Option<&Membership>) -> String {
    let mut opts = Vec::new();
    let admin_added = to.admin && from.is_none_or(|f| !f.admin);
    if admin_added {
        opts.push("ADMIN OPTION".to_string());
    }
    for (label, value, before) in [
        ("INHERIT", to.inherit, from.and_then(|f| f.inherit)),
        ("SET", to.set, from.and_then(|f| f.set)),
    ] {
        if let Some(v) = value
            && (from.is_none() || before != value)
        {
            opts.push(format!("{label} {}", if v { "TRUE" } else { "FALSE" }));
        }
    }
    if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH {}", opts.join(", "))
    }
}

fn parameter_name(name: &str) -> String {
    name.split('.')
        .map(quote_ident)
        .collect::<Vec<_>>()
        .join(".")
}

/// `TABLE a, b` / `SCHEMA s` / `ROUTINE f(int)`: the object list of a GRANT or REVOKE.
fn target_sql(target: &GrantTarget) -> String {
    let keyword = match target.kind {
        ObjectKind::Database => "DATABASE",
        ObjectKind::Schema => "SCHEMA",
        ObjectKind::Table => "TABLE",
        ObjectKind::Sequence => "SEQUENCE",
        ObjectKind::Function => "ROUTINE",
    };
    let names: Vec<String> = target.objects.iter().filter_map(object_name).collect();
    format!("{keyword} {}", names.join(", "))
}

fn target_object(target: &GrantTarget) -> ObjectRef {
    match target.objects.as_slice() {
        [one] => one.clone(),
        [first, ..] => match first {
            ObjectRef::Relation { name, .. } => ObjectRef::schema(&name.schema),
            ObjectRef::Function { id } => ObjectRef::schema(&id.schema),
            other => other.clone(),
        },
        [] => ObjectRef::Database {
            name: String::new(),
        },
    }
}

fn describe_target(target: &GrantTarget) -> String {
    match target.objects.as_slice() {
        [one] => one.to_string(),
        many => {
            let schema = match target_object(target) {
                ObjectRef::Schema { name } => ident(&name),
                other => other.to_string(),
            };
            format!("{} {}s in schema {schema}", many.len(), target.kind.name())
        }
    }
}
