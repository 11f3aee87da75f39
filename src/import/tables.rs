//! The relational layer of `import`: tables, sequences, enums, domains and extensions,
//! written in the desired-state format (`config::raw`) so that they load back as the same
//! catalog.

use super::{grants, key, string};
use crate::model::*;
use std::fmt::Write as _;

/// `"schema.name"` as a TOML key (each part quoted like SQL when it needs to be).
pub(super) fn object_key(name: &QualifiedName) -> String {
    string(&crate::sql::qualified(&name.schema, &name.name))
}

fn qualified_text(name: &QualifiedName) -> String {
    crate::sql::qualified(&name.schema, &name.name)
}

fn string_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// An inline table `{ a = 1, b = "x" }` from already-rendered values.
fn inline(parts: &[(&str, String)]) -> String {
    if parts.is_empty() {
        return "{}".into();
    }
    let items: Vec<String> = parts.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", items.join(", "))
}

fn sequence_option_parts(parts: &mut Vec<(&'static str, String)>, o: &SequenceOptions) {
    for (name, v) in [
        ("start", o.start),
        ("increment", o.increment),
        ("min_value", o.min_value),
        ("max_value", o.max_value),
        ("cache", o.cache),
    ] {
        if let Some(v) = v {
            parts.push((name, v.to_string()));
        }
    }
    if o.cycle {
        parts.push(("cycle", "true".into()));
    }
}

pub(super) fn write_enum(out: &mut String, e: &EnumType, schema_owner: Option<&str>) {
    let _ = writeln!(out, "\n[enums.{}]", object_key(&e.name));
    let _ = writeln!(out, "values = {}", string_list(&e.values));
    write_owner(out, e.owner.as_deref(), schema_owner);
    if let Some(c) = &e.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
}

pub(super) fn write_domain(out: &mut String, d: &Domain, schema_owner: Option<&str>) {
    let _ = writeln!(out, "\n[domains.{}]", object_key(&d.name));
    let _ = writeln!(out, "type = {}", string(&d.base_type));
    if d.not_null {
        out.push_str("not_null = true\n");
    }
    if let Some(v) = &d.default {
        let _ = writeln!(out, "default = {}", string(v));
    }
    if let Some(v) = &d.collation {
        let _ = writeln!(out, "collation = {}", string(v));
    }
    if !d.checks.is_empty() {
        let parts: Vec<String> = d
            .checks
            .iter()
            .map(|(n, x)| format!("{} = {}", key(n), string(x)))
            .collect();
        let _ = writeln!(out, "checks = {{ {} }}", parts.join(", "));
    }
    write_owner(out, d.owner.as_deref(), schema_owner);
    if let Some(c) = &d.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
}

pub(super) fn write_sequence(
    out: &mut String,
    s: &Sequence,
    schema_owner: Option<&str>,
    extra_grants: Option<&Acl>,
) {
    let _ = writeln!(out, "\n[sequences.{}]", object_key(&s.name));
    if s.data_type != "bigint" {
        let _ = writeln!(out, "type = {}", string(&s.data_type));
    }
    let mut parts = Vec::new();
    sequence_option_parts(&mut parts, &s.options);
    for (k, v) in parts {
        let _ = writeln!(out, "{k} = {v}");
    }
    if let Some((table, column)) = &s.owned_by {
        let _ = writeln!(
            out,
            "owned_by = {}",
            string(&format!(
                "{}.{}",
                qualified_text(table),
                crate::sql::quote_ident(column)
            ))
        );
    }
    write_owner(out, s.owner.as_deref(), schema_owner);
    if let Some(c) = &s.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if let Some(acl) = extra_grants.filter(|a| !a.is_empty()) {
        let _ = writeln!(out, "grants = {}", grants(acl));
    }
}

fn write_owner(out: &mut String, owner: Option<&str>, schema_owner: Option<&str>) {
    if let Some(o) = owner
        && Some(o) != schema_owner
    {
        let _ = writeln!(out, "owner = {}", string(o));
    }
}

pub(super) fn write_table(
    out: &mut String,
    t: &Table,
    relation: Option<&Relation>,
    schema_owner: Option<&str>,
    extra_grants: Option<&Acl>,
) {
    let _ = writeln!(out, "\n[tables.{}]", object_key(&t.name));
    write_owner(out, relation.and_then(|r| r.owner.as_deref()), schema_owner);
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "comment = {}", string(c));
    }
    if t.unlogged {
        out.push_str("unlogged = true\n");
    }
    if t.row_level_security {
        out.push_str("row_level_security = true\n");
    }
    if t.force_row_level_security {
        out.push_str("force_row_level_security = true\n");
    }
    if let Some(p) = &t.partition_by {
        let _ = writeln!(out, "partition_by = {}", string(p));
    }
    if let Some(p) = &t.partition_of {
        let _ = writeln!(
            out,
            "partition_of = {}",
            inline(&[
                ("parent", string(&qualified_text(&p.parent))),
                ("bound", string(&p.bound)),
            ])
        );
    }
    if let Some(acl) = extra_grants.filter(|a| !a.is_empty()) {
        let _ = writeln!(out, "grants = {}", grants(acl));
    }
    for (name, c) in &t.constraints {
        let ConstraintKind::PrimaryKey { columns, include } = &c.kind else {
            continue;
        };
        let default_name = format!("{}_pkey", t.name.name);
        let plain = *name == default_name
            && include.is_empty()
            && !c.deferrable
            && !c.initially_deferred
            && c.comment.is_none();
        if plain {
            let _ = writeln!(out, "primary_key = {}", string_list(columns));
        } else {
            let mut parts = vec![("columns", string_list(columns))];
            if *name != default_name {
                parts.push(("name", string(name)));
            }
            if !include.is_empty() {
                parts.push(("include", string_list(include)));
            }
            constraint_options(&mut parts, c);
            let _ = writeln!(out, "primary_key = {}", inline(&parts));
        }
    }

    if !t.columns.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.columns]", object_key(&t.name));
        for c in &t.columns {
            let _ = writeln!(out, "{} = {}", key(&c.name), column_value(c));
        }
    }

    let mut unique = String::new();
    let mut foreign = String::new();
    let mut checks = String::new();
    let mut exclusions = String::new();
    for (name, c) in &t.constraints {
        match &c.kind {
            ConstraintKind::PrimaryKey { .. } => {}
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => {
                let mut parts = vec![("columns", string_list(columns))];
                if !include.is_empty() {
                    parts.push(("include", string_list(include)));
                }
                if *nulls_not_distinct {
                    parts.push(("nulls_not_distinct", "true".into()));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(unique, "{} = {}", key(name), inline(&parts));
            }
            ConstraintKind::ForeignKey {
                columns,
                references,
                referenced_columns,
                on_update,
                on_delete,
                match_full,
            } => {
                let mut parts = vec![
                    ("columns", string_list(columns)),
                    ("references", string(&qualified_text(references))),
                    ("referenced_columns", string_list(referenced_columns)),
                ];
                if *on_delete != ForeignKeyAction::NoAction {
                    parts.push(("on_delete", string(fk_action(*on_delete))));
                }
                if *on_update != ForeignKeyAction::NoAction {
                    parts.push(("on_update", string(fk_action(*on_update))));
                }
                if *match_full {
                    parts.push(("match", string("full")));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(foreign, "{} = {}", key(name), inline(&parts));
            }
            ConstraintKind::Check {
                expression,
                no_inherit,
            } => {
                if !*no_inherit && c.comment.is_none() && !c.deferrable {
                    let _ = writeln!(checks, "{} = {}", key(name), string(expression));
                } else {
                    let mut parts = vec![("expression", string(expression))];
                    if *no_inherit {
                        parts.push(("no_inherit", "true".into()));
                    }
                    if let Some(comment) = &c.comment {
                        parts.push(("comment", string(comment)));
                    }
                    let _ = writeln!(checks, "{} = {}", key(name), inline(&parts));
                }
            }
            ConstraintKind::Exclusion {
                method,
                elements,
                predicate,
            } => {
                let elems: Vec<String> = elements
                    .iter()
                    .map(|e| {
                        let mut parts = Vec::new();
                        if let Some(col) = &e.column {
                            parts.push(("column", string(col)));
                        }
                        if let Some(x) = &e.expression {
                            parts.push(("expression", string(x)));
                        }
                        parts.push(("operator", string(&e.operator)));
                        inline(&parts)
                    })
                    .collect();
                let mut parts = vec![
                    ("method", string(method)),
                    ("elements", format!("[{}]", elems.join(", "))),
                ];
                if let Some(p) = predicate {
                    parts.push(("where", string(p)));
                }
                constraint_options(&mut parts, c);
                let _ = writeln!(exclusions, "{} = {}", key(name), inline(&parts));
            }
        }
    }
    for (section, body) in [
        ("unique", unique),
        ("foreign_keys", foreign),
        ("checks", checks),
        ("exclusions", exclusions),
    ] {
        if !body.is_empty() {
            let _ = writeln!(out, "\n[tables.{}.{section}]", object_key(&t.name));
            out.push_str(&body);
        }
    }

    if !t.indexes.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.indexes]", object_key(&t.name));
        for (name, i) in &t.indexes {
            let _ = writeln!(out, "{} = {}", key(name), index_value(i));
        }
    }
    if !t.policies.is_empty() {
        let _ = writeln!(out, "\n[tables.{}.policies]", object_key(&t.name));
        for (name, p) in &t.policies {
            let mut parts = Vec::new();
            let command = p.command.to_ascii_lowercase();
            if command != "all" {
                parts.push(("command", string(&command)));
            }
            if !p.permissive {
                parts.push(("permissive", "false".into()));
            }
            if p.roles != ["PUBLIC"] {
                parts.push(("roles", string_list(&p.roles)));
            }
            if let Some(u) = &p.using {
                parts.push(("using", string(u)));
            }
            if let Some(w) = &p.with_check {
                parts.push(("with_check", string(w)));
            }
            let _ = writeln!(out, "{} = {}", key(name), inline(&parts));
        }
    }
}

fn constraint_options(parts: &mut Vec<(&'static str, String)>, c: &Constraint) {
    if c.deferrable {
        parts.push(("deferrable", "true".into()));
    }
    if c.initially_deferred {
        parts.push(("initially_deferred", "true".into()));
    }
    if let Some(comment) = &c.comment {
        parts.push(("comment", string(comment)));
    }
}

fn fk_action(a: ForeignKeyAction) -> &'static str {
    match a {
        ForeignKeyAction::NoAction => "no_action",
        ForeignKeyAction::Restrict => "restrict",
        ForeignKeyAction::Cascade => "cascade",
        ForeignKeyAction::SetNull => "set_null",
        ForeignKeyAction::SetDefault => "set_default",
    }
}

fn column_value(c: &Column) -> String {
    let mut parts = vec![("type", string(&c.type_name))];
    if let Some(n) = &c.not_null_name {
        parts.push(("not_null_name", string(n)));
    } else if c.not_null {
        parts.push(("not_null", "true".into()));
    }
    if let Some(d) = &c.default {
        parts.push(("default", string(d)));
    }
    if let Some(id) = &c.identity {
        let kind = match id.kind {
            IdentityKind::Always => "always",
            IdentityKind::ByDefault => "by_default",
        };
        if id.options == SequenceOptions::default() {
            parts.push(("identity", string(kind)));
        } else {
            let mut opts = vec![("kind", string(kind))];
            sequence_option_parts(&mut opts, &id.options);
            parts.push(("identity", inline(&opts)));
        }
    }
    if let Some(g) = &c.generated {
        parts.push(("generated", string(g)));
        if c.generated_virtual {
            parts.push(("virtual", "true".to_string()));
        }
    }
    if let Some(coll) = &c.collation {
        parts.push(("collation", string(coll)));
    }
    if let Some(comment) = &c.comment {
        parts.push(("comment", string(comment)));
    }
    if !c.acl.is_empty() {
        parts.push(("grants", grants(&c.acl)));
    }
    inline(&parts)
}

fn index_value(i: &Index) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let plain = k.expression.is_none()
                && k.opclass.is_none()
                && k.collation.is_none()
                && !k.descending
                && k.nulls_first.is_none();
            match (&k.column, plain) {
                (Some(c), true) => string(c),
                _ => {
                    let mut parts = Vec::new();
                    if let Some(c) = &k.column {
                        parts.push(("column", string(c)));
                    }
                    if let Some(x) = &k.expression {
                        parts.push(("expression", string(x)));
                    }
                    if k.descending {
                        parts.push(("order", string("desc")));
                    }
                    match k.nulls_first {
                        Some(true) => parts.push(("nulls", string("first"))),
                        Some(false) => parts.push(("nulls", string("last"))),
                        None => {}
                    }
                    if let Some(o) = &k.opclass {
                        parts.push(("opclass", string(o)));
                    }
                    if let Some(c) = &k.collation {
                        parts.push(("collation", string(c)));
                    }
                    inline(&parts)
                }
            }
        })
        .collect();
    let mut parts = vec![("columns", format!("[{}]", keys.join(", ")))];
    if i.unique {
        parts.push(("unique", "true".into()));
    }
    if i.nulls_not_distinct {
        parts.push(("nulls_not_distinct", "true".into()));
    }
    if i.method != "btree" {
        parts.push(("method", string(&i.method)));
    }
    if !i.include.is_empty() {
        parts.push(("include", string_list(&i.include)));
    }
    if let Some(p) = &i.predicate {
        parts.push(("where", string(p)));
    }
    if !i.with.is_empty() {
        let with: Vec<String> = i
            .with
            .iter()
            .map(|(k, v)| format!("{} = {}", key(k), string(v)))
            .collect();
        parts.push(("with", format!("{{ {} }}", with.join(", "))));
    }
    if let Some(c) = &i.comment {
        parts.push(("comment", string(c)));
    }
    inline(&parts)
}

pub(super) fn write_extension(out: &mut String, e: &Extension) {
    let _ = writeln!(out, "\n[extensions.{}]", key(&e.name));
    if let Some(s) = &e.schema {
        let _ = writeln!(out, "schema = {}", string(s));
    }
    if let Some(v) = &e.version {
        let _ = writeln!(out, "version = {}", string(v));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::*;
    use std::path::PathBuf;

    fn qn(s: &str, n: &str) -> QualifiedName {
        QualifiedName::new(s, n)
    }

    fn constraint(name: &str, kind: ConstraintKind) -> (String, Constraint) {
        (
            name.into(),
            Constraint {
                name: name.into(),
                renamed_from: None,
                kind,
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
            },
        )
    }

    fn key(column: Option<&str>, expression: Option<&str>) -> IndexKey {
        IndexKey {
            column: column.map(str::to_string),
            expression: expression.map(str::to_string),
            opclass: None,
            collation: None,
            descending: false,
            nulls_first: None,
        }
    }

    /// A live catalog with one of everything the relational layer holds.
    fn live() -> Catalog {
        let mut c = Catalog {
            server: Some(ServerInfo {
                version_num: 150000,
                version: "PostgreSQL 15".into(),
                system_identifier: "1".into(),
                current_user: "postgres".into(),
                can_read_passwords: true,
            }),
            database: Some(Database {
                name: Some("db".into()),
                owner: Some("postgres".into()),
                ..Database::default()
            }),
            ..Catalog::default()
        };
        c.roles.insert("postgres".into(), Role::new("postgres"));
        c.roles.insert("app".into(), Role::new("app"));
        let mut schema = Schema::new("My Schema");
        schema.owner = Some("postgres".into());
        c.schemas.insert(schema.name.clone(), schema);
        let s = "My Schema";

        c.enums.insert(
            qn(s, "mood"),
            EnumType {
                name: qn(s, "mood"),
                owner: Some("postgres".into()),
                values: vec!["sad".into(), "it's ok".into()],
                comment: Some("how one feels".into()),
            },
        );
        c.domains.insert(
            qn(s, "Email"),
            Domain {
                name: qn(s, "Email"),
                owner: Some("app".into()),
                base_type: "character varying(200)".into(),
                collation: Some("\"C\"".into()),
                not_null: true,
                default: Some("'x@y'::character varying".into()),
                checks: [(
                    "has at".to_string(),
                    "((VALUE)::text ~ '@'::text)".to_string(),
                )]
                .into(),
                comment: None,
            },
        );
        c.sequences.insert(
            qn(s, "Notes_id_seq"),
            Sequence {
                name: qn(s, "Notes_id_seq"),
                owner: None,
                data_type: "integer".into(),
                options: SequenceOptions {
                    start: Some(10),
                    increment: Some(5),
                    min_value: None,
                    max_value: Some(1000),
                    cache: Some(2),
                    cycle: true,
                },
                owned_by: Some((qn(s, "Notes"), "id".into())),
                comment: Some("ids".into()),
            },
        );
        c.extensions.insert(
            "uuid-ossp".into(),
            Extension {
                name: "uuid-ossp".into(),
                schema: Some("public".into()),
                version: Some("1.1".into()),
            },
        );

        let mut notes = Table::new(qn(s, "Notes"));
        notes.comment = Some("notes \"quoted\"\nand a newline".into());
        notes.row_level_security = true;
        notes.force_row_level_security = true;
        let mut id = Column::new("id", "integer");
        id.not_null = true;
        id.default = Some("nextval('\"My Schema\".\"Notes_id_seq\"'::regclass)".into());
        let mut body = Column::new("Body Text", "text");
        body.collation = Some("\"C\"".into());
        body.comment = Some("the body".into());
        body.acl
            .grant(Grantee::Role("app".into()), Privilege::Select, true);
        body.acl
            .grant(Grantee::Role("app".into()), Privilege::Update, true);
        body.acl
            .grant(Grantee::Public, Privilege::References, false);
        let mut ident = Column::new("n", "bigint");
        ident.not_null = true;
        ident.identity = Some(Identity {
            kind: IdentityKind::ByDefault,
            options: SequenceOptions {
                start: Some(100),
                ..SequenceOptions::default()
            },
        });
        let mut simple = Column::new("m", "bigint");
        simple.not_null = true;
        simple.identity = Some(Identity {
            kind: IdentityKind::Always,
            options: SequenceOptions::default(),
        });
        let mut generated = Column::new("twice", "integer");
        generated.generated = Some("(id * 2)".into());
        let mut during = Column::new("during", "tsrange");
        during.default = Some("'empty'::tsrange".into());
        notes.columns = vec![
            id,
            body,
            ident,
            simple,
            generated,
            during,
            Column::new("mood", "\"My Schema\".mood"),
            Column::new("email", "\"My Schema\".\"Email\""),
        ];
        notes.constraints.extend([
            constraint(
                "Notes_pkey",
                ConstraintKind::PrimaryKey {
                    columns: vec!["id".into()],
                    include: vec!["n".into()],
                },
            ),
            constraint(
                "notes_body_key",
                ConstraintKind::Unique {
                    columns: vec!["Body Text".into(), "m".into()],
                    include: vec![],
                    nulls_not_distinct: true,
                },
            ),
            constraint(
                "notes_check",
                ConstraintKind::Check {
                    expression: "(length(\"Body Text\") > 0)".into(),
                    no_inherit: true,
                },
            ),
            constraint(
                "notes_simple_check",
                ConstraintKind::Check {
                    expression: "(id > 0)".into(),
                    no_inherit: false,
                },
            ),
            constraint(
                "notes_during_excl",
                ConstraintKind::Exclusion {
                    method: "gist".into(),
                    elements: vec![
                        ExclusionElement {
                            column: Some("during".into()),
                            expression: None,
                            operator: "&&".into(),
                        },
                        ExclusionElement {
                            column: None,
                            expression: Some("int4range(id, n::integer)".into()),
                            operator: "&&".into(),
                        },
                    ],
                    predicate: Some("(id > 10)".into()),
                },
            ),
            constraint(
                "notes_self_fk",
                ConstraintKind::ForeignKey {
                    columns: vec!["m".into()],
                    references: qn(s, "Notes"),
                    referenced_columns: vec!["id".into()],
                    on_update: ForeignKeyAction::Cascade,
                    on_delete: ForeignKeyAction::SetNull,
                    match_full: true,
                },
            ),
        ]);
        if let Some(c) = notes.constraints.get_mut("notes_self_fk") {
            c.deferrable = true;
            c.initially_deferred = true;
            c.comment = Some("to itself".into());
        }
        let mut k1 = key(None, Some("lower(\"Body Text\")"));
        k1.descending = true;
        k1.nulls_first = Some(false);
        k1.collation = Some("\"POSIX\"".into());
        let mut k2 = key(Some("Body Text"), None);
        k2.opclass = Some("text_pattern_ops".into());
        notes.indexes.insert(
            "notes_lower".into(),
            Index {
                name: "notes_lower".into(),
                renamed_from: None,
                unique: true,
                nulls_not_distinct: false,
                method: "btree".into(),
                keys: vec![k1, k2, key(Some("id"), None)],
                include: vec!["m".into()],
                predicate: Some("(id > 0)".into()),
                with: [("fillfactor".to_string(), "70".to_string())].into(),
                concurrently: false,
                valid: true,
                comment: Some("lower".into()),
            },
        );
        notes.indexes.insert(
            "notes_during".into(),
            Index {
                name: "notes_during".into(),
                renamed_from: None,
                unique: false,
                nulls_not_distinct: false,
                method: "gist".into(),
                keys: vec![key(Some("during"), None)],
                include: vec![],
                predicate: None,
                with: Default::default(),
                concurrently: false,
                valid: true,
                comment: None,
            },
        );
        notes.policies.insert(
            "mine".into(),
            Policy {
                name: "mine".into(),
                permissive: false,
                command: "UPDATE".into(),
                roles: vec!["app".into()],
                using: Some("(\"Body Text\" = CURRENT_USER)".into()),
                with_check: Some("true".into()),
            },
        );
        notes.policies.insert(
            "all".into(),
            Policy {
                name: "all".into(),
                permissive: true,
                command: "ALL".into(),
                roles: vec!["PUBLIC".into()],
                using: Some("true".into()),
                with_check: None,
            },
        );
        c.tables.insert(notes.name.clone(), notes);

        let mut events = Table::new(qn(s, "events"));
        events.unlogged = false;
        events.columns = vec![Column::new("at", "timestamp with time zone")];
        events.partition_by = Some("RANGE (at)".into());
        c.tables.insert(events.name.clone(), events);
        let mut jan = Table::new(qn(s, "events_2024_01"));
        jan.partition_of = Some(PartitionOf {
            parent: qn(s, "events"),
            bound: "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')"
                .into(),
        });
        c.tables.insert(jan.name.clone(), jan);
        let mut log = Table::new(qn(s, "log"));
        log.unlogged = true;
        log.columns = vec![Column::new("line", "text")];
        c.tables.insert(log.name.clone(), log);

        for (name, kind, owner) in [
            ("Notes", RelationKind::Table, "app"),
            ("events", RelationKind::PartitionedTable, "postgres"),
            ("events_2024_01", RelationKind::Table, "postgres"),
            ("log", RelationKind::Table, "postgres"),
            ("Notes_id_seq", RelationKind::Sequence, "app"),
            ("Notes_n_seq", RelationKind::Sequence, "app"),
            ("Notes_m_seq", RelationKind::Sequence, "app"),
        ] {
            let mut acl = Acl::default();
            if name == "log" {
                acl.grant(Grantee::Role("app".into()), Privilege::Insert, false);
            }
            c.relations.insert(
                qn(s, name),
                Relation {
                    name: qn(s, name),
                    kind,
                    owner: Some(owner.into()),
                    acl,
                },
            );
        }
        c
    }

    #[test]
    fn tables_and_types_load_back_as_they_were() {
        let live = live();
        let (files, _) =
            super::super::render(&live, &super::super::ImportOptions::default()).expect("render");
        let files: Vec<(PathBuf, String)> = files
            .into_iter()
            .map(|(name, text)| (PathBuf::from(name), text))
            .collect();
        let all = files
            .iter()
            .map(|(p, t)| format!("--- {}\n{t}", p.display()))
            .collect::<Vec<_>>()
            .join("\n");
        let desired = match crate::config::load_files(&files) {
            Ok(d) => d.catalog,
            Err(e) => panic!("{}\n{all}", crate::config::render(&e)),
        };
        for (name, t) in &live.tables {
            assert_eq!(desired.tables.get(name), Some(t), "table {name}\n{all}");
        }
        assert_eq!(desired.tables.len(), live.tables.len());
        for (name, d) in &live.domains {
            assert_eq!(desired.domains.get(name), Some(d), "domain {name}\n{all}");
        }
        for (name, e) in &live.enums {
            assert_eq!(desired.enums.get(name), Some(e), "enum {name}\n{all}");
        }
        for (name, q) in &live.sequences {
            let got = desired.sequences.get(name).expect("sequence declared");
            assert_eq!(
                (&got.data_type, &got.options, &got.owned_by, &got.comment),
                (&q.data_type, &q.options, &q.owned_by, &q.comment),
                "sequence {name}\n{all}"
            );
        }
        assert_eq!(desired.extensions, live.extensions, "{all}");
        for name in live.tables.keys() {
            let (want, have) = (&desired.relations[name], &live.relations[name]);
            assert_eq!((&want.owner, &want.acl), (&have.owner, &have.acl), "{name}");
        }
        assert!(desired.schemas["My Schema"].manage_tables);
    }
}
