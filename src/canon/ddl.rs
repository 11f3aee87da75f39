//! The scratch DDL: statements that create the desired objects (or copies of them) so
//! the server parses every type name and expression, with labelled clauses so that a
//! rejected statement can be pinned to the column, constraint, index or policy at fault.

use crate::config::sql_check::{SqlKind, check_pasted};
use crate::ddl::collation_sql;
use crate::ddl::column::{ColumnParts, column_definition};
use crate::ddl::constraint::{exclude_sql, exclusion_element_sql, named_check_sql, named_sql};
use crate::ddl::domain::DomainParts;
use crate::ddl::index::key_sql;
use crate::model::*;
use crate::sql::{quote_ident, quote_literal};

/// One statement with the character ranges of its labelled clauses.
#[derive(Debug, Clone)]
pub(super) struct Stmt {
    pub sql: String,
    /// (first char, end char, label), character offsets into `sql` (0-based).
    pub clauses: Vec<(usize, usize, String)>,
    chars: usize,
}

impl Stmt {
    pub fn new() -> Self {
        Stmt {
            sql: String::new(),
            clauses: Vec::new(),
            chars: 0,
        }
    }

    pub fn raw(sql: impl Into<String>) -> Self {
        let mut s = Stmt::new();
        s.push(&sql.into());
        s
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self.chars += text.chars().count();
        self
    }

    /// Appends `text` and remembers it as the clause `label`.
    pub fn clause(&mut self, label: impl Into<String>, text: &str) -> &mut Self {
        let start = self.chars;
        self.push(text);
        self.clauses.push((start, self.chars, label.into()));
        self
    }

    /// The label of the clause holding the 1-based character `position` the server
    /// reported, if any.
    pub fn label_at(&self, position: usize) -> Option<&str> {
        let p = position.checked_sub(1)?;
        self.clauses
            .iter()
            .filter(|(s, e, _)| *s <= p && p < *e)
            .min_by_key(|(s, e, _)| e - s)
            .map(|(_, _, l)| l.as_str())
    }
}

impl crate::ddl::Sink for Stmt {
    fn text(&mut self, text: &str) {
        self.push(text);
    }

    fn clause(&mut self, label: String, text: &str) {
        Stmt::clause(self, label, text);
    }
}

/// Statements that belong to one desired object (the unit errors are reported by).
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// `table general.notes`, `domain general.email`.
    pub object: String,
    /// The declaration the statements come from, to point at it in errors.
    pub declared: Option<super::Declared>,
    /// Whether the group creates the declared object (its indexes and policies come in
    /// later groups, which cannot run when it failed).
    pub creates: bool,
    /// The schema whose objects unqualified names resolve to while creating.
    pub search_path: Option<String>,
    pub stmts: Vec<Stmt>,
}

/// A SQL fragment from the desired state that is not a single well-formed piece of SQL.
#[derive(Debug, Clone)]
pub(super) struct Malformed {
    pub what: String,
    pub message: String,
}

/// A message's first letter lowercased, unless it starts a word in capitals
/// (`INSERT trigger's …`).
pub(super) fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(_) if c.clone().next().is_some_and(char::is_uppercase) => s.to_string(),
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Collects the fragment problems while statements are built.
#[derive(Default)]
pub(super) struct Checker {
    pub problems: Vec<Malformed>,
}

impl Checker {
    /// Whether the fragment is well-formed; records a problem when it is not.
    pub fn ok(&mut self, what: impl FnOnce() -> String, kind: SqlKind, text: &str) -> bool {
        match check_pasted(kind, text) {
            Ok(()) => true,
            Err(message) => {
                self.problems.push(Malformed {
                    what: what(),
                    message: lowercase_first(&message),
                });
                false
            }
        }
    }
}

/// An operator in `EXCLUDE … WITH op`: qualified ones need `OPERATOR(schema.op)`.
pub(super) fn operator_sql(op: &str) -> Option<String> {
    let op = op.trim();
    if let Some(inner) = op
        .strip_prefix("OPERATOR(")
        .or_else(|| op.strip_prefix("operator("))
        .and_then(|s| s.strip_suffix(')'))
    {
        return operator_sql(inner).map(|o| {
            if o.starts_with("OPERATOR(") {
                o
            } else {
                format!("OPERATOR({o})")
            }
        });
    }
    const OP_CHARS: &str = "+-*/<>=~!@#%^&|`?";
    match op.rsplit_once('.') {
        Some((schema, name)) => {
            let schema_ok = crate::sql::split_qualified(schema).is_some_and(|p| p.len() == 1);
            let name_ok = !name.is_empty() && name.chars().all(|c| OP_CHARS.contains(c));
            (schema_ok && name_ok).then(|| format!("OPERATOR({schema}.{name})"))
        }
        None => {
            (!op.is_empty() && op.chars().all(|c| OP_CHARS.contains(c))).then(|| op.to_string())
        }
    }
}

fn storage_key_ok(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

pub(super) fn create_sequence(
    ck: &mut Checker,
    target: &QualifiedName,
    seq: &Sequence,
    object: &str,
) -> Stmt {
    let ty = ck
        .ok(|| format!("{object}: type"), SqlKind::Type, &seq.data_type)
        .then_some(seq.data_type.as_str());
    let mut s = Stmt::new();
    crate::ddl::sequence::create_sequence(&mut s, target, ty, &seq.options);
    s
}

pub(super) fn create_enum(target: &QualifiedName, e: &EnumType) -> Stmt {
    Stmt::raw(crate::ddl::enum_type::create_enum(target, &e.values))
}

pub(super) fn create_domain(
    ck: &mut Checker,
    target: &QualifiedName,
    d: &Domain,
    object: &str,
) -> Stmt {
    // A malformed part is reported (and the statement never runs) or left out.
    let base_type = if ck.ok(|| format!("{object}: type"), SqlKind::Type, &d.base_type) {
        d.base_type.as_str()
    } else {
        "text"
    };
    let collation = d.collation.as_deref().filter(|c| {
        ck.ok(
            || format!("{object}: collation"),
            SqlKind::Type,
            &collation_sql(c),
        )
    });
    let default = d
        .default
        .as_ref()
        .filter(|def| ck.ok(|| format!("{object}: default"), SqlKind::Expression, def))
        .map(|def| format!("({def})"));
    let checks = d
        .checks
        .iter()
        .filter(|(name, expr)| {
            ck.ok(
                || format!("{object}: check {name}"),
                SqlKind::Expression,
                expr,
            )
        })
        .map(|(name, expr)| (name.as_str(), expr.as_str()))
        .collect();
    let mut s = Stmt::new();
    crate::ddl::domain::create_domain(
        &mut s,
        target,
        DomainParts {
            base_type,
            collation,
            default,
            not_null: d.not_null,
            checks,
        },
    );
    s
}

/// Where the scratch copy of a table goes and how its partition parent is named.
pub(super) struct TableTarget<'a> {
    pub name: QualifiedName,
    /// The scratch name of the parent, for a partition.
    pub parent: Option<(QualifiedName, &'a str)>,
    /// Columns the parent defines, for a partition: declared on the partition only as
    /// `WITH OPTIONS`.
    pub parent_columns: Vec<String>,
    /// The scratch names of the tables it inherits from (`INHERITS`).
    pub inherits: Vec<QualifiedName>,
}

/// `CREATE TABLE` for the scratch copy: columns (types, collations, defaults,
/// generated, identity), check and exclusion constraints, partitioning. Keys, unique
/// and foreign-key constraints hold no text to canonicalise and are left out.
pub(super) fn create_table(
    ck: &mut Checker,
    table: &Table,
    target: &TableTarget<'_>,
    object: &str,
    stub: bool,
) -> Stmt {
    let mut items: Vec<(String, String)> = Vec::new(); // (label, text)
    for c in &table.columns {
        let label = format!("column {}", quote_ident(&c.name));
        let what = || format!("{object}: {label}");
        let inherited = target.parent.is_some() && target.parent_columns.contains(&c.name);
        let type_name = if inherited {
            None
        } else if ck.ok(what, SqlKind::Type, &c.type_name) {
            Some(c.type_name.as_str())
        } else {
            continue;
        };
        let collation = c
            .collation
            .as_deref()
            .filter(|coll| !inherited && !stub && ck.ok(what, SqlKind::Type, &collation_sql(coll)));
        let mut parts = ColumnParts {
            name: &c.name,
            type_name,
            collation,
            generated: None,
            identity: None,
            default: None,
            not_null: false,
            // Left out: the scratch copy has no use for the constraint's name.
            not_null_name: None,
        };
        if !stub {
            // Stored even when declared virtual: the scratch copy only needs the
            // expression's canonical text.
            parts.generated = c
                .generated
                .as_deref()
                .filter(|g| ck.ok(what, SqlKind::Expression, g) && !inherited)
                .map(|g| (g, false));
            parts.identity = c
                .identity
                .as_ref()
                .filter(|_| !inherited)
                .map(|id| (id, None));
            parts.default = c
                .default
                .as_ref()
                .filter(|d| ck.ok(what, SqlKind::Expression, d))
                .map(|d| format!("({d})"));
            parts.not_null = c.not_null;
        }
        // A partition's column with nothing to add to the parent's is not written.
        if inherited && parts.default.is_none() && !parts.not_null {
            continue;
        }
        let text = column_definition(parts);
        items.push((label, text));
    }
    if !stub {
        for (name, con) in &table.constraints {
            let label = format!("constraint {}", quote_ident(name));
            let what = || format!("{object}: {label}");
            match &con.kind {
                ConstraintKind::Check {
                    expression,
                    no_inherit,
                } if ck.ok(what, SqlKind::Expression, expression) => {
                    items.push((label, named_check_sql(name, expression, *no_inherit)));
                }
                ConstraintKind::Exclusion {
                    method,
                    elements,
                    predicate,
                } => {
                    let mut parts = Vec::new();
                    let mut ok = true;
                    for e in elements {
                        match (&e.column, &e.expression) {
                            (Some(_), _) => {}
                            (None, Some(x)) if ck.ok(what, SqlKind::Expression, x) => {}
                            _ => {
                                ok = false;
                                continue;
                            }
                        }
                        match operator_sql(&e.operator) {
                            Some(op) => parts.push(exclusion_element_sql(e, &op)),
                            None => {
                                ck.problems.push(Malformed {
                                    what: what(),
                                    message: format!("`{}` is not an operator", e.operator),
                                });
                                ok = false;
                            }
                        }
                    }
                    let method_ok = method
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if !method_ok {
                        ck.problems.push(Malformed {
                            what: what(),
                            message: format!("`{method}` is not an index method"),
                        });
                    }
                    if !ok || !method_ok {
                        continue;
                    }
                    let predicate = predicate
                        .as_deref()
                        .filter(|p| ck.ok(what, SqlKind::Expression, p));
                    let def = exclude_sql(&method.to_ascii_lowercase(), &parts, predicate);
                    let t = named_sql(name, &def, con.deferrable, con.initially_deferred);
                    items.push((label, t));
                }
                _ => {}
            }
        }
    }
    let bound = target.parent.as_ref().map(|(parent, bound)| {
        let ok = ck.ok(
            || format!("{object}: partition bound"),
            SqlKind::PartitionBound,
            bound,
        );
        // A malformed bound is reported and the statement never runs.
        (parent, if ok { *bound } else { "DEFAULT" })
    });
    let partition_by = table.partition_by.as_deref().filter(|by| {
        !stub
            && ck.ok(
                || format!("{object}: partition_by"),
                SqlKind::PartitionBy,
                by,
            )
    });
    let mut s = Stmt::new();
    crate::ddl::table::create_table(
        &mut s,
        &target.name,
        false,
        items,
        bound,
        &target.inherits,
        partition_by,
    );
    s
}

/// `CREATE INDEX` on the scratch copy.
pub(super) fn create_index(
    ck: &mut Checker,
    table: &QualifiedName,
    index: &Index,
    object: &str,
) -> Option<Stmt> {
    let label = format!("index {}", quote_ident(&index.name));
    let what = || format!("{object}: {label}");
    // Every declared fragment is checked, in order, before anything is written.
    for k in &index.keys {
        match (&k.column, &k.expression) {
            (Some(_), _) => {}
            (None, Some(x)) if ck.ok(what, SqlKind::Expression, x) => {}
            _ => return None,
        }
        if let Some(c) = &k.collation
            && !ck.ok(what, SqlKind::Type, &collation_sql(c))
        {
            return None;
        }
        if let Some(o) = &k.opclass
            && !ck.ok(what, SqlKind::Type, o)
        {
            return None;
        }
    }
    if !index
        .method
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || index.method.is_empty()
    {
        ck.problems.push(Malformed {
            what: what(),
            message: format!("`{}` is not an index method", index.method),
        });
        return None;
    }
    let mut storage = Vec::new();
    for (k, v) in &index.with {
        if !storage_key_ok(k) {
            ck.problems.push(Malformed {
                what: what(),
                message: format!("`{k}` is not a storage parameter name"),
            });
            return None;
        }
        // Declared names as written: the server folds them (`toast.x` stays two parts).
        storage.push(format!("{k} = {}", quote_literal(v)));
    }
    if let Some(p) = &index.predicate
        && !ck.ok(what, SqlKind::Expression, p)
    {
        return None;
    }
    // Operator classes are pasted as declared (checked above); the plan re-quotes the
    // canonical ones.
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|k| key_sql(k, k.opclass.as_deref()))
        .collect();
    let t = crate::ddl::index::create_index(
        table,
        index,
        false,
        &index.method.to_ascii_lowercase(),
        &keys,
        &storage,
    );
    let mut s = Stmt::new();
    s.clause(label, &t);
    Some(s)
}

/// `CREATE POLICY` on the scratch copy, for `PUBLIC` (the roles hold no text to
/// canonicalise and may not exist yet).
pub(super) fn create_policy(
    ck: &mut Checker,
    table: &QualifiedName,
    policy: &Policy,
    object: &str,
) -> Option<Stmt> {
    let label = format!("policy {}", quote_ident(&policy.name));
    let what = || format!("{object}: {label}");
    let command = policy.command.to_ascii_uppercase();
    if !["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"].contains(&command.as_str()) {
        ck.problems.push(Malformed {
            what: what(),
            message: format!(
                "`{}` is not a policy command (all, select, insert, update, delete)",
                policy.command
            ),
        });
        return None;
    }
    for e in policy.using.iter().chain(&policy.with_check) {
        if !ck.ok(what, SqlKind::Expression, e) {
            return None;
        }
    }
    // For PUBLIC: the roles may not exist yet and hold no text to canonicalise.
    let public = Policy {
        roles: Vec::new(),
        ..policy.clone()
    };
    let mut s = Stmt::new();
    s.clause(label, &crate::ddl::policy::create_policy(table, &public));
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_wrapped_when_qualified() {
        assert_eq!(operator_sql("=").as_deref(), Some("="));
        assert_eq!(operator_sql("&&").as_deref(), Some("&&"));
        assert_eq!(
            operator_sql("public.&&").as_deref(),
            Some("OPERATOR(public.&&)")
        );
        assert_eq!(
            operator_sql("OPERATOR(public.=)").as_deref(),
            Some("OPERATOR(public.=)")
        );
        assert_eq!(operator_sql("; drop"), None);
    }

    #[test]
    fn error_positions_map_to_clauses() {
        let mut s = Stmt::new();
        s.push("CREATE TABLE t (");
        s.clause("column a", "a inty");
        s.push(", ");
        s.clause("column b", "b text");
        s.push(")");
        // 1-based: "CREATE TABLE t (" is 16 chars, so `inty` starts at char 19.
        assert_eq!(s.label_at(19), Some("column a"));
        assert_eq!(s.label_at(25), Some("column b"));
        assert_eq!(s.label_at(1), None);
    }
}
