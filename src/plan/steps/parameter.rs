//! Configuration parameters of a role, a role in a database, or the database.

use crate::diff::ParameterTarget;
use crate::model::*;
use crate::plan::builder::{Builder, ident};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn set_parameter(
    target: &ParameterTarget,
    name: &str,
    from: &Option<SettingValue>,
    to: &Option<SettingValue>,
) -> Node {
    let mut b = Builder::default();
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

fn parameter_name(name: &str) -> String {
    name.split('.')
        .map(quote_ident)
        .collect::<Vec<_>>()
        .join(".")
}
