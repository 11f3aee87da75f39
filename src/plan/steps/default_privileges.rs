//! Default privileges: what a role's future objects in a schema grant.

use crate::model::*;
use crate::plan::builder::{Builder, ident, privilege_list};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn alter_default_privileges(
    key: &DefaultPrivilegeKey,
    grantee: &Grantee,
    privileges: &[Privilege],
    grant: bool,
    grant_option: bool,
) -> Node {
    let mut b = Builder::default();
    let head = format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}",
        quote_ident(&key.for_role),
        quote_ident(&key.schema)
    );
    let on = key.kind.plural_keyword();
    let privs = privilege_list(privileges);
    if grant {
        let wgo = if grant_option {
            " WITH GRANT OPTION"
        } else {
            ""
        };
        b.sql(format!(
            "{head} GRANT {privs} ON {on} TO {}{wgo}",
            grantee.to_sql()
        ));
        b.grant_hazard(grantee, grant_option);
    } else {
        let gof = if grant_option {
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
    if grant {
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
