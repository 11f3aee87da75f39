//! Privileges on objects and on columns: `GRANT` and `REVOKE`.

use crate::diff::GrantTarget;
use crate::model::*;
use crate::plan::builder::{
    Builder, column_list, ident, ident_list, object_name, privilege_list, qn, table_ref,
};
use crate::plan::{Action, Key, Node, phase};

pub(super) fn grant(
    target: &GrantTarget,
    grantee: &Grantee,
    privileges: &[Privilege],
    with_grant_option: bool,
) -> Node {
    let mut b = Builder::default();
    let wgo = if with_grant_option {
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
    b.grant_hazard(grantee, with_grant_option);
    b.require_target(target, grantee);
    let suffix = if with_grant_option {
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

pub(super) fn revoke(
    target: &GrantTarget,
    grantee: &Grantee,
    privileges: &[Privilege],
    grant_option_only: bool,
) -> Node {
    let mut b = Builder::default();
    let gof = if grant_option_only {
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
    if target.kind == ObjectKind::Table {
        for object in &target.objects {
            if let ObjectRef::Relation { name, .. } = object {
                b.creates
                    .push(Key::TablePrivileges(name.clone(), grantee.clone()));
            }
        }
    }
    let what = if grant_option_only {
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

pub(super) fn grant_columns(
    table: &QualifiedName,
    columns: &[String],
    grantee: &Grantee,
    privileges: &[Privilege],
    with_grant_option: bool,
) -> Node {
    let mut b = Builder::default();
    let list = column_privileges(privileges, columns);
    let wgo = if with_grant_option {
        " WITH GRANT OPTION"
    } else {
        ""
    };
    b.sql(format!(
        "GRANT {list} ON TABLE {} TO {}{wgo}",
        qn(table),
        grantee.to_sql()
    ));
    b.grant_hazard(grantee, with_grant_option);
    b.require_columns(table, columns, grantee);
    // After a table-level revoke from the grantee, which would take it away again.
    (b.requires).push(Key::TablePrivileges(table.clone(), grantee.clone()));
    let suffix = if with_grant_option {
        " with grant option"
    } else {
        ""
    };
    b.finish(
        phase::GRANT,
        Action::Grant,
        table_ref(table),
        format!(
            "grant {} ({}) on table {table} to {grantee}{suffix}",
            privilege_list(privileges),
            ident_list(columns)
        ),
    )
}

pub(super) fn revoke_columns(
    table: &QualifiedName,
    columns: &[String],
    grantee: &Grantee,
    privileges: &[Privilege],
    grant_option_only: bool,
) -> Node {
    let mut b = Builder::default();
    let list = column_privileges(privileges, columns);
    let gof = if grant_option_only {
        "GRANT OPTION FOR "
    } else {
        ""
    };
    b.sql(format!(
        "REVOKE {gof}{list} ON TABLE {} FROM {}",
        qn(table),
        grantee.to_sql()
    ));
    b.require_columns(table, columns, grantee);
    let what = if grant_option_only {
        "grant option for "
    } else {
        ""
    };
    b.finish(
        phase::REVOKE,
        Action::Revoke,
        table_ref(table),
        format!(
            "revoke {what}{} ({}) on table {table} from {grantee}",
            privilege_list(privileges),
            ident_list(columns)
        ),
    )
}

impl Builder {
    fn require_target(&mut self, target: &GrantTarget, grantee: &Grantee) {
        // Every object: a grant on several tables waits for each one created in the plan.
        for object in &target.objects {
            self.require_object(object);
        }
        if let Some(r) = grantee.role_name() {
            self.requires.push(Key::Role(r.to_string()));
        }
    }

    fn require_columns(&mut self, table: &QualifiedName, columns: &[String], grantee: &Grantee) {
        self.requires.push(Key::Relation(table.clone()));
        for c in columns {
            self.requires.push(Key::Column(table.clone(), c.clone()));
        }
        if let Some(r) = grantee.role_name() {
            self.requires.push(Key::Role(r.to_string()));
        }
    }
}

/// `TABLE a, b` / `SCHEMA s` / `ROUTINE f(int)`: the object list of a GRANT or REVOKE.
fn target_sql(target: &GrantTarget) -> String {
    let keyword = match target.kind {
        ObjectKind::Database => "DATABASE",
        ObjectKind::Schema => "SCHEMA",
        ObjectKind::Table => "TABLE",
        ObjectKind::Sequence => "SEQUENCE",
        ObjectKind::Function => "ROUTINE",
        // Domains too: `ON TYPE` accepts them.
        ObjectKind::Type => "TYPE",
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
            ObjectRef::Type { name, .. } => ObjectRef::schema(&name.schema),
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

/// `SELECT (a, b), UPDATE (a, b)`.
fn column_privileges(privileges: &[Privilege], columns: &[String]) -> String {
    let cols = column_list(columns);
    privileges
        .iter()
        .map(|p| format!("{} ({cols})", p.as_sql()))
        .collect::<Vec<_>>()
        .join(", ")
}
