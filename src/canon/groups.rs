//! The scratch DDL, in groups of statements that each concern one declared object (so
//! that a failure can be reported against it): what every scratch table may need, then
//! the scratch copies of one chunk of tables.

use super::ddl::{self, Checker, Group, Stmt, TableTarget};
use super::work::Work;
use super::{Declared, SCRATCH_OBJECT, SCRATCH_PREFIX};
use crate::ddl::trigger::{Create as TriggerCreate, create_trigger};
use crate::model::*;
use crate::sql::{qualified, quote_ident, quote_literal};
use std::collections::BTreeSet;

impl Work {
    /// Statements that create what every scratch table may need: schemas, extensions,
    /// enums, domains, sequences and the stubs policies refer to.
    pub(super) fn base_statements(
        &self,
        desired: &Catalog,
        live: &Catalog,
        ck: &mut Checker,
    ) -> Vec<Group> {
        let mut groups = Vec::new();
        let plain = |object: String, declared: Option<Declared>, stmts: Vec<Stmt>| Group {
            object,
            declared,
            creates: true,
            search_path: None,
            stmts,
        };
        for s in &self.new_schemas {
            groups.push(plain(
                format!("schema {}", quote_ident(s)),
                Some(Declared::Schema(s.clone())),
                vec![Stmt::raw(format!("CREATE SCHEMA {}", quote_ident(s)))],
            ));
        }
        if !self.scratch.is_empty() {
            let stmts = self
                .scratch
                .values()
                .map(|s| Stmt::raw(format!("CREATE SCHEMA {}", quote_ident(s))))
                .collect();
            groups.push(plain(SCRATCH_OBJECT.into(), None, stmts));
        }
        for name in &self.new_extensions {
            let e = &desired.extensions[name];
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(name));
            if let Some(s) = &e.schema {
                sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
            }
            if let Some(v) = &e.version {
                sql.push_str(&format!(" VERSION {}", quote_literal(v)));
            }
            groups.push(plain(
                format!("extension {}", quote_ident(name)),
                Some(Declared::Extension(name.clone())),
                vec![Stmt::raw(sql)],
            ));
        }
        for (i, name) in self.renamed_enums.iter().enumerate() {
            groups.push(plain(
                format!("enum {name}"),
                Some(Declared::Type(name.clone())),
                vec![Stmt::raw(format!(
                    "ALTER TYPE {} RENAME TO {}",
                    qualified(&name.schema, &name.name),
                    quote_ident(&format!("{SCRATCH_PREFIX}enum_{i}"))
                ))],
            ));
        }
        for name in &self.new_enums {
            groups.push(plain(
                format!("enum {name}"),
                Some(Declared::Type(name.clone())),
                vec![ddl::create_enum(name, &desired.enums[name])],
            ));
        }
        groups.extend(self.collation_and_range_statements(desired));
        for (name, real) in order_domains(&self.domains, desired) {
            let object = format!("domain {name}");
            let target = if real {
                name.clone()
            } else {
                self.scratch_name(&name)
            };
            let stmt = ddl::create_domain(ck, &target, &desired.domains[&name], &object);
            groups.push(Group {
                object,
                declared: Some(Declared::Type(name.clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        groups.extend(self.composite_statements(desired));
        for (name, real) in &self.sequences {
            let object = format!("sequence {name}");
            let target = if *real {
                name.clone()
            } else {
                self.scratch_name(name)
            };
            let stmt = ddl::create_sequence(ck, &target, &desired.sequences[name], &object);
            groups.push(Group {
                object,
                declared: Some(Declared::Relation(name.clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        // The function the scratch triggers execute (their WHEN is what is read back).
        let trigger_schemas: std::collections::BTreeSet<&String> = self
            .tables
            .iter()
            .filter(|n| {
                desired.tables[*n]
                    .triggers
                    .values()
                    .any(|t| t.when.is_some())
            })
            .map(|n| &self.scratch[&n.schema])
            .collect();
        if !trigger_schemas.is_empty() {
            let stmts = trigger_schemas
                .into_iter()
                .map(|s| Stmt::raw(scratch_trigger_function(s)))
                .collect();
            groups.push(plain(SCRATCH_OBJECT.into(), None, stmts));
        }
        // Stubs: new tables that policies may refer to by their real names.
        let policy_text: String = self
            .tables
            .iter()
            .flat_map(|n| desired.tables[n].policies.values())
            .flat_map(|p| p.using.iter().chain(&p.with_check))
            .map(|t| t.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        if !policy_text.is_empty() {
            for (name, t) in &desired.tables {
                if live.tables.contains_key(name) || t.partition_of.is_some() {
                    continue;
                }
                if !policy_text.contains(&name.name.to_lowercase()) {
                    continue;
                }
                let object = format!("table {name}");
                let target = TableTarget {
                    name: name.clone(),
                    parent: None,
                    parent_columns: Vec::new(),
                    inherits: Vec::new(),
                };
                let stmt = ddl::create_table(ck, t, &target, &object, true);
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation(name.clone())),
                    creates: true,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![stmt],
                });
            }
        }
        groups
    }

    /// Statements that create the scratch copies of `names` (one chunk).
    pub(super) fn table_statements(
        &self,
        names: &[QualifiedName],
        desired: &Catalog,
        live: &Catalog,
        ck: &mut Checker,
    ) -> Vec<Group> {
        let mut groups = Vec::new();
        // Tables, parents before partitions; then indexes, partitions before parents
        // (a parent's index then attaches to the partitions' own instead of creating
        // new ones whose generated names could collide); then policies.
        let table_of = |n: &QualifiedName| -> &Table {
            desired
                .tables
                .get(n)
                .filter(|_| !self.live_parents.contains(n))
                .unwrap_or_else(|| &live.tables[n])
        };
        let all: Vec<&QualifiedName> = names.iter().collect();
        // The longest way up to a table without parents (partitioned or inherited).
        fn depth(n: &QualifiedName, desired: &Catalog, live: &Catalog, level: usize) -> usize {
            if level > 64 {
                return level;
            }
            desired
                .tables
                .get(n)
                .or_else(|| live.tables.get(n))
                .into_iter()
                .flat_map(|t| t.parents())
                .map(|p| 1 + depth(p, desired, live, level + 1))
                .max()
                .unwrap_or(0)
        }
        let depth = |n: &QualifiedName| depth(n, desired, live, 0);
        let mut ordered: Vec<(usize, &QualifiedName)> =
            all.iter().map(|n| (depth(n), *n)).collect();
        ordered.sort();
        for (_, name) in &ordered {
            let t = table_of(name);
            let object = format!("table {name}");
            let (parent, parent_columns) = match &t.partition_of {
                Some(p) => {
                    let parent_t = desired
                        .tables
                        .get(&p.parent)
                        .or_else(|| live.tables.get(&p.parent));
                    let cols = parent_t
                        .map(|pt| pt.columns.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    if parent_t.is_none() || !self.scratch.contains_key(&p.parent.schema) {
                        ck.problems.push(ddl::Malformed {
                            what: format!("{object}: partition_of"),
                            message: format!(
                                "the parent table {} is neither declared nor in the database",
                                p.parent
                            ),
                        });
                        continue;
                    }
                    (Some((self.scratch_name(&p.parent), p.bound.as_str())), cols)
                }
                None => (None, Vec::new()),
            };
            let inherits = if t.partition_of.is_some() {
                Vec::new()
            } else {
                t.inherits.iter().map(|p| self.scratch_name(p)).collect()
            };
            let target = TableTarget {
                name: self.scratch_name(name),
                parent,
                parent_columns,
                inherits,
            };
            let stmt = ddl::create_table(ck, t, &target, &object, false);
            groups.push(Group {
                object,
                declared: Some(Declared::Relation((*name).clone())),
                creates: true,
                search_path: Some(name.schema.clone()),
                stmts: vec![stmt],
            });
        }
        for (_, name) in ordered.iter().rev() {
            let t = table_of(name);
            let object = format!("table {name}");
            let target = self.scratch_name(name);
            let stmts: Vec<Stmt> = t
                .indexes
                .values()
                .filter_map(|i| ddl::create_index(ck, &target, i, &object))
                .collect();
            if !stmts.is_empty() {
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation((*name).clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts,
                });
            }
        }
        for (_, name) in &ordered {
            if self.live_parents.contains(*name) {
                continue;
            }
            let t = table_of(name);
            let object = format!("table {name}");
            let target = self.scratch_name(name);
            let stmts: Vec<Stmt> = t
                .policies
                .values()
                .filter_map(|p| ddl::create_policy(ck, &target, p, &object))
                .collect();
            if !stmts.is_empty() {
                groups.push(Group {
                    object,
                    declared: Some(Declared::Relation((*name).clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts,
                });
            }
        }
        // Triggers with a WHEN condition, on the copies (the condition is valid or not
        // by timing, events and level, which they keep).
        for (_, name) in &ordered {
            if self.live_parents.contains(*name) {
                continue;
            }
            let target = self.scratch_name(name);
            let function = QualifiedName::new(&target.schema, SCRATCH_TRIGGER_FUNCTION);
            for t in table_of(name)
                .triggers
                .values()
                .filter(|t| t.when.is_some())
            {
                let copy = Trigger {
                    constraint: None,
                    old_table: None,
                    new_table: None,
                    arguments: Vec::new(),
                    ..t.clone()
                };
                let mut stmt = Stmt::new();
                stmt.clause(
                    "the WHEN condition",
                    &create_trigger(&target, &copy, &function, TriggerCreate::Plain),
                );
                groups.push(Group {
                    object: format!("trigger {} on {name}", quote_ident(&t.name)),
                    declared: Some(Declared::Trigger((*name).clone(), t.name.clone())),
                    creates: false,
                    search_path: Some(name.schema.clone()),
                    stmts: vec![stmt],
                });
            }
        }
        groups
    }
}

/// The no-op trigger function of a scratch schema.
pub(super) const SCRATCH_TRIGGER_FUNCTION: &str = "pgrecon_canon_trigger";

/// Replaces it when there: the views' savepoint may create it again over the table
/// copies it also creates.
pub(super) fn scratch_trigger_function(schema: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}",
        qualified(schema, SCRATCH_TRIGGER_FUNCTION),
        quote_literal("BEGIN RETURN NULL; END")
    )
}

/// Domains in an order where a domain over another desired domain comes after it.
fn order_domains(
    domains: &[(QualifiedName, bool)],
    desired: &Catalog,
) -> Vec<(QualifiedName, bool)> {
    let mut left: Vec<(QualifiedName, bool)> = domains.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let before = left.len();
        let mut i = 0;
        while i < left.len() {
            let base = &desired.domains[&left[i].0].base_type;
            let blocked = left.iter().any(|(other, _)| {
                *other != left[i].0 && type_refers_to(base, other, &left[i].0.schema)
            });
            if blocked {
                i += 1;
            } else {
                out.push(left.remove(i));
            }
        }
        if left.len() == before {
            out.append(&mut left); // a cycle: let the server report it
        }
    }
    out
}

/// Whether a type name (`general.email[]`, `email`, `"Email"(10)`) names `target`,
/// resolving an unqualified name in `schema`.
fn type_refers_to(type_name: &str, target: &QualifiedName, schema: &str) -> bool {
    let base = type_name
        .split('(')
        .next()
        .unwrap_or(type_name)
        .trim()
        .trim_end_matches("[]")
        .trim();
    let lowered: String;
    let base = if base.contains('"') {
        base
    } else {
        lowered = base.to_lowercase();
        &lowered
    };
    match crate::sql::split_qualified(base).as_deref() {
        Some([s, n]) => *s == target.schema && *n == target.name,
        Some([n]) => schema == target.schema && *n == target.name,
        _ => false,
    }
}

/// The domains to create only once the declared routines exist: those whose default or
/// checks call a routine the desired state declares and the database lacks (the server
/// resolves the call when the domain is created), and the domains and composite types
/// built on one of them.
pub(super) fn after_routines(desired: &Catalog, live: &Catalog) -> BTreeSet<QualifiedName> {
    let new_routines: BTreeSet<&str> = desired
        .functions
        .values()
        .filter(|f| f.definition.is_some() && !live.functions.contains_key(&f.id))
        .map(|f| f.id.name.as_str())
        .collect();
    let calls_new = |expression: &str| {
        pg_query::parse(
            &format!("SELECT {expression}"),
            pg_query::ParserOptions::DEFAULT,
        )
        .is_ok_and(|parsed| {
            parsed.functions().iter().any(|name| {
                let last = name.rsplit('.').next().unwrap_or(name);
                new_routines.contains(last)
            })
        })
    };
    let mut late: BTreeSet<QualifiedName> = desired
        .domains
        .iter()
        .filter(|(_, d)| {
            d.default
                .iter()
                .chain(d.checks.values())
                .any(|e| calls_new(e))
        })
        .map(|(n, _)| n.clone())
        .collect();
    loop {
        let uses_late = |type_name: &str, schema: &str| {
            late.iter().any(|l| type_refers_to(type_name, l, schema))
        };
        let more: Vec<QualifiedName> = desired
            .domains
            .iter()
            .filter(|(n, d)| !late.contains(*n) && uses_late(&d.base_type, &n.schema))
            .map(|(n, _)| n.clone())
            .chain(
                desired
                    .composite_types
                    .iter()
                    .filter(|(n, t)| {
                        !late.contains(*n)
                            && t.attributes
                                .iter()
                                .any(|a| uses_late(&a.type_name, &n.schema))
                    })
                    .map(|(n, _)| n.clone()),
            )
            .collect();
        if more.is_empty() {
            return late;
        }
        late.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_references_resolve_in_the_schema() {
        let email = QualifiedName::new("general", "email");
        assert!(type_refers_to("email", &email, "general"));
        assert!(type_refers_to("general.email[]", &email, "other"));
        assert!(type_refers_to("General.Email", &email, "other"));
        assert!(!type_refers_to("\"Email\"", &email, "general"));
        assert!(!type_refers_to("email", &email, "other"));
        assert!(!type_refers_to("text", &email, "general"));
    }
}
