//! One change → one step: its SQL, its description, its hazards and its dependencies.
//! `node_for` matches every variant with no wildcard arm, so a new kind of change does
//! not compile until it has a step; each file builds the steps of one kind of object.

mod comment;
mod default_privileges;
mod grant;
mod membership;
mod owner;
mod parameter;
mod role;
mod schema;

use super::Node;
use crate::diff::Change;

pub(super) fn node_for(change: &Change) -> Node {
    match change {
        Change::Table(change) => super::tables::node_for(change),
        Change::CreateRole { name, attributes } => role::create_role(name, attributes),
        Change::AlterRole { name, from, to } => role::alter_role(name, from, to),
        Change::SetPassword {
            role,
            source,
            reason,
        } => role::set_password(role, source, reason),
        Change::DropRole { name, reassign_to } => role::drop_role(name, reassign_to),
        Change::SetComment { object, from, to } => comment::set_comment(object, from, to),
        Change::GrantMembership {
            role,
            member,
            options,
        } => membership::grant_membership(role, member, options),
        Change::AlterMembership {
            role,
            member,
            from,
            to,
        } => membership::alter_membership(role, member, from, to),
        Change::RevokeMembership { role, member } => membership::revoke_membership(role, member),
        Change::SetParameter {
            target,
            name,
            from,
            to,
        } => parameter::set_parameter(target, name, from, to),
        Change::CreateSchema { name, owner } => schema::create_schema(name, owner),
        Change::AlterOwner { object, from, to } => owner::alter_owner(object, from, to),
        Change::DropSchema { name, contents } => schema::drop_schema(name, *contents),
        Change::Grant {
            target,
            grantee,
            privileges,
            with_grant_option,
        } => grant::grant(target, grantee, privileges, *with_grant_option),
        Change::Revoke {
            target,
            grantee,
            privileges,
            grant_option_only,
        } => grant::revoke(target, grantee, privileges, *grant_option_only),
        Change::AlterDefaultPrivileges {
            key,
            grantee,
            privileges,
            grant,
            grant_option,
        } => default_privileges::alter_default_privileges(
            key,
            grantee,
            privileges,
            *grant,
            *grant_option,
        ),
    }
}
