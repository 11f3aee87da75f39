//! Tables: create (with columns, constraints, RLS flags, comments), rename, drop,
//! logged/unlogged, row level security, partitions.

use crate::ddl::column::column_sql;
use crate::ddl::constraint::constraint_sql;
use crate::ddl::table::create_table as create_table_sql;
use crate::model::*;
use crate::plan::builder::{
    Builder, alter_table, constraint_index_keys, ident, index_name, qn, table_ref,
};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn create_table(
    t: &Table,
    owner: Option<&String>,
    identity_sequences: &[(String, QualifiedName)],
) -> Node {
    let mut b = Builder::default();
    let name = &t.name;
    // Labels are canon's; the plan's text has no use for them.
    let mut elements: Vec<(String, String)> = Vec::new();
    for c in &t.columns {
        let seq = identity_sequences
            .iter()
            .find(|(col, _)| col == &c.name)
            .map(|(_, s)| s);
        elements.push((String::new(), column_sql(c, seq)));
        b.require_type(&c.type_name);
        b.require_collation(c.collation.as_deref());
        if let Some(d) = &c.default {
            b.require_sequences(d);
        }
        b.creates.push(Key::Column(name.clone(), c.name.clone()));
    }
    let (inline, separate) = merged_by_create_table(t);
    for c in &inline {
        elements.push((String::new(), constraint_sql(c)));
    }
    for c in t.constraints.values() {
        b.creates
            .push(Key::Constraint(name.clone(), c.name.clone()));
        b.creates.extend(constraint_index_keys(name, c));
    }
    let mut sql = String::new();
    create_table_sql(
        &mut sql,
        name,
        t.unlogged,
        elements,
        t.partition_of
            .as_ref()
            .map(|p| (&p.parent, p.bound.as_str())),
        &t.inherits,
        t.partition_by.as_deref(),
    );
    if let Some(p) = &t.partition_of {
        b.details.push(format!("bound: {}", p.bound));
    }
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t.inherits.iter().map(ToString::to_string).collect();
        b.details.push(format!("inherits: {}", parents.join(", ")));
    }
    for p in t.parents() {
        b.requires.push(Key::Relation(p.clone()));
    }
    if let Some(by) = &t.partition_by {
        b.details.push(format!("partitioned by {by}"));
    }
    b.sql(sql);
    for c in &separate {
        b.sql(alter_table(name, &[format!("ADD {}", constraint_sql(c))]));
    }
    if !t.columns.is_empty() {
        b.details.push(format!(
            "columns: {}",
            t.columns
                .iter()
                .map(|c| ident(&c.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !t.constraints.is_empty() {
        b.details.push(format!(
            "constraints: {}",
            t.constraints
                .keys()
                .map(|c| ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if t.unlogged {
        b.details
            .push("unlogged: not crash-safe and not replicated".into());
    }
    let object = t.object_ref();
    b.owned_by(&object, owner);
    if t.row_level_security {
        b.sql(format!(
            "ALTER TABLE {} ENABLE ROW LEVEL SECURITY",
            qn(name)
        ));
        b.details.push("row level security: enabled".into());
    }
    if t.force_row_level_security {
        b.sql(format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", qn(name)));
        b.details.push("row level security: forced".into());
    }
    b.comment(&object, t.comment.as_ref());
    for c in &t.columns {
        if let Some(comment) = &c.comment {
            b.sql(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                qn(name),
                quote_ident(&c.name),
                quote_literal(comment)
            ));
        }
    }
    for c in t.constraints.values() {
        if let Some(comment) = &c.comment {
            b.sql(format!(
                "COMMENT ON CONSTRAINT {} ON {} IS {}",
                quote_ident(&c.name),
                qn(name),
                quote_literal(comment)
            ));
        }
    }
    for (_, seq) in identity_sequences {
        b.creates.push(Key::Relation(seq.clone()));
    }
    b.requires.push(Key::Schema(name.schema.clone()));
    b.creates.push(Key::Relation(name.clone()));
    let what = match (&t.partition_by, &t.partition_of) {
        (_, Some(p)) => format!("create partition {name} of {}", p.parent),
        (Some(_), None) => format!("create partitioned table {name}"),
        (None, None) => format!("create table {name}"),
    };
    b.finish(phase::CREATE_TABLE, Action::Create, object, what)
}

/// The constraints written inside `CREATE TABLE`, and those added by their own `ALTER
/// TABLE` after it: within one statement PostgreSQL builds a single index for key
/// constraints with the same index definition (a unique constraint on the primary key's
/// columns is silently merged into it), so each such duplicate goes on its own.
fn merged_by_create_table(t: &Table) -> (Vec<&Constraint>, Vec<&Constraint>) {
    // The primary key first, as PostgreSQL keeps it.
    let mut ordered: Vec<&Constraint> = t.constraints.values().collect();
    ordered.sort_by_key(|c| !matches!(c.kind, ConstraintKind::PrimaryKey { .. }));
    let mut seen: Vec<IndexShape> = Vec::new();
    let (mut inline, mut separate) = (Vec::new(), Vec::new());
    for c in ordered {
        match index_shape(c) {
            Some(shape) if seen.contains(&shape) => separate.push(c),
            Some(shape) => {
                seen.push(shape);
                inline.push(c);
            }
            None => inline.push(c),
        }
    }
    // Back in the declared order, as before.
    inline.sort_by(|a, b| a.name.cmp(&b.name));
    (inline, separate)
}

/// What makes two key constraints' indexes the same for PostgreSQL's merge: the key
/// (columns, or exclusion elements and method), included columns and predicate.
#[derive(PartialEq)]
struct IndexShape<'a> {
    keys: Vec<(Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
    include: &'a [String],
    method: &'a str,
    predicate: Option<&'a str>,
}

fn index_shape<'a>(c: &'a Constraint) -> Option<IndexShape<'a>> {
    let plain = |columns: &'a [String], include: &'a [String]| IndexShape {
        keys: columns
            .iter()
            .map(|k| (Some(k.as_str()), None, None))
            .collect(),
        include,
        method: "btree",
        predicate: None,
    };
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => Some(plain(columns, include)),
        ConstraintKind::Exclusion {
            method,
            elements,
            predicate,
        } => Some(IndexShape {
            keys: elements
                .iter()
                .map(|e| {
                    (
                        e.column.as_deref(),
                        e.expression.as_deref(),
                        Some(e.operator.as_str()),
                    )
                })
                .collect(),
            include: &[],
            method,
            predicate: predicate.as_deref(),
        }),
        ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } => None,
    }
}

pub(super) fn rename_table(from: &QualifiedName, to: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TABLE {} RENAME TO {}",
        qn(from),
        quote_ident(to)
    ));
    let new = QualifiedName::new(from.schema.clone(), to.to_string());
    b.requires.push(Key::Schema(from.schema.clone()));
    b.drops.push(Key::Relation(from.clone()));
    b.creates.push(Key::Relation(new.clone()));
    b.finish(
        phase::RENAME,
        Action::Alter,
        table_ref(&new),
        format!("rename table {from} to {}", ident(to)),
    )
}

pub(super) fn drop_table(t: &Table) -> Node {
    let mut b = Builder::default();
    b.sql(format!("DROP TABLE {}", qn(&t.name)));
    let what = if t.partition_by.is_some() {
        "and all its partitions and rows"
    } else {
        "and all its rows"
    };
    b.hazard(
        HazardKind::DeletesData,
        format!("drops table {} {what}", t.name),
    );
    b.details.push(format!("{} columns", t.columns.len()));
    b.requires.push(Key::Schema(t.name.schema.clone()));
    for c in &t.columns {
        b.require_type(&c.type_name);
        b.require_collation(c.collation.as_deref());
        if let Some(d) = &c.default {
            b.require_sequences(d);
        }
    }
    // Dropped before its parents.
    for p in t.parents() {
        b.requires.push(Key::Relation(p.clone()));
    }
    b.drops.push(Key::Relation(t.name.clone()));
    // Its columns go with it (a view of the same name may bring them back).
    for c in &t.columns {
        b.drops.push(Key::Column(t.name.clone(), c.name.clone()));
    }
    // Its indexes' names are free again.
    for c in t.constraints.values() {
        b.drops.extend(constraint_index_keys(&t.name, c));
    }
    for i in t.indexes.keys() {
        b.drops.push(index_name(&t.name, i));
    }
    b.finish(
        phase::DROP_TABLE,
        Action::Drop,
        table_ref(&t.name),
        format!("drop table {}", t.name),
    )
}

pub(super) fn set_logged(table: &QualifiedName, unlogged: bool) -> Node {
    let mut b = Builder::default();
    let (kw, what) = if unlogged {
        ("UNLOGGED", "unlogged")
    } else {
        ("LOGGED", "logged")
    };
    b.sql(format!("ALTER TABLE {} SET {kw}", qn(table)));
    b.rewrite(table);
    if unlogged {
        b.details
            .push("an unlogged table is not crash-safe and is not replicated".into());
    }
    b.requires.push(Key::Relation(table.clone()));
    b.finish(
        phase::COLUMN,
        Action::Alter,
        table_ref(table),
        format!("make table {table} {what}"),
    )
}

pub(super) fn set_row_security(
    table: &QualifiedName,
    enable: &Option<bool>,
    force: &Option<bool>,
) -> Node {
    let mut b = Builder::default();
    let mut verbs = Vec::new();
    if let Some(e) = enable {
        let kw = if *e { "ENABLE" } else { "DISABLE" };
        b.sql(format!("ALTER TABLE {} {kw} ROW LEVEL SECURITY", qn(table)));
        b.details.push(format!("row level security: {} → {e}", !e));
        b.hazard(
            HazardKind::AuthorizationChange,
            if *e {
                "rows become visible only through policies (the owner is exempt \
                 unless forced)"
                    .into()
            } else {
                "policies stop applying: every row is visible to roles with table \
                 privileges"
                    .into()
            },
        );
        verbs.push(if *e { "enable" } else { "disable" });
    }
    if let Some(f) = force {
        let kw = if *f { "FORCE" } else { "NO FORCE" };
        b.sql(format!("ALTER TABLE {} {kw} ROW LEVEL SECURITY", qn(table)));
        b.details
            .push(format!("force row level security: {} → {f}", !f));
        b.hazard(
            HazardKind::AuthorizationChange,
            if *f {
                "policies apply to the table owner too".into()
            } else {
                "the table owner bypasses the policies".into()
            },
        );
        verbs.push(if *f { "force" } else { "unforce" });
    }
    b.requires.push(Key::Relation(table.clone()));
    b.finish(
        phase::COLUMN,
        Action::Alter,
        table_ref(table),
        format!(
            "{} row level security on table {table}",
            verbs.join(" and ")
        ),
    )
}

pub(super) fn attach_partition(table: &QualifiedName, parent: &QualifiedName, bound: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TABLE {} ATTACH PARTITION {} {bound}",
        qn(parent),
        qn(table)
    ));
    b.details.push(format!("bound: {bound}"));
    b.hazard(
        HazardKind::ValidatesData,
        "scans the partition to check its rows fit the bound (and the default \
         partition, if any, for rows that now belong here)"
            .into(),
    );
    b.requires
        .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
    b.finish(
        phase::COLUMN,
        Action::Alter,
        table_ref(table),
        format!("attach partition {table} to {parent}"),
    )
}

pub(super) fn detach_partition(table: &QualifiedName, parent: &QualifiedName) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "ALTER TABLE {} DETACH PARTITION {}",
        qn(parent),
        qn(table)
    ));
    b.details.push(format!(
        "its rows stay in {table} but are no longer seen through {parent}"
    ));
    b.requires
        .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
    b.finish(
        phase::COLUMN,
        Action::Alter,
        table_ref(table),
        format!("detach partition {table} from {parent}"),
    )
}

pub(super) fn inherit(
    table: &QualifiedName,
    parent: &QualifiedName,
    columns: &[String],
    checks: &[String],
) -> Node {
    let mut b = Builder::default();
    b.sql(alter_table(table, &[format!("INHERIT {}", qn(parent))]));
    b.details.push(format!(
        "its columns and checks of the same names as {parent}'s stay its own too"
    ));
    b.requires
        .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
    for c in columns {
        b.requires.push(Key::Column(table.clone(), c.clone()));
        b.requires.push(Key::Column(parent.clone(), c.clone()));
    }
    for c in checks {
        b.requires.push(Key::Constraint(table.clone(), c.clone()));
        b.requires.push(Key::Constraint(parent.clone(), c.clone()));
    }
    b.finish(
        phase::CONSTRAINT,
        Action::Alter,
        table_ref(table),
        format!("make table {table} inherit from {parent}"),
    )
}

pub(super) fn no_inherit(table: &QualifiedName, parent: &QualifiedName) -> Node {
    let mut b = Builder::default();
    b.sql(alter_table(table, &[format!("NO INHERIT {}", qn(parent))]));
    b.details.push(format!(
        "the columns and checks it inherited from {parent} become its own"
    ));
    b.requires
        .extend([Key::Relation(parent.clone()), Key::Relation(table.clone())]);
    b.finish(
        phase::COLUMN,
        Action::Alter,
        table_ref(table),
        format!("make table {table} no longer inherit from {parent}"),
    )
}
