//! Row-level security policies.

use crate::model::{Policy, QualifiedName};
use crate::sql::{qualified, quote_ident};

pub fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// The command keyword; anything unknown is `ALL` (canon rejects it before).
pub fn policy_command(command: &str) -> &'static str {
    match command.to_ascii_uppercase().as_str() {
        "SELECT" => "SELECT",
        "INSERT" => "INSERT",
        "UPDATE" => "UPDATE",
        "DELETE" => "DELETE",
        _ => "ALL",
    }
}

/// The `TO` list, sorted; `PUBLIC` for none.
pub fn roles_sql(roles: &[String]) -> String {
    if roles.is_empty() {
        return "PUBLIC".into();
    }
    sorted(roles)
        .iter()
        .map(|r| {
            if r == "PUBLIC" {
                "PUBLIC".to_string()
            } else {
                quote_ident(r)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE POLICY`, leaving out what is PostgreSQL's default (`AS PERMISSIVE`,
/// `FOR ALL`, `TO PUBLIC`).
pub fn create_policy(table: &QualifiedName, p: &Policy) -> String {
    let mut s = format!(
        "CREATE POLICY {} ON {}",
        quote_ident(&p.name),
        qualified(&table.schema, &table.name)
    );
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    let command = policy_command(&p.command);
    if command != "ALL" {
        s.push_str(&format!(" FOR {command}"));
    }
    let roles = roles_sql(&p.roles);
    if roles != "PUBLIC" {
        s.push_str(&format!(" TO {roles}"));
    }
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({})", super::expression::reparsable(u)));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(
            " WITH CHECK ({})",
            super::expression::reparsable(c)
        ));
    }
    s
}
