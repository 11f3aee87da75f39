//! What the steps of every kind share: the `Builder` that collects one step (SQL,
//! description, hazards, dependency keys), the keys and hazards several kinds need,
//! object references, and the quoting wrappers for what people read. Step code imports
//! from here; this file imports no step code, so the plan's files form no cycle.

use super::{Action, Exec, Hazard, HazardKind, Key, Node, Step};
use crate::model::*;
use crate::sql::{qualified, quote_ident, quote_literal};

/// Collects one step: its SQL, description, hazards and dependency keys.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) statements: Vec<String>,
    pub(super) printed: Vec<String>,
    pub(super) exec: Option<Exec>,
    pub(super) details: Vec<String>,
    pub(super) hazards: Vec<Hazard>,
    pub(super) creates: Vec<Key>,
    pub(super) requires: Vec<Key>,
    pub(super) drops: Vec<Key>,
    /// Names this step gives to an existing object (a rename): every step that needs
    /// or drops the object under that name runs after it.
    pub(super) renames: Vec<Key>,
}

impl Builder {
    pub(super) fn sql(&mut self, statement: String) {
        self.printed.push(statement.clone());
        self.statements.push(statement);
    }

    pub(super) fn hazard(&mut self, kind: HazardKind, message: String) {
        self.hazards.push(Hazard { kind, message });
    }

    pub(super) fn grant_hazard(&mut self, grantee: &Grantee, with_grant_option: bool) {
        if *grantee == Grantee::Public {
            self.hazard(
                HazardKind::AuthorizationChange,
                "granted to PUBLIC: every role, present and future, receives it".into(),
            );
        }
        if with_grant_option {
            self.hazard(
                HazardKind::AuthorizationChange,
                format!("{grantee} may grant it on to other roles"),
            );
        }
    }

    pub(super) fn require_object(&mut self, object: &ObjectRef) {
        match object {
            ObjectRef::Role { name } => self.requires.push(Key::Role(name.clone())),
            ObjectRef::Schema { name } => self.requires.push(Key::Schema(name.clone())),
            ObjectRef::Relation { name, .. } => self.requires.extend([
                Key::Schema(name.schema.clone()),
                Key::Relation(name.clone()),
            ]),
            ObjectRef::Function { id } => self
                .requires
                .extend([Key::Schema(id.schema.clone()), Key::Function(id.clone())]),
            ObjectRef::TablePart { part, table, name } => {
                self.requires.push(Key::Relation(table.clone()));
                let (table, name) = (table.clone(), name.clone());
                self.requires.push(match part {
                    TablePart::Column => Key::Column(table, name),
                    TablePart::Constraint | TablePart::Index => Key::Constraint(table, name),
                    TablePart::Policy => Key::Policy(table, name),
                    TablePart::Trigger => Key::Trigger(table, name),
                });
            }
            ObjectRef::Type { name, .. } => self.requires.push(Key::Type(name.clone())),
            ObjectRef::Extension { name } => self.requires.push(Key::Extension(name.clone())),
            ObjectRef::Collation { name } => self.requires.push(Key::Collation(name.clone())),
            ObjectRef::Database { .. } => {}
        }
    }

    pub(super) fn finish(
        self,
        phase: u8,
        action: Action,
        object: ObjectRef,
        summary: String,
    ) -> Node {
        let exec = self.exec.unwrap_or(Exec::Sql(self.statements));
        Node {
            step: Step {
                number: 0,
                action,
                object,
                summary,
                details: self.details,
                sql: self.printed,
                hazards: self.hazards,
                transactional: true,
                exec,
            },
            phase,
            creates: self.creates,
            requires: self.requires,
            drops: self.drops,
            renames: self.renames,
        }
    }

    /// `ALTER … OWNER TO` for an object this step creates.
    pub(super) fn owned_by(&mut self, object: &ObjectRef, owner: Option<&String>) {
        if let Some(o) = owner {
            self.sql(format!(
                "ALTER {} OWNER TO {}",
                object_sql(object),
                quote_ident(o)
            ));
            self.details.push(format!("owner: {}", ident(o)));
            self.requires.push(Key::Role(o.clone()));
        }
    }

    /// `COMMENT ON` for an object this step creates.
    pub(super) fn comment(&mut self, object: &ObjectRef, comment: Option<&String>) {
        if let Some(c) = comment {
            self.sql(format!(
                "COMMENT ON {} IS {}",
                object_sql(object),
                quote_literal(c)
            ));
        }
    }

    /// The user-defined type a type name refers to (an enum or domain), if any.
    pub(super) fn require_type(&mut self, type_name: &str) {
        if let Some(name) = user_type(type_name) {
            self.requires.push(Key::Type(name));
        }
    }

    /// The user-defined collation a canonical collation name refers to (`app.ci`; the
    /// built-in ones are bare: `"C"`), if any.
    pub(super) fn require_collation(&mut self, collation: Option<&str>) {
        if let Some(name) = collation.and_then(user_type) {
            self.requires.push(Key::Collation(name));
        }
    }

    /// Sequences an expression takes values from (`nextval('s.seq'::regclass)`).
    pub(super) fn require_sequences(&mut self, expression: &str) {
        for name in nextval_sequences(expression) {
            self.requires.push(Key::Relation(name));
        }
    }

    /// The schema-qualified routines an expression calls (`app.norm(name)`), by name:
    /// a routine dropped and created again is dropped after it and created before it.
    pub(super) fn require_calls(&mut self, expression: &str) {
        let Ok(parsed) = pg_query::parse(
            &format!("SELECT {expression}"),
            pg_query::ParserOptions::DEFAULT,
        ) else {
            return;
        };
        let mut names: Vec<QualifiedName> = parsed
            .functions()
            .iter()
            .filter_map(|f| QualifiedName::parse(f))
            .filter(|n| !n.schema.is_empty() && n.schema != "pg_catalog")
            .collect();
        names.sort();
        for name in names {
            self.requires.push(Key::FunctionName(name));
        }
    }

    pub(super) fn require_column(&mut self, table: &QualifiedName, column: &str) {
        self.requires.extend([
            Key::Relation(table.clone()),
            Key::Column(table.clone(), column.to_string()),
        ]);
    }

    /// A table rewrite under an ACCESS EXCLUSIVE lock.
    pub(super) fn rewrite(&mut self, table: &QualifiedName) {
        self.hazard(
            HazardKind::RewritesTable,
            format!(
                "rewrites {table} and rebuilds its indexes: time and disk proportional to its \
                 size"
            ),
        );
        self.hazard(
            HazardKind::AccessExclusiveLock,
            format!("reads and writes of {table} wait until the rewrite ends"),
        );
    }
}

/// The schema-wide name an index of `table` takes.
pub(super) fn index_name(table: &QualifiedName, name: &str) -> Key {
    Key::IndexName(QualifiedName::new(table.schema.clone(), name.to_string()))
}

/// The keys a key constraint holds besides its own name: its index's name, and for a
/// primary key the table's one primary key.
pub(super) fn constraint_index_keys(table: &QualifiedName, c: &Constraint) -> Vec<Key> {
    match c.kind {
        ConstraintKind::PrimaryKey { .. } => {
            vec![index_name(table, &c.name), Key::TablePrimary(table.clone())]
        }
        ConstraintKind::Unique { .. } | ConstraintKind::Exclusion { .. } => {
            vec![index_name(table, &c.name)]
        }
        ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } => Vec::new(),
    }
}

pub(super) fn ident(name: &str) -> String {
    crate::sql::display_ident(name)
}

pub(super) fn shown(value: Option<&str>) -> String {
    value.map_or("(none)".to_string(), |v| format!("{v:?}"))
}

pub(super) fn privilege_list(privileges: &[Privilege]) -> String {
    privileges
        .iter()
        .map(|p| p.as_sql())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ROLE x`, `SCHEMA x`, `TABLE s.t`, `FUNCTION s.f(int)` … as used after `ON`.
pub(super) fn object_sql(object: &ObjectRef) -> String {
    match object {
        ObjectRef::Database { name } => format!("DATABASE {}", quote_ident(name)),
        ObjectRef::Role { name } => format!("ROLE {}", quote_ident(name)),
        ObjectRef::Schema { name } => format!("SCHEMA {}", quote_ident(name)),
        ObjectRef::Relation { kind, name } => {
            let keyword = match kind {
                RelationKind::Sequence => "SEQUENCE",
                RelationKind::View => "VIEW",
                RelationKind::MaterializedView => "MATERIALIZED VIEW",
                RelationKind::ForeignTable => "FOREIGN TABLE",
                RelationKind::Table | RelationKind::PartitionedTable => "TABLE",
            };
            format!(
                "{keyword} {}",
                object_name(object).unwrap_or_else(|| name.to_string())
            )
        }
        ObjectRef::Function { .. } => {
            format!("ROUTINE {}", object_name(object).unwrap_or_default())
        }
        ObjectRef::TablePart { part, table, name } => {
            let table = crate::sql::qualified(&table.schema, &table.name);
            match part {
                TablePart::Column => format!("COLUMN {table}.{}", quote_ident(name)),
                TablePart::Constraint => format!("CONSTRAINT {} ON {table}", quote_ident(name)),
                TablePart::Policy => format!("POLICY {} ON {table}", quote_ident(name)),
                TablePart::Trigger => format!("TRIGGER {} ON {table}", quote_ident(name)),
                TablePart::Index => {
                    let schema = object_schema(object).unwrap_or_default();
                    format!("INDEX {}", crate::sql::qualified(&schema, name))
                }
            }
        }
        ObjectRef::Type { kind, name } => {
            let keyword = match kind {
                TypeKind::Enum | TypeKind::Composite | TypeKind::Range => "TYPE",
                TypeKind::Domain => "DOMAIN",
            };
            format!(
                "{keyword} {}",
                crate::sql::qualified(&name.schema, &name.name)
            )
        }
        ObjectRef::Extension { name } => format!("EXTENSION {}", quote_ident(name)),
        ObjectRef::Collation { name } => format!("COLLATION {}", qn(name)),
    }
}

fn object_schema(object: &ObjectRef) -> Option<String> {
    match object {
        ObjectRef::Relation { name, .. }
        | ObjectRef::Type { name, .. }
        | ObjectRef::Collation { name } => Some(name.schema.clone()),
        ObjectRef::TablePart { table, .. } => Some(table.schema.clone()),
        ObjectRef::Function { id } => Some(id.schema.clone()),
        ObjectRef::Schema { name } => Some(name.clone()),
        _ => None,
    }
}

pub(super) fn object_name(object: &ObjectRef) -> Option<String> {
    match object {
        ObjectRef::Database { name } | ObjectRef::Role { name } | ObjectRef::Schema { name } => {
            Some(quote_ident(name))
        }
        ObjectRef::Relation { name, .. } => Some(crate::sql::qualified(&name.schema, &name.name)),
        ObjectRef::Function { id } => Some(format!(
            "{}({})",
            crate::sql::qualified(&id.schema, &id.name),
            id.arguments
        )),
        ObjectRef::Type { name, .. } | ObjectRef::Collation { name } => {
            Some(crate::sql::qualified(&name.schema, &name.name))
        }
        ObjectRef::Extension { name } => Some(quote_ident(name)),
        ObjectRef::TablePart { .. } => None,
    }
}

pub(super) fn expr_shown(v: Option<&str>) -> String {
    v.map_or("(none)".into(), str::to_string)
}

pub(super) fn qn(name: &QualifiedName) -> String {
    qualified(&name.schema, &name.name)
}

pub(super) fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn column_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ALTER TABLE t a, b`: one subcommand on one line, several on their own lines.
pub(super) fn alter_table(table: &QualifiedName, parts: &[String]) -> String {
    match parts {
        [one] => format!("ALTER TABLE {} {one}", qn(table)),
        many => format!("ALTER TABLE {}\n    {}", qn(table), many.join(",\n    ")),
    }
}

pub(super) fn extension_ref(name: &str) -> ObjectRef {
    ObjectRef::Extension {
        name: name.to_string(),
    }
}

pub(super) fn domain_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Type {
        kind: TypeKind::Domain,
        name: name.clone(),
    }
}

pub(super) fn sequence_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Relation {
        kind: RelationKind::Sequence,
        name: name.clone(),
    }
}

pub(super) fn table_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Relation {
        kind: RelationKind::Table,
        name: name.clone(),
    }
}

pub(super) fn column_ref(table: &QualifiedName, name: &str) -> ObjectRef {
    ObjectRef::table_part(TablePart::Column, table, name)
}

pub(super) fn constraint_ref(table: &QualifiedName, name: &str) -> ObjectRef {
    ObjectRef::table_part(TablePart::Constraint, table, name)
}

pub(super) fn index_ref(table: &QualifiedName, name: &str) -> ObjectRef {
    ObjectRef::table_part(TablePart::Index, table, name)
}

pub(super) fn policy_ref(table: &QualifiedName, name: &str) -> ObjectRef {
    ObjectRef::table_part(TablePart::Policy, table, name)
}

pub(super) fn trigger_ref(table: &QualifiedName, name: &str) -> ObjectRef {
    ObjectRef::table_part(TablePart::Trigger, table, name)
}

/// The enum or domain a canonical type name refers to: `general.mood`, `general.mood[]`;
/// built-in types (never schema-qualified by `format_type` … except `pg_catalog` ones,
/// which are skipped) give `None`.
pub(super) fn user_type(type_name: &str) -> Option<QualifiedName> {
    let mut t = type_name.trim();
    while let Some(s) = t.strip_suffix("[]") {
        t = s.trim_end();
    }
    if t.ends_with(')')
        && let Some(i) = t.rfind('(')
    {
        t = t[..i].trim_end();
    }
    let parts = crate::sql::split_qualified(t)?;
    match parts.as_slice() {
        [schema, name] if schema != "pg_catalog" => Some(QualifiedName::new(schema, name)),
        _ => None,
    }
}

/// Sequences named in `nextval('…'::regclass)` calls of a canonical expression.
fn nextval_sequences(expression: &str) -> Vec<QualifiedName> {
    let mut out = Vec::new();
    let mut rest = expression;
    while let Some(i) = rest.find("nextval('") {
        rest = &rest[i + "nextval('".len()..];
        let mut literal = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut end = rest.len();
        while let Some((j, ch)) = chars.next() {
            if ch == '\'' {
                if chars.peek().map(|(_, c)| *c) == Some('\'') {
                    chars.next();
                    literal.push('\'');
                    continue;
                }
                end = j + 1;
                break;
            }
            literal.push(ch);
        }
        rest = &rest[end..];
        if let Some(parts) = crate::sql::split_qualified(&literal)
            && let [schema, name] = parts.as_slice()
        {
            out.push(QualifiedName::new(schema, name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qn(text: &str) -> QualifiedName {
        QualifiedName::parse(text).unwrap()
    }

    #[test]
    fn type_names_and_nextval_calls_give_dependency_keys() {
        assert_eq!(user_type("general.mood[]"), Some(qn("general.mood")));
        assert_eq!(user_type("\"My\".t(3)"), Some(qn("\"My\".t")));
        assert_eq!(user_type("timestamp(3) with time zone"), None);
        assert_eq!(user_type("character varying(20)[]"), None);
        assert_eq!(user_type("integer"), None);
        assert_eq!(
            nextval_sequences("nextval('general.\"Odd''s\"'::regclass) + nextval('s.x'::regclass)"),
            vec![qn("general.\"Odd's\""), qn("s.x")]
        );
    }
}
