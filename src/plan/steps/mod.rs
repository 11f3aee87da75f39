//! One change → one step: its SQL, its description, its hazards and the keys that order
//! it. `node_for` matches every variant with no wildcard arm, so a new kind of change
//! does not compile until it has a step; each file builds the steps of one kind of object.
//!
//! Identifiers go through `quote_ident` / `qualified`, literals through `quote_literal`;
//! type names and expressions are canonical SQL already (`format_type`, `pg_get_expr`)
//! and are inserted as they are.

mod column;
mod comment;
mod constraint;
mod default_privileges;
mod domain;
mod enum_replace;
mod enum_type;
mod extension;
mod grant;
mod identity;
mod index;
mod membership;
mod owner;
mod parameter;
mod policy;
mod rename;
mod role;
mod routine;
mod schema;
mod sequence;
mod table;
mod trigger;
mod user_type;
mod view;

use super::Node;
use crate::diff::Change;
use crate::diff::tables::TableChange;

pub(super) fn node_for(change: &Change) -> Node {
    match change {
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
        Change::Table(change) => table_node_for(change),
        Change::Type(change) => user_type::node_for(change),
        Change::Routine(change) => routine::routine(change),
        Change::View(change) => view::node_for(change),
        Change::Rename(r) => rename::rename(r),
    }
}

/// Tables, columns, constraints, indexes, policies, sequences, types, extensions.
fn table_node_for(change: &TableChange) -> Node {
    match change {
        TableChange::CreateExtension {
            name,
            schema,
            version,
        } => extension::create_extension(name, schema, version),
        TableChange::UpdateExtension { name, from, to } => {
            extension::update_extension(name, from, to)
        }
        TableChange::SetExtensionSchema { name, from, to } => {
            extension::set_extension_schema(name, from, to)
        }
        TableChange::RecreateExtension {
            name,
            schema,
            from,
            to,
        } => extension::recreate_extension(name, schema, from, to),
        TableChange::DropExtension { name } => extension::drop_extension(name),
        TableChange::CreateEnum { enum_type: e } => enum_type::create_enum(e),
        TableChange::AddEnumValue {
            name,
            value,
            position,
        } => enum_type::add_enum_value(name, value, position),
        TableChange::ReplaceEnum {
            enum_type: e,
            live,
            temp_name,
            columns,
        } => enum_replace::replace_enum(e, live, temp_name, columns),
        TableChange::CreateDomain { domain: d } => domain::create_domain(d),
        TableChange::SetDomainDefault { name, from, to } => {
            domain::set_domain_default(name, from, to)
        }
        TableChange::SetDomainNotNull { name, not_null } => {
            domain::set_domain_not_null(name, *not_null)
        }
        TableChange::AddDomainCheck {
            name,
            check,
            expression,
        } => domain::add_domain_check(name, check, expression),
        TableChange::ValidateDomainCheck { name, check } => {
            domain::validate_domain_check(name, check)
        }
        TableChange::DropDomainCheck { name, check } => domain::drop_domain_check(name, check),
        TableChange::DropType { name, kind, uses } => enum_type::drop_type(name, *kind, uses),
        TableChange::CreateSequence { sequence: s } => sequence::create_sequence(s),
        TableChange::AlterSequence {
            name,
            from_type,
            to_type,
            from,
            to,
        } => sequence::alter_sequence(name, from_type, to_type, from, to),
        TableChange::SetSequenceOwnedBy { name, from, to } => {
            sequence::set_sequence_owned_by(name, from, to)
        }
        TableChange::DropSequence { name, owned_by } => {
            sequence::drop_sequence(name, owned_by.as_ref())
        }
        TableChange::CreateTable {
            table: t,
            owner,
            identity_sequences,
        } => table::create_table(t, owner.as_ref(), identity_sequences),
        TableChange::RenameTable { from, to } => table::rename_table(from, to),
        TableChange::DropTable { table: t } => table::drop_table(t),
        TableChange::SetLogged { table, unlogged } => table::set_logged(table, *unlogged),
        TableChange::SetRowSecurity {
            table,
            enable,
            force,
        } => table::set_row_security(table, enable, force),
        TableChange::AttachPartition {
            table,
            parent,
            bound,
        } => table::attach_partition(table, parent, bound),
        TableChange::DetachPartition { table, parent } => table::detach_partition(table, parent),
        TableChange::Inherit {
            table,
            parent,
            columns,
            checks,
        } => table::inherit(table, parent, columns, checks),
        TableChange::NoInherit { table, parent } => table::no_inherit(table, parent),
        TableChange::AddColumn {
            table,
            column: c,
            identity_sequence,
            heirs,
        } => column::add_column(table, c, identity_sequence, heirs),
        TableChange::DropColumn {
            table,
            column: c,
            heirs,
        } => column::drop_column(table, c, heirs),
        TableChange::RenameColumn { table, from, to } => column::rename_column(table, from, to),
        TableChange::AlterColumnTypes {
            table,
            columns,
            recreate_generated,
        } => column::alter_column_types(table, columns, recreate_generated),
        TableChange::SetColumnDefault {
            table,
            column,
            from,
            to,
        } => column::set_column_default(table, column, from, to),
        TableChange::SetNotNull {
            table,
            column,
            partitioned,
            name,
        } => column::set_not_null(table, column, *partitioned, name),
        TableChange::RenameNotNull {
            table,
            column,
            from,
            to,
        } => column::rename_not_null(table, column, from, to),
        TableChange::DropNotNull { table, column } => column::drop_not_null(table, column),
        TableChange::AddIdentity {
            table,
            column,
            type_name,
            identity,
            sequence,
        } => identity::add_identity(table, column, type_name, identity, sequence),
        TableChange::DropIdentity {
            table,
            column,
            sequence,
        } => identity::drop_identity(table, column, sequence.as_ref()),
        TableChange::AlterIdentity {
            table,
            column,
            type_name,
            from,
            to,
        } => identity::alter_identity(table, column, type_name, from, to),
        TableChange::DropExpression { table, column } => column::drop_expression(table, column),
        TableChange::RecreateColumn {
            table,
            column: c,
            from_generated,
            from_virtual,
        } => column::recreate_column(table, c, from_generated, *from_virtual),
        TableChange::GrantColumns {
            table,
            columns,
            grantee,
            privileges,
            with_grant_option,
        } => grant::grant_columns(table, columns, grantee, privileges, *with_grant_option),
        TableChange::RevokeColumns {
            table,
            columns,
            grantee,
            privileges,
            grant_option_only,
        } => grant::revoke_columns(table, columns, grantee, privileges, *grant_option_only),
        TableChange::AddConstraint {
            table,
            constraint: c,
            not_valid,
            new_table,
            referenced_key,
            reason,
        } => constraint::add_constraint(table, c, *not_valid, *new_table, referenced_key, reason),
        TableChange::ValidateConstraint {
            table,
            constraint: c,
        } => constraint::validate_constraint(table, c),
        TableChange::DropConstraint {
            table,
            constraint: c,
            drop_not_null,
            referenced_key,
            reason,
        } => constraint::drop_constraint(table, c, drop_not_null, referenced_key, reason),
        TableChange::RenameConstraint { table, from, to } => {
            constraint::rename_constraint(table, from, to)
        }
        TableChange::CreateIndex {
            table,
            index,
            concurrently,
            new_table,
        } => index::create_index(table, index, *concurrently, *new_table),
        TableChange::DropIndex { table, index } => index::drop_index(table, index),
        TableChange::RenameIndex { table, from, to } => index::rename_index(table, from, to),
        TableChange::SetIndexStorage {
            table,
            index,
            from,
            to,
        } => index::set_index_storage(table, index, from, to),
        TableChange::CreatePolicy { table, policy: p } => policy::create_policy(table, p),
        TableChange::AlterPolicy { table, from, to } => policy::alter_policy(table, from, to),
        TableChange::DropPolicy { table, policy: p } => policy::drop_policy(table, p),
        TableChange::CreateTrigger {
            table,
            trigger,
            from,
        } => trigger::create_trigger(table, trigger, from.as_deref()),
        TableChange::DropTrigger { table, trigger } => trigger::drop_trigger(table, trigger),
        TableChange::SetTriggerEnabled {
            table,
            trigger,
            from,
            to,
        } => trigger::set_trigger_enabled(table, trigger, *from, *to),
    }
}
