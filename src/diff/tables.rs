//! Diff of the relational layer: tables, columns, constraints, indexes, policies,
//! sequences, enums, domains, extensions. Pure, like the rest of the diff.
//!
//! Scope: a table, sequence, enum or domain declared in a declared schema is managed.
//! In a schema with `manage_tables`, undeclared ones are drift: reported, and dropped with
//! `--prune`. Objects of kinds pgrecon does not manage (`Catalog.unmanaged`) in a declared
//! schema are reported and left alone. Declared extensions are created or updated;
//! undeclared extensions are never dropped.
//!
//! Comparison: canonical text as is (`canon` brings the desired side to the server's
//! form); desired-only fields (`renamed_from`, `using`, `concurrently`) never take part.
//! Column order only matters when a table is created: a column added later is appended.
//!
//! Which changes become which steps:
//! - a new table is one `CreateTable` (columns, primary key, unique, check and exclusion
//!   constraints inline, owner, RLS, comments); its foreign keys, indexes, policies and
//!   grants are separate changes, so foreign keys run after every table is created;
//! - on an existing table, a check or foreign key is added `NOT VALID` and validated in
//!   a separate `ValidateConstraint`; NOT NULL is proven by a temporary `NOT VALID` check
//!   first; a changed definition (constraint, index, policy) is a drop plus a create;
//! - a renamed object (`renamed_from`, when the old name exists and the new does not) is
//!   renamed in place, then compared like any other.

use super::{Change, DiffOptions, NoteKind, acl_grants, acl_revokes};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// Where `ALTER TYPE … ADD VALUE` puts a new label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// The enum has no labels yet.
    End,
}

/// A difference in the relational layer. One variant, one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChange {
    // -- extensions -----------------------------------------------------------------
    CreateExtension {
        name: String,
        schema: Option<String>,
        version: Option<String>,
    },
    UpdateExtension {
        name: String,
        from: Option<String>,
        to: String,
    },
    SetExtensionSchema {
        name: String,
        from: Option<String>,
        to: String,
    },

    // -- enums and domains ------------------------------------------------------------
    /// With its owner and comment.
    CreateEnum {
        enum_type: EnumType,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumPosition,
    },
    /// With its owner, comment, default, NOT NULL and checks.
    CreateDomain {
        domain: Domain,
    },
    SetDomainDefault {
        name: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    SetDomainNotNull {
        name: QualifiedName,
        not_null: bool,
    },
    /// `ADD CONSTRAINT … NOT VALID`; a `ValidateDomainCheck` follows.
    AddDomainCheck {
        name: QualifiedName,
        check: String,
        expression: String,
    },
    ValidateDomainCheck {
        name: QualifiedName,
        check: String,
    },
    DropDomainCheck {
        name: QualifiedName,
        check: String,
    },
    /// An undeclared enum or domain, with `--prune`.
    DropType {
        name: QualifiedName,
        kind: TypeKind,
    },

    // -- sequences --------------------------------------------------------------------
    /// With its owner and comment; `OWNED BY` follows as `SetSequenceOwnedBy`.
    CreateSequence {
        sequence: Sequence,
    },
    AlterSequence {
        name: QualifiedName,
        from_type: String,
        to_type: String,
        from: SequenceOptions,
        to: SequenceOptions,
    },
    SetSequenceOwnedBy {
        name: QualifiedName,
        from: Option<(QualifiedName, String)>,
        to: Option<(QualifiedName, String)>,
    },
    DropSequence {
        name: QualifiedName,
    },

    // -- tables -----------------------------------------------------------------------
    /// The table without its foreign keys, indexes and policies (separate changes), with
    /// its owner, RLS flags and comments. Identity columns get the sequence names listed.
    CreateTable {
        table: Box<Table>,
        owner: Option<String>,
        identity_sequences: Vec<(String, QualifiedName)>,
    },
    RenameTable {
        from: QualifiedName,
        to: String,
    },
    /// The live definition, for the description and the dependencies.
    DropTable {
        table: Box<Table>,
    },
    SetLogged {
        table: QualifiedName,
        unlogged: bool,
    },
    /// `None` leaves that flag as it is.
    SetRowSecurity {
        table: QualifiedName,
        enable: Option<bool>,
        force: Option<bool>,
    },
    AttachPartition {
        table: QualifiedName,
        parent: QualifiedName,
        bound: String,
    },
    DetachPartition {
        table: QualifiedName,
        parent: QualifiedName,
    },

    // -- columns of existing tables ---------------------------------------------------
    AddColumn {
        table: QualifiedName,
        column: Column,
        identity_sequence: Option<QualifiedName>,
    },
    /// The live column.
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Every type (or collation) change of one table in one `ALTER TABLE`, so the table
    /// is rewritten once. Generated columns that use a changed column are dropped first
    /// and added again after, in the same statement.
    AlterColumnTypes {
        table: QualifiedName,
        columns: Vec<ColumnTypeChange>,
        recreate_generated: Vec<RecreatedColumn>,
    },
    SetColumnDefault {
        table: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// Proven by a temporary `CHECK (col IS NOT NULL) NOT VALID` + `VALIDATE` first, so
    /// that `SET NOT NULL` does not scan again.
    SetNotNull {
        table: QualifiedName,
        column: String,
        /// On a partitioned table `NOT VALID` checks are not possible: plain SET NOT NULL.
        partitioned: bool,
        /// The constraint's declared name (PostgreSQL 18+): `ADD CONSTRAINT … NOT NULL`.
        name: Option<String>,
    },
    /// The NOT NULL constraint of a column that stays NOT NULL gets the declared name.
    RenameNotNull {
        table: QualifiedName,
        column: String,
        /// The live name.
        from: String,
        to: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    AddIdentity {
        table: QualifiedName,
        column: String,
        type_name: String,
        identity: Identity,
        sequence: QualifiedName,
    },
    DropIdentity {
        table: QualifiedName,
        column: String,
    },
    AlterIdentity {
        table: QualifiedName,
        column: String,
        type_name: String,
        from: Identity,
        to: Identity,
    },
    /// A generated column becomes an ordinary one, keeping its values.
    DropExpression {
        table: QualifiedName,
        column: String,
    },
    /// Drop and add again: a generated column's expression changed, or an ordinary
    /// column becomes generated (`from_generated` is `None`: its values are lost).
    RecreateColumn {
        table: QualifiedName,
        column: Column,
        from_generated: Option<String>,
        /// The live column is virtual (stored ↔ virtual needs a re-create).
        from_virtual: bool,
    },
    GrantColumns {
        table: QualifiedName,
        columns: Vec<String>,
        grantee: Grantee,
        privileges: Vec<Privilege>,
        with_grant_option: bool,
    },
    RevokeColumns {
        table: QualifiedName,
        columns: Vec<String>,
        grantee: Grantee,
        privileges: Vec<Privilege>,
        grant_option_only: bool,
    },

    // -- constraints ------------------------------------------------------------------
    AddConstraint {
        table: QualifiedName,
        constraint: Constraint,
        /// `NOT VALID`; a `ValidateConstraint` follows.
        not_valid: bool,
        /// The table is created by this plan (empty: no hazard).
        new_table: bool,
        /// Foreign keys: the referenced table's key the constraint relies on.
        referenced_key: Option<String>,
        /// Why a constraint that did not change is re-created.
        reason: Option<String>,
    },
    ValidateConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    /// The live constraint.
    DropConstraint {
        table: QualifiedName,
        constraint: Constraint,
        /// Columns whose NOT NULL only the dropped primary key required.
        drop_not_null: Vec<String>,
        /// Foreign keys: the live key of the referenced table (dropped after this).
        referenced_key: Option<String>,
        reason: Option<String>,
    },
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },

    // -- indexes ----------------------------------------------------------------------
    CreateIndex {
        table: QualifiedName,
        index: Index,
        /// `CREATE INDEX CONCURRENTLY`, after the transaction.
        concurrently: bool,
        new_table: bool,
    },
    /// The live index.
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    SetIndexStorage {
        table: QualifiedName,
        index: String,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },

    // -- policies ---------------------------------------------------------------------
    CreatePolicy {
        table: QualifiedName,
        policy: Policy,
    },
    /// Only roles, `USING` and `WITH CHECK` differ (and none is removed).
    AlterPolicy {
        table: QualifiedName,
        from: Policy,
        to: Policy,
    },
    DropPolicy {
        table: QualifiedName,
        policy: Policy,
    },
}

/// `ALTER COLUMN … TYPE … [COLLATE …] USING …`. The default is dropped first and set
/// again after (it might not cast to the new type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnTypeChange {
    pub column: String,
    pub from_type: String,
    pub to_type: String,
    pub from_collation: Option<String>,
    pub to_collation: Option<String>,
    /// The declared `USING`; `None` casts the column (`col::type`).
    pub using: Option<String>,
    pub drop_default: bool,
    pub set_default: Option<String>,
}

/// A generated column dropped and added again (declared definition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecreatedColumn {
    pub column: Column,
    /// The live expression; `None` when an ordinary column becomes generated (its values
    /// are lost).
    pub from_generated: Option<String>,
    /// The live column is a virtual generated column.
    pub from_virtual: bool,
}

/// Rewrites the column names of a canonical expression with `rename`, leaving string
/// literals, qualified names (`s.t`, `t.col`), function names and type names (after
/// `::`) alone. Identifiers are matched unquoted and written back through `quote_ident`.
fn map_columns(expression: &str, rename: &mut dyn FnMut(&str) -> Option<String>) -> String {
    let chars: Vec<char> = expression.chars().collect();
    let mut out = String::with_capacity(expression.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let name = if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            None
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            Some(name)
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            Some(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            None
        } else {
            i += 1;
            None
        };
        let original: String = chars[start..i].iter().collect();
        let standalone = !out.ends_with('.')
            && !out.ends_with("::")
            && !matches!(chars.get(i), Some('.') | Some('('));
        match name {
            Some(name) if standalone => match rename(&name) {
                Some(new) => out.push_str(&crate::sql::quote_ident(&new)),
                None => out.push_str(&original),
            },
            _ => out.push_str(&original),
        }
    }
    out
}

/// Whether a canonical expression mentions column `name`. A false positive only costs
/// an unneeded re-creation.
fn mentions(expression: &str, name: &str) -> bool {
    let mut found = false;
    map_columns(expression, &mut |n| {
        found |= n == name;
        None
    });
    found
}

/// Old → new column names of one table.
type ColumnRenames = BTreeMap<String, String>;

fn rename_list(names: &[String], renames: Option<&ColumnRenames>) -> Vec<String> {
    names
        .iter()
        .map(|n| renames.and_then(|r| r.get(n)).unwrap_or(n).clone())
        .collect()
}

fn rename_expression(expression: &str, renames: Option<&ColumnRenames>) -> String {
    match renames {
        Some(r) if !r.is_empty() => map_columns(expression, &mut |n| r.get(n).cloned()),
        _ => expression.to_string(),
    }
}

/// The live tables as they will read once the declared renames are done: columns named
/// in constraints, indexes, policies and generated expressions, and tables referenced by
/// foreign keys, carry their new names (the tables themselves keep their live names).
/// Only tables that change are returned.
pub(super) fn translated_tables(
    desired: &Catalog,
    live: &Catalog,
) -> BTreeMap<QualifiedName, Table> {
    let mut tables: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    let mut columns: BTreeMap<QualifiedName, ColumnRenames> = BTreeMap::new();
    for want in desired.tables.values() {
        if !desired.schemas.contains_key(&want.name.schema) {
            continue;
        }
        let have = match find_live(want, desired, live) {
            Found::Same(h) => h,
            Found::Renamed(h) => {
                tables.insert(h.name.clone(), want.name.clone());
                h
            }
            Found::New => continue,
        };
        let renames: ColumnRenames = want
            .columns
            .iter()
            .filter_map(|c| {
                let h = column_match(want, have, c)?;
                (h.name != c.name).then(|| (h.name.clone(), c.name.clone()))
            })
            .collect();
        if !renames.is_empty() {
            columns.insert(have.name.clone(), renames);
        }
    }
    if tables.is_empty() && columns.is_empty() {
        return BTreeMap::new();
    }
    let mut out = BTreeMap::new();
    for (name, t) in &live.tables {
        let own = columns.get(name);
        let references_renamed = t.constraints.values().any(|c| {
            matches!(&c.kind, ConstraintKind::ForeignKey { references, .. }
                if tables.contains_key(references) || columns.contains_key(references))
        });
        if own.is_none() && !references_renamed {
            continue;
        }
        let mut t = t.clone();
        for c in &mut t.columns {
            if let Some(g) = &c.generated {
                c.generated = Some(rename_expression(g, own));
            }
        }
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    *columns = rename_list(columns, own);
                    *include = rename_list(include, own);
                }
                ConstraintKind::ForeignKey {
                    columns: cols,
                    references,
                    referenced_columns,
                    ..
                } => {
                    *cols = rename_list(cols, own);
                    *referenced_columns = rename_list(referenced_columns, columns.get(references));
                    if let Some(new) = tables.get(references) {
                        *references = new.clone();
                    }
                }
                ConstraintKind::Check { expression, .. } => {
                    *expression = rename_expression(expression, own);
                }
                ConstraintKind::Exclusion {
                    elements,
                    predicate,
                    ..
                } => {
                    for e in elements {
                        if let Some(c) = &e.column {
                            e.column = Some(rename_list(std::slice::from_ref(c), own).remove(0));
                        }
                        if let Some(x) = &e.expression {
                            e.expression = Some(rename_expression(x, own));
                        }
                    }
                    if let Some(p) = predicate {
                        *p = rename_expression(p, own);
                    }
                }
            }
        }
        for i in t.indexes.values_mut() {
            for k in &mut i.keys {
                if let Some(c) = &k.column {
                    k.column = Some(rename_list(std::slice::from_ref(c), own).remove(0));
                }
                if let Some(x) = &k.expression {
                    k.expression = Some(rename_expression(x, own));
                }
            }
            i.include = rename_list(&i.include, own);
            if let Some(p) = &i.predicate {
                i.predicate = Some(rename_expression(p, own));
            }
        }
        for p in t.policies.values_mut() {
            if let Some(u) = &p.using {
                p.using = Some(rename_expression(u, own));
            }
            if let Some(w) = &p.with_check {
                p.with_check = Some(rename_expression(w, own));
            }
        }
        out.insert(name.clone(), t);
    }
    out
}

/// Live name of each renamed table, by its declared name.
pub(super) fn renamed_tables(
    desired: &Catalog,
    live: &Catalog,
) -> BTreeMap<QualifiedName, QualifiedName> {
    desired
        .tables
        .values()
        .filter_map(|t| match find_live(t, desired, live) {
            Found::Renamed(h) => Some((t.name.clone(), h.name.clone())),
            _ => None,
        })
        .collect()
}

/// Live and desired relation names whose grants this module plans (created, renamed
/// or pruned here), so that `objects()` neither grants on them nor calls them missing.
pub(super) fn relations_with_own_grants(
    desired: &Catalog,
    live: &Catalog,
    options: &DiffOptions,
) -> BTreeSet<QualifiedName> {
    let mut out = BTreeSet::new();
    for (name, want) in &desired.tables {
        if !desired.schemas.contains_key(&name.schema) {
            continue;
        }
        match find_live(want, desired, live) {
            Found::Same(have) => {
                for c in &want.columns {
                    let had_identity =
                        column_match(want, have, c).is_some_and(|h| h.identity.is_some());
                    if c.identity.is_some() && !had_identity {
                        out.insert(identity_sequence_name(name, &c.name));
                    }
                }
            }
            Found::Renamed(have) => {
                out.insert(have.name.clone());
                out.insert(name.clone());
            }
            Found::New => {
                out.insert(name.clone());
                if want.partition_of.is_none() {
                    for c in want.columns.iter().filter(|c| c.identity.is_some()) {
                        out.insert(identity_sequence_name(name, &c.name));
                    }
                }
            }
        }
    }
    for name in desired.sequences.keys() {
        if desired.schemas.contains_key(&name.schema) && !live.sequences.contains_key(name) {
            out.insert(name.clone());
        }
    }
    if options.prune {
        out.extend(undeclared_tables(desired, live).map(|t| t.name.clone()));
        out.extend(undeclared_sequences(desired, live).map(|s| s.name.clone()));
    }
    out
}

enum Found<'a> {
    Same(&'a Table),
    Renamed(&'a Table),
    New,
}

/// The live table a declared one corresponds to: same name, or its `renamed_from` when
/// that exists, the new name does not, and the old name is not itself declared.
fn find_live<'a>(want: &Table, desired: &Catalog, live: &'a Catalog) -> Found<'a> {
    if let Some(have) = live.tables.get(&want.name) {
        return Found::Same(have);
    }
    if let Some(old) = &want.renamed_from {
        let old = QualifiedName::new(want.name.schema.clone(), old.clone());
        if !desired.tables.contains_key(&old)
            && let Some(have) = live.tables.get(&old)
        {
            return Found::Renamed(have);
        }
    }
    Found::New
}

/// The live column a declared one corresponds to (same name, or `renamed_from`).
fn column_match<'a>(want_t: &Table, have_t: &'a Table, c: &Column) -> Option<&'a Column> {
    if let Some(h) = have_t.column(&c.name) {
        return Some(h);
    }
    let old = c.renamed_from.as_deref()?;
    if want_t.column(old).is_some() {
        return None;
    }
    have_t.column(old)
}

/// Live tables in schemas whose tables are managed that nothing declared accounts for.
fn undeclared_tables<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
) -> impl Iterator<Item = &'a Table> {
    let renamed: BTreeSet<QualifiedName> = desired
        .tables
        .values()
        .filter_map(|t| match find_live(t, desired, live) {
            Found::Renamed(h) => Some(h.name.clone()),
            _ => None,
        })
        .collect();
    live.tables.values().filter(move |t| {
        desired
            .schemas
            .get(&t.name.schema)
            .is_some_and(|s| s.manage_tables)
            && !desired.tables.contains_key(&t.name)
            && !renamed.contains(&t.name)
    })
}

/// Undeclared standalone sequences in schemas whose tables are managed (a sequence owned
/// by a column goes with its table).
fn undeclared_sequences<'a>(
    desired: &'a Catalog,
    live: &'a Catalog,
) -> impl Iterator<Item = &'a Sequence> {
    live.sequences.values().filter(move |s| {
        s.owned_by.is_none()
            && desired
                .schemas
                .get(&s.name.schema)
                .is_some_and(|d| d.manage_tables)
            && !desired.sequences.contains_key(&s.name)
    })
}

/// The name pgrecon gives an identity column's sequence (`SEQUENCE NAME`), as PostgreSQL
/// would choose it: `<table>_<column>_seq`, the longer part shortened to fit 63 bytes.
pub fn identity_sequence_name(table: &QualifiedName, column: &str) -> QualifiedName {
    QualifiedName::new(
        table.schema.clone(),
        object_name(&table.name, column, "seq"),
    )
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, truncating the longer name first.
fn object_name(name1: &str, name2: &str, label: &str) -> String {
    const MAX: usize = 63;
    let overhead = label.len() + 2;
    let (mut l1, mut l2) = (name1.len(), name2.len());
    while l1 + l2 + overhead > MAX {
        if l1 > l2 {
            l1 -= 1;
        } else {
            l2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    format!("{}_{}_{label}", clip(name1, l1), clip(name2, l2))
}

/// Sequence options with every default resolved for the data type, so that an omitted
/// option equals the value PostgreSQL fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveSequence {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

pub fn effective_sequence(options: &SequenceOptions, data_type: &str) -> EffectiveSequence {
    let (type_min, type_max) = match data_type {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let increment = options.increment.unwrap_or(1);
    let ascending = increment > 0;
    let min_value = options
        .min_value
        .unwrap_or(if ascending { 1 } else { type_min });
    let max_value = options
        .max_value
        .unwrap_or(if ascending { type_max } else { -1 });
    EffectiveSequence {
        start: options
            .start
            .unwrap_or(if ascending { min_value } else { max_value }),
        increment,
        min_value,
        max_value,
        cache: options.cache.unwrap_or(1),
        cycle: options.cycle,
    }
}

fn is_foreign_key(c: &Constraint) -> bool {
    matches!(c.kind, ConstraintKind::ForeignKey { .. })
}

/// Key columns of a primary key or unique constraint.
fn key_columns(c: &Constraint) -> Option<&[String]> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            Some(columns)
        }
        _ => None,
    }
}

fn primary_key(t: &Table) -> Option<&Constraint> {
    t.constraints
        .values()
        .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
}

/// Key columns of a unique index that a foreign key can reference (no predicate, no
/// expression).
fn unique_index_columns(i: &Index) -> Option<Vec<String>> {
    if !i.unique || i.predicate.is_some() {
        return None;
    }
    i.keys.iter().map(|k| k.column.clone()).collect()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    a == b
}

/// An index key with NULLS ordering resolved (`None` = the direction's default).
fn index_key_eq(a: &IndexKey, b: &IndexKey) -> bool {
    a.column == b.column
        && a.expression == b.expression
        && a.opclass == b.opclass
        && a.collation == b.collation
        && a.descending == b.descending
        && a.nulls_first.unwrap_or(a.descending) == b.nulls_first.unwrap_or(b.descending)
}

/// Definition equality of two indexes: everything but the name, the storage parameters
/// (altered in place) and the desired-only fields.
fn index_def_eq(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.method == b.method
        && a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| index_key_eq(x, y))
        && a.include == b.include
        && a.predicate == b.predicate
}

fn policy_roles(p: &Policy) -> Vec<String> {
    if p.roles.is_empty() {
        vec!["PUBLIC".to_string()]
    } else {
        let mut r = p.roles.clone();
        r.sort();
        r
    }
}

impl<'a> super::Cx<'a> {
    /// A live table as it reads after the declared renames.
    fn live_table(&self, live_name: &QualifiedName) -> Option<&'a Table> {
        self.translated
            .get(live_name)
            .or_else(|| self.live.tables.get(live_name))
    }

    /// The live key a live (translated) foreign key relies on.
    fn live_referenced_key(&self, fk: &Constraint) -> Option<String> {
        let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &fk.kind
        else {
            return None;
        };
        let live_name = self.live_names.get(references).unwrap_or(references);
        key_for(self.live_table(live_name)?, referenced_columns)
    }

    fn owner(&mut self, object: ObjectRef, want: Option<&String>, have: Option<&String>) {
        if let Some(want) = want
            && have != Some(want)
        {
            self.out.changes.push(Change::AlterOwner {
                object,
                from: have.cloned(),
                to: want.clone(),
            });
        }
    }

    /// Grants and revokes that take one relation's ACL from `have` to `want`.
    fn relation_acl(&mut self, object: ObjectRef, want: &Acl, have: &Acl, owner: Option<&str>) {
        let ObjectRef::Relation { kind, .. } = &object else {
            return;
        };
        let kind = kind.object_kind();
        let changes = super::acl_changes(kind, vec![object], want, have, owner);
        self.out.changes.extend(changes);
    }

    /// The ACL a relation must carry: its schema's grants for the kind plus its own.
    fn wanted_acl(&self, name: &QualifiedName, kind: ObjectKind) -> Acl {
        let base = self
            .desired
            .schemas
            .get(&name.schema)
            .and_then(|s| s.object_grants.get(&kind))
            .cloned()
            .unwrap_or_default();
        match self.desired.relations.get(name) {
            Some(d) if d.kind.object_kind() == kind => base.union(&d.acl),
            _ => base,
        }
    }

    /// Owner a new relation ends up with: the declared one, else the role running the plan.
    fn new_owner<'b>(&'b self, declared: Option<&'b String>) -> Option<&'b str> {
        declared.map(String::as_str).or(self.current_user)
    }

    /// Column grants and revokes, grouped per (grantee, privileges, option) into one
    /// statement over several columns.
    fn column_acls(&mut self, table: &QualifiedName, columns: &[(String, Acl, Acl)]) {
        type Group = (Grantee, bool, Vec<Privilege>);
        let mut grants: BTreeMap<Group, Vec<String>> = BTreeMap::new();
        let mut revokes: BTreeMap<Group, Vec<String>> = BTreeMap::new();
        for (column, want, have) in columns {
            for (g, wgo, ps) in acl_grants(want, have) {
                grants.entry((g, wgo, ps)).or_default().push(column.clone());
            }
            for (g, only, ps) in acl_revokes(want, have) {
                revokes
                    .entry((g, only, ps))
                    .or_default()
                    .push(column.clone());
            }
        }
        for ((grantee, with_grant_option, privileges), columns) in grants {
            self.push_table(TableChange::GrantColumns {
                table: table.clone(),
                columns,
                grantee,
                privileges,
                with_grant_option,
            });
        }
        for ((grantee, grant_option_only, privileges), columns) in revokes {
            self.push_table(TableChange::RevokeColumns {
                table: table.clone(),
                columns,
                grantee,
                privileges,
                grant_option_only,
            });
        }
    }

    // ---------------------------------------------------------------------------------

    pub(super) fn extensions(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.extensions {
            match self.live.extensions.get(name) {
                None => self.push_table(TableChange::CreateExtension {
                    name: name.clone(),
                    schema: want.schema.clone(),
                    version: want.version.clone(),
                }),
                Some(have) => {
                    if let Some(to) = &want.schema
                        && have.schema.as_ref() != Some(to)
                    {
                        self.push_table(TableChange::SetExtensionSchema {
                            name: name.clone(),
                            from: have.schema.clone(),
                            to: to.clone(),
                        });
                    }
                    if let Some(to) = &want.version
                        && have.version.as_ref() != Some(to)
                    {
                        self.push_table(TableChange::UpdateExtension {
                            name: name.clone(),
                            from: have.version.clone(),
                            to: to.clone(),
                        });
                    }
                }
            }
        }
    }

    pub(super) fn enums(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.enums {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Type {
                kind: TypeKind::Enum,
                name: name.clone(),
            };
            let Some(have) = self.live.enums.get(name) else {
                self.push_table(TableChange::CreateEnum {
                    enum_type: want.clone(),
                });
                continue;
            };
            match enum_additions(&have.values, &want.values) {
                Some(additions) => {
                    for (value, position) in additions {
                        self.push_table(TableChange::AddEnumValue {
                            name: name.clone(),
                            value,
                            position,
                        });
                    }
                }
                None => self.note(
                    NoteKind::Error,
                    object.clone(),
                    format!(
                        "cannot remove or reorder enum labels in place (live: {}; declared: \
                         {}); nothing planned for its labels",
                        labels(&have.values),
                        labels(&want.values)
                    ),
                ),
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }

    pub(super) fn domains(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.domains {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Type {
                kind: TypeKind::Domain,
                name: name.clone(),
            };
            let Some(have) = self.live.domains.get(name) else {
                self.push_table(TableChange::CreateDomain {
                    domain: want.clone(),
                });
                continue;
            };
            if want.base_type != have.base_type || want.collation != have.collation {
                self.note(
                    NoteKind::Error,
                    object.clone(),
                    format!(
                        "cannot change a domain's type or collation in place ({}{} → {}{}); \
                         nothing planned for it",
                        have.base_type,
                        collate_text(&have.collation),
                        want.base_type,
                        collate_text(&want.collation)
                    ),
                );
            }
            if want.default != have.default {
                self.push_table(TableChange::SetDomainDefault {
                    name: name.clone(),
                    from: have.default.clone(),
                    to: want.default.clone(),
                });
            }
            if want.not_null != have.not_null {
                self.push_table(TableChange::SetDomainNotNull {
                    name: name.clone(),
                    not_null: want.not_null,
                });
            }
            for (check, expr) in &have.checks {
                if want.checks.get(check) != Some(expr) {
                    self.push_table(TableChange::DropDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                    });
                }
            }
            for (check, expr) in &want.checks {
                if have.checks.get(check) != Some(expr) {
                    self.push_table(TableChange::AddDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                        expression: expr.clone(),
                    });
                    self.push_table(TableChange::ValidateDomainCheck {
                        name: name.clone(),
                        check: check.clone(),
                    });
                }
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }

    pub(super) fn sequences(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.sequences {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Relation {
                kind: RelationKind::Sequence,
                name: name.clone(),
            };
            let want_owner = want.owner.as_ref().or_else(|| {
                self.desired
                    .relations
                    .get(name)
                    .and_then(|r| r.owner.as_ref())
            });
            let Some(have) = self.live.sequences.get(name) else {
                let mut sequence = want.clone();
                sequence.owner = want_owner.cloned();
                sequence.owned_by = None;
                self.push_table(TableChange::CreateSequence { sequence });
                if want.owned_by.is_some() {
                    self.push_table(TableChange::SetSequenceOwnedBy {
                        name: name.clone(),
                        from: None,
                        to: want.owned_by.clone(),
                    });
                }
                let acl = self.wanted_acl(name, ObjectKind::Sequence);
                let owner = self.new_owner(want_owner).map(str::to_string);
                self.relation_acl(object, &acl, &Acl::default(), owner.as_deref());
                continue;
            };
            if want.data_type != have.data_type
                || effective_sequence(&want.options, &want.data_type)
                    != effective_sequence(&have.options, &have.data_type)
            {
                self.push_table(TableChange::AlterSequence {
                    name: name.clone(),
                    from_type: have.data_type.clone(),
                    to_type: want.data_type.clone(),
                    from: have.options.clone(),
                    to: want.options.clone(),
                });
            }
            if want.owned_by != have.owned_by {
                self.push_table(TableChange::SetSequenceOwnedBy {
                    name: name.clone(),
                    from: have.owned_by.clone(),
                    to: want.owned_by.clone(),
                });
            }
            let have_owner = have
                .owner
                .as_ref()
                .or_else(|| self.live.relations.get(name).and_then(|r| r.owner.as_ref()));
            self.owner(object.clone(), want_owner, have_owner);
            self.comment(object, &want.comment, &have.comment);
        }
    }

    // ---------------------------------------------------------------------------------

    pub(super) fn tables(&mut self) {
        let desired = self.desired;
        let recreate_fks = self.foreign_keys_to_recreate();
        for (name, want) in &desired.tables {
            if !self.desired.schemas.contains_key(&name.schema) {
                self.note(
                    NoteKind::Skipped,
                    want.object_ref(),
                    format!(
                        "declared in schema {} which is not declared; skipped",
                        crate::sql::display_ident(&name.schema)
                    ),
                );
                continue;
            }
            match find_live(want, self.desired, self.live) {
                Found::New => self.create_table(want),
                Found::Same(have) => {
                    let have = self.live_table(&have.name).unwrap_or(have);
                    self.alter_table(want, have, &recreate_fks);
                }
                Found::Renamed(have) => {
                    self.push_table(TableChange::RenameTable {
                        from: have.name.clone(),
                        to: name.name.clone(),
                    });
                    let have = self.live_table(&have.name).unwrap_or(have);
                    self.alter_table(want, have, &recreate_fks);
                }
            }
        }
    }

    fn create_table(&mut self, want: &Table) {
        let name = &want.name;
        let owner = self
            .desired
            .relations
            .get(name)
            .and_then(|r| r.owner.clone());
        let mut table = want.clone();
        let foreign_keys: Vec<Constraint> = table
            .constraints
            .values()
            .filter(|c| is_foreign_key(c))
            .cloned()
            .collect();
        table.constraints.retain(|_, c| !is_foreign_key(c));
        let indexes = std::mem::take(&mut table.indexes);
        let policies = std::mem::take(&mut table.policies);
        let partition = want.partition_of.is_some();
        if partition {
            // A partition's columns are its parent's.
            table.columns.clear();
        }
        let identity_sequences: Vec<(String, QualifiedName)> = table
            .columns
            .iter()
            .filter(|c| c.identity.is_some())
            .map(|c| (c.name.clone(), identity_sequence_name(name, &c.name)))
            .collect();
        self.push_table(TableChange::CreateTable {
            table: Box::new(table),
            owner: owner.clone(),
            identity_sequences: identity_sequences.clone(),
        });
        for fk in foreign_keys {
            let referenced_key = self.referenced_key(&fk);
            self.push_table(TableChange::AddConstraint {
                table: name.clone(),
                constraint: fk,
                not_valid: false,
                new_table: true,
                referenced_key,
                reason: None,
            });
        }
        for index in indexes.into_values() {
            self.push_table(TableChange::CreateIndex {
                table: name.clone(),
                index,
                concurrently: false,
                new_table: true,
            });
        }
        for policy in policies.into_values() {
            self.push_table(TableChange::CreatePolicy {
                table: name.clone(),
                policy,
            });
        }
        let owner = self.new_owner(owner.as_ref()).map(str::to_string);
        let acl = self.wanted_acl(name, ObjectKind::Table);
        self.relation_acl(want.object_ref(), &acl, &Acl::default(), owner.as_deref());
        for (_, seq) in identity_sequences {
            let acl = self.wanted_acl(&seq, ObjectKind::Sequence);
            let object = ObjectRef::Relation {
                kind: RelationKind::Sequence,
                name: seq,
            };
            self.relation_acl(object, &acl, &Acl::default(), owner.as_deref());
        }
        if !partition {
            let columns: Vec<(String, Acl, Acl)> = want
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.acl.clone(), Acl::default()))
                .collect();
            self.column_acls(name, &columns);
        }
    }

    fn alter_table(
        &mut self,
        want: &Table,
        have: &Table,
        recreate_fks: &BTreeSet<(QualifiedName, String)>,
    ) {
        let name = &want.name;
        let renamed = have.name != want.name;
        if want.unlogged != have.unlogged {
            self.push_table(TableChange::SetLogged {
                table: name.clone(),
                unlogged: want.unlogged,
            });
        }
        if want.partition_by != have.partition_by {
            self.note(
                NoteKind::Error,
                want.object_ref(),
                format!(
                    "cannot change how a table is partitioned in place ({} → {}); nothing \
                     planned for it",
                    have.partition_by.as_deref().unwrap_or("not partitioned"),
                    want.partition_by.as_deref().unwrap_or("not partitioned")
                ),
            );
        }
        if want.partition_of != have.partition_of {
            if let Some(h) = &have.partition_of {
                self.push_table(TableChange::DetachPartition {
                    table: name.clone(),
                    parent: h.parent.clone(),
                });
            }
            if let Some(w) = &want.partition_of {
                self.push_table(TableChange::AttachPartition {
                    table: name.clone(),
                    parent: w.parent.clone(),
                    bound: w.bound.clone(),
                });
            }
        }
        let partition = want.partition_of.is_some() || have.partition_of.is_some();
        let (drop_not_null, recreated) = self.columns(want, have, partition);
        self.constraints(want, have, drop_not_null, recreate_fks, &recreated);
        self.indexes(want, have, &recreated);
        let enable =
            (want.row_level_security != have.row_level_security).then_some(want.row_level_security);
        let force = (want.force_row_level_security != have.force_row_level_security)
            .then_some(want.force_row_level_security);
        if enable.is_some() || force.is_some() {
            self.push_table(TableChange::SetRowSecurity {
                table: name.clone(),
                enable,
                force,
            });
        }
        self.policies(want, have);
        self.comment(want.object_ref(), &want.comment, &have.comment);
        let want_owner = self
            .desired
            .relations
            .get(name)
            .and_then(|r| r.owner.as_ref());
        let have_rel = self.live.relations.get(&have.name);
        let have_owner = have_rel.and_then(|r| r.owner.as_ref());
        self.owner(want.object_ref(), want_owner, have_owner);
        if renamed {
            // `objects()` skips the old name: the grants follow the table here.
            let acl = self.wanted_acl(name, ObjectKind::Table);
            let have_acl = have_rel.map(|r| r.acl.clone()).unwrap_or_default();
            let owner = want_owner.or(have_owner).cloned();
            self.relation_acl(want.object_ref(), &acl, &have_acl, owner.as_deref());
        }
    }

    /// Column changes of an existing table. Returns the (live) names of columns whose
    /// NOT NULL goes with the live primary key when that is dropped.
    ///
    /// Order: renames and new columns; generated columns that become ordinary; every
    /// type change of the table in one statement (one rewrite), with the generated
    /// columns that use a changed column (or whose expression changes) dropped before and
    /// added after inside it, as PostgreSQL refuses to change the type of a column a
    /// generated column uses; then identity, default and NOT NULL changes; comments and
    /// column grants last; dropped columns.
    fn columns(
        &mut self,
        want_t: &Table,
        have_t: &Table,
        partition: bool,
    ) -> (Vec<String>, BTreeSet<String>) {
        let t = &want_t.name;
        let want_pk: BTreeSet<&String> = primary_key(want_t)
            .and_then(key_columns)
            .into_iter()
            .flatten()
            .collect();
        let live_pk = primary_key(have_t);
        let live_pk_kept = live_pk.is_some_and(|pk| {
            self.constraint_match(want_t, pk)
                .is_some_and(|w| self.constraint_def_eq(w, pk))
        });
        let live_pk_cols: BTreeSet<&String> = live_pk
            .and_then(key_columns)
            .into_iter()
            .flatten()
            .collect();
        let mut drop_with_pk = Vec::new();
        let mut acls = Vec::new();

        // Pairs (declared, live); new columns are added after the type changes (their
        // defaults and expressions are written for the new types).
        let mut pairs: Vec<(&Column, &Column)> = Vec::new();
        let mut added: Vec<&Column> = Vec::new();
        for want in &want_t.columns {
            match column_match(want_t, have_t, want) {
                Some(have) => {
                    if have.name != want.name {
                        self.push_table(TableChange::RenameColumn {
                            table: t.clone(),
                            from: have.name.clone(),
                            to: want.name.clone(),
                        });
                    }
                    pairs.push((want, have));
                }
                None if partition => {}
                None => added.push(want),
            }
        }

        if partition {
            // Inherited from the parent: only what a partition may set itself.
            for (want, have) in pairs {
                if want.default != have.default {
                    self.push_table(TableChange::SetColumnDefault {
                        table: t.clone(),
                        column: want.name.clone(),
                        from: have.default.clone(),
                        to: want.default.clone(),
                    });
                }
                let column = ObjectRef::table_part(TablePart::Column, t, &want.name);
                self.comment(column, &want.comment, &have.comment);
                acls.push((want.name.clone(), want.acl.clone(), have.acl.clone()));
            }
            self.column_acls(t, &acls);
            return (drop_with_pk, BTreeSet::new());
        }

        // Generated → ordinary first: it keeps the values and frees the columns it used.
        for (want, have) in &pairs {
            if want.generated.is_none() && have.generated.is_some() {
                self.push_table(TableChange::DropExpression {
                    table: t.clone(),
                    column: want.name.clone(),
                });
            }
        }
        let type_changes: Vec<ColumnTypeChange> = pairs
            .iter()
            .filter(|(w, h)| w.type_name != h.type_name || w.collation != h.collation)
            .map(|(want, have)| ColumnTypeChange {
                column: want.name.clone(),
                from_type: have.type_name.clone(),
                to_type: want.type_name.clone(),
                from_collation: have.collation.clone(),
                to_collation: want.collation.clone(),
                using: want.using.clone(),
                drop_default: have.default.is_some(),
                set_default: want.default.clone(),
            })
            .collect();
        let retyped: Vec<&str> = type_changes
            .iter()
            .map(|c| {
                pairs
                    .iter()
                    .find(|(w, _)| w.name == c.column)
                    .map_or(c.column.as_str(), |(_, h)| h.name.as_str())
            })
            .collect();
        let mut recreated: Vec<RecreatedColumn> = Vec::new();
        for (want, have) in &pairs {
            let Some(expression) = &want.generated else {
                continue;
            };
            let uses_retyped = have
                .generated
                .as_deref()
                .into_iter()
                .chain(Some(expression.as_str()))
                .any(|e| retyped.iter().any(|c| mentions(e, c)));
            let retypes = want.type_name != have.type_name || want.collation != have.collation;
            // Stored ↔ virtual cannot be altered in place: the column is re-created.
            let kind_changes = want.generated_virtual != have.generated_virtual;
            if have.generated.as_ref() != Some(expression)
                || uses_retyped
                || retypes
                || kind_changes
            {
                recreated.push(RecreatedColumn {
                    column: (*want).clone(),
                    from_generated: have.generated.clone(),
                    from_virtual: have.generated_virtual,
                });
            }
        }
        let recreated_names: BTreeSet<String> =
            recreated.iter().map(|r| r.column.name.clone()).collect();
        // A re-created column gets its new type from its ADD.
        let type_changes: Vec<ColumnTypeChange> = type_changes
            .into_iter()
            .filter(|c| !recreated_names.contains(&c.column))
            .collect();
        if type_changes.is_empty() {
            for r in recreated {
                self.push_table(TableChange::RecreateColumn {
                    table: t.clone(),
                    column: r.column,
                    from_generated: r.from_generated,
                    from_virtual: r.from_virtual,
                });
            }
        } else {
            self.push_table(TableChange::AlterColumnTypes {
                table: t.clone(),
                columns: type_changes.clone(),
                recreate_generated: recreated,
            });
        }
        let retyped_names: BTreeSet<&str> =
            type_changes.iter().map(|c| c.column.as_str()).collect();
        for want in added {
            let identity_sequence = want
                .identity
                .as_ref()
                .map(|_| identity_sequence_name(t, &want.name));
            self.push_table(TableChange::AddColumn {
                table: t.clone(),
                column: want.clone(),
                identity_sequence: identity_sequence.clone(),
            });
            acls.push((want.name.clone(), want.acl.clone(), Acl::default()));
            if let Some(seq) = identity_sequence {
                self.identity_sequence_acl(t, seq);
            }
        }

        for (want, have) in &pairs {
            let column = ObjectRef::table_part(TablePart::Column, t, &want.name);
            if recreated_names.contains(&want.name) {
                // Added again with its declared comment; its grants start from nothing.
                acls.push((want.name.clone(), want.acl.clone(), Acl::default()));
                continue;
            }
            if have.identity.is_some() && want.identity.is_none() {
                self.push_table(TableChange::DropIdentity {
                    table: t.clone(),
                    column: want.name.clone(),
                });
            }
            if !retyped_names.contains(want.name.as_str()) && want.default != have.default {
                self.push_table(TableChange::SetColumnDefault {
                    table: t.clone(),
                    column: want.name.clone(),
                    from: have.default.clone(),
                    to: want.default.clone(),
                });
            }
            let declared_not_null = want.not_null || want.identity.is_some();
            let want_not_null = declared_not_null || want_pk.contains(&want.name);
            // Only a new primary key wants it: ADD PRIMARY KEY sets it itself.
            if declared_not_null && !have.not_null {
                self.push_table(TableChange::SetNotNull {
                    table: t.clone(),
                    column: want.name.clone(),
                    partitioned: want_t.partition_by.is_some(),
                    name: want.not_null_name.clone(),
                });
            } else if let Some(to) = &want.not_null_name
                && have.not_null
                && want.not_null_name != have.not_null_name
            {
                // Undeclared, the name is not managed: PostgreSQL keeps a constraint's
                // name when its table or column is renamed.
                let from = have
                    .not_null_name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_not_null", have_t.name.name, have.name));
                self.push_table(TableChange::RenameNotNull {
                    table: t.clone(),
                    column: want.name.clone(),
                    from,
                    to: to.clone(),
                });
            }
            match (&want.identity, &have.identity) {
                (Some(w), None) => {
                    let sequence = identity_sequence_name(t, &want.name);
                    self.push_table(TableChange::AddIdentity {
                        table: t.clone(),
                        column: want.name.clone(),
                        type_name: want.type_name.clone(),
                        identity: w.clone(),
                        sequence: sequence.clone(),
                    });
                    self.identity_sequence_acl(t, sequence);
                }
                (Some(w), Some(h))
                    if w.kind != h.kind
                        || effective_sequence(&w.options, &want.type_name)
                            != effective_sequence(&h.options, &want.type_name) =>
                {
                    self.push_table(TableChange::AlterIdentity {
                        table: t.clone(),
                        column: want.name.clone(),
                        type_name: want.type_name.clone(),
                        from: h.clone(),
                        to: w.clone(),
                    });
                }
                _ => {}
            }
            if !want_not_null && have.not_null {
                if live_pk_cols.contains(&have.name) && !live_pk_kept {
                    drop_with_pk.push(have.name.clone());
                } else {
                    self.push_table(TableChange::DropNotNull {
                        table: t.clone(),
                        column: want.name.clone(),
                    });
                }
            }
            self.comment(column, &want.comment, &have.comment);
            acls.push((want.name.clone(), want.acl.clone(), have.acl.clone()));
        }
        let matched: BTreeSet<&str> = pairs.iter().map(|(_, h)| h.name.as_str()).collect();
        for have in &have_t.columns {
            if !matched.contains(have.name.as_str()) {
                self.push_table(TableChange::DropColumn {
                    table: t.clone(),
                    column: have.clone(),
                });
            }
        }
        self.column_acls(t, &acls);
        (drop_with_pk, recreated_names)
    }

    /// Grants on the sequence of an identity column this plan creates.
    fn identity_sequence_acl(&mut self, table: &QualifiedName, sequence: QualifiedName) {
        let owner = self
            .desired
            .relations
            .get(table)
            .and_then(|r| r.owner.clone())
            .or_else(|| self.live.relations.get(table).and_then(|r| r.owner.clone()))
            .or_else(|| self.current_user.map(str::to_string));
        let acl = self.wanted_acl(&sequence, ObjectKind::Sequence);
        let object = ObjectRef::Relation {
            kind: RelationKind::Sequence,
            name: sequence,
        };
        self.relation_acl(object, &acl, &Acl::default(), owner.as_deref());
    }

    /// The declared constraint a live one corresponds to (same name, or declared with
    /// `renamed_from` = its name while the new name does not exist live).
    fn constraint_match<'b>(&self, want_t: &'b Table, have: &Constraint) -> Option<&'b Constraint> {
        if let Some(w) = want_t.constraints.get(&have.name) {
            return Some(w);
        }
        want_t.constraints.values().find(|w| {
            w.renamed_from.as_deref() == Some(have.name.as_str())
                && !want_t.constraints.contains_key(&have.name)
        })
    }

    /// A foreign key's referenced columns as PostgreSQL stores them: the referenced
    /// table's primary key when none are written.
    fn resolved_kind(&self, c: &Constraint) -> ConstraintKind {
        let mut kind = c.kind.clone();
        if let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &mut kind
            && referenced_columns.is_empty()
            && let Some(cols) = self
                .desired
                .tables
                .get(references)
                .and_then(primary_key)
                .and_then(key_columns)
        {
            *referenced_columns = cols.to_vec();
        }
        kind
    }

    fn constraint_def_eq(&self, want: &Constraint, have: &Constraint) -> bool {
        self.resolved_kind(want) == have.kind
            && want.deferrable == have.deferrable
            && want.initially_deferred == have.initially_deferred
    }

    /// The name of the referenced table's primary key, unique constraint or unique index
    /// that a foreign key relies on (its creation must come first).
    fn referenced_key(&self, fk: &Constraint) -> Option<String> {
        let ConstraintKind::ForeignKey { references, .. } = &fk.kind else {
            return None;
        };
        let ConstraintKind::ForeignKey {
            referenced_columns, ..
        } = self.resolved_kind(fk)
        else {
            return None;
        };
        key_for(self.desired.tables.get(references)?, &referenced_columns)
    }

    /// Live foreign keys (table, name) that must be dropped and added again because the
    /// primary key, unique constraint or unique index they reference is dropped or
    /// replaced (PostgreSQL refuses to drop a key a foreign key depends on).
    fn foreign_keys_to_recreate(&self) -> BTreeSet<(QualifiedName, String)> {
        let mut going: Vec<(QualifiedName, Vec<String>)> = Vec::new();
        for want in self.desired.tables.values() {
            if !self.desired.schemas.contains_key(&want.name.schema) {
                continue;
            }
            let have = match find_live(want, self.desired, self.live) {
                Found::Same(h) | Found::Renamed(h) => self.live_table(&h.name).unwrap_or(h),
                Found::New => continue,
            };
            for c in have.constraints.values() {
                let Some(cols) = key_columns(c) else { continue };
                let kept = self
                    .constraint_match(want, c)
                    .is_some_and(|w| self.constraint_def_eq(w, c));
                if !kept {
                    going.push((want.name.clone(), cols.to_vec()));
                }
            }
            for i in have.indexes.values() {
                let Some(cols) = unique_index_columns(i) else {
                    continue;
                };
                let kept = index_match(want, i).is_some_and(|w| index_def_eq(w, i));
                if !kept {
                    going.push((want.name.clone(), cols));
                }
            }
        }
        let mut out = BTreeSet::new();
        for name in self.live.tables.keys() {
            let Some(t) = self.live_table(name) else {
                continue;
            };
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    references,
                    referenced_columns,
                    ..
                } = &c.kind
                    && going.iter().any(|(table, cols)| {
                        table == references && same_set(cols, referenced_columns)
                    })
                {
                    out.insert((name.clone(), c.name.clone()));
                }
            }
        }
        out
    }

    fn add_constraint(&mut self, want_t: &Table, c: &Constraint, reason: Option<String>) {
        let partitioned = want_t.partition_by.is_some();
        let not_valid = !partitioned
            && matches!(
                c.kind,
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
            );
        self.push_table(TableChange::AddConstraint {
            table: want_t.name.clone(),
            constraint: c.clone(),
            not_valid,
            new_table: false,
            referenced_key: self.referenced_key(c),
            reason,
        });
        if not_valid {
            self.push_table(TableChange::ValidateConstraint {
                table: want_t.name.clone(),
                constraint: c.clone(),
            });
        }
    }

    fn constraints(
        &mut self,
        want_t: &Table,
        have_t: &Table,
        mut drop_not_null: Vec<String>,
        recreate_fks: &BTreeSet<(QualifiedName, String)>,
        recreated: &BTreeSet<String>,
    ) {
        let t = &want_t.name;
        let mut matched: BTreeSet<&str> = BTreeSet::new();
        let mut adds: Vec<(&Constraint, Option<String>)> = Vec::new();
        // Constraints on a re-created column go with it (DROP COLUMN drops them).
        let gone = |c: &Constraint| constraint_uses(c, recreated);
        for want in want_t.constraints.values() {
            let have = have_t.constraints.get(&want.name).or_else(|| {
                let old = want.renamed_from.as_deref()?;
                if want_t.constraints.contains_key(old) {
                    return None;
                }
                have_t.constraints.get(old)
            });
            let Some(have) = have else {
                adds.push((want, None));
                continue;
            };
            matched.insert(have.name.as_str());
            if gone(have) {
                adds.push((want, Some(dropped_with(recreated))));
                continue;
            }
            let reason = if !self.constraint_def_eq(want, have) {
                Some(None)
            } else if recreate_fks.contains(&(have_t.name.clone(), have.name.clone())) {
                Some(Some(
                    "re-created: the key it references is replaced".to_string(),
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                let is_pk = matches!(have.kind, ConstraintKind::PrimaryKey { .. });
                self.push_table(TableChange::DropConstraint {
                    table: t.clone(),
                    constraint: have.clone(),
                    drop_not_null: if is_pk {
                        std::mem::take(&mut drop_not_null)
                    } else {
                        Vec::new()
                    },
                    referenced_key: self.live_referenced_key(have),
                    reason: reason.clone(),
                });
                adds.push((want, reason));
                continue;
            }
            if have.name != want.name {
                self.push_table(TableChange::RenameConstraint {
                    table: t.clone(),
                    from: have.name.clone(),
                    to: want.name.clone(),
                });
            }
            // Added NOT VALID and never validated: existing rows were never checked.
            if want.validated && !have.validated {
                self.push_table(TableChange::ValidateConstraint {
                    table: t.clone(),
                    constraint: want.clone(),
                });
            }
            let object = ObjectRef::table_part(TablePart::Constraint, t, &want.name);
            self.comment(object, &want.comment, &have.comment);
        }
        for have in have_t.constraints.values() {
            if matched.contains(have.name.as_str()) || gone(have) {
                continue;
            }
            let is_pk = matches!(have.kind, ConstraintKind::PrimaryKey { .. });
            self.push_table(TableChange::DropConstraint {
                table: t.clone(),
                constraint: have.clone(),
                drop_not_null: if is_pk {
                    std::mem::take(&mut drop_not_null)
                } else {
                    Vec::new()
                },
                referenced_key: self.live_referenced_key(have),
                reason: None,
            });
        }
        for (want, reason) in adds {
            self.add_constraint(want_t, want, reason);
        }
    }

    fn indexes(&mut self, want_t: &Table, have_t: &Table, recreated: &BTreeSet<String>) {
        let t = &want_t.name;
        let mut matched: BTreeSet<&str> = BTreeSet::new();
        // Indexes on a re-created column go with it (DROP COLUMN drops them).
        let gone = |i: &Index| index_uses(i, recreated);
        for want in want_t.indexes.values() {
            let have = have_t.indexes.get(&want.name).or_else(|| {
                let old = want.renamed_from.as_deref()?;
                if want_t.indexes.contains_key(old) {
                    return None;
                }
                have_t.indexes.get(old)
            });
            let Some(have) = have else {
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            };
            matched.insert(have.name.as_str());
            if gone(have) {
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            }
            // An invalid index (an interrupted concurrent build) is never used by the
            // planner: drop it and build it again.
            if !index_def_eq(want, have) || !have.valid {
                self.push_table(TableChange::DropIndex {
                    table: t.clone(),
                    index: have.clone(),
                });
                self.push_table(TableChange::CreateIndex {
                    table: t.clone(),
                    index: want.clone(),
                    concurrently: want.concurrently,
                    new_table: false,
                });
                continue;
            }
            if have.name != want.name {
                self.push_table(TableChange::RenameIndex {
                    table: t.clone(),
                    from: have.name.clone(),
                    to: want.name.clone(),
                });
            }
            if want.with != have.with {
                self.push_table(TableChange::SetIndexStorage {
                    table: t.clone(),
                    index: want.name.clone(),
                    from: have.with.clone(),
                    to: want.with.clone(),
                });
            }
            let object = ObjectRef::table_part(TablePart::Index, t, &want.name);
            self.comment(object, &want.comment, &have.comment);
        }
        for have in have_t.indexes.values() {
            if !matched.contains(have.name.as_str()) && !gone(have) {
                self.push_table(TableChange::DropIndex {
                    table: t.clone(),
                    index: have.clone(),
                });
            }
        }
    }

    fn policies(&mut self, want_t: &Table, have_t: &Table) {
        let t = &want_t.name;
        for (name, have) in &have_t.policies {
            let replaced = want_t
                .policies
                .get(name)
                .is_some_and(|w| !policy_alterable(have, w));
            if !want_t.policies.contains_key(name) || replaced {
                self.push_table(TableChange::DropPolicy {
                    table: t.clone(),
                    policy: have.clone(),
                });
            }
        }
        for (name, want) in &want_t.policies {
            match have_t.policies.get(name) {
                Some(have) if policy_alterable(have, want) => {
                    if policy_roles(have) != policy_roles(want)
                        || have.using != want.using
                        || have.with_check != want.with_check
                    {
                        self.push_table(TableChange::AlterPolicy {
                            table: t.clone(),
                            from: have.clone(),
                            to: want.clone(),
                        });
                    }
                }
                _ => self.push_table(TableChange::CreatePolicy {
                    table: t.clone(),
                    policy: want.clone(),
                }),
            }
        }
    }

    // ---------------------------------------------------------------------------------

    /// Undeclared tables, sequences, enums and domains in schemas whose tables are
    /// managed: reported, or dropped with `--prune`.
    pub(super) fn undeclared(&mut self) {
        let tables: Vec<&Table> = undeclared_tables(self.desired, self.live).collect();
        let pruned: BTreeSet<&QualifiedName> = tables.iter().map(|t| &t.name).collect();
        for t in &tables {
            if !self.options.prune {
                let what = if t.partition_by.is_some() {
                    "partitioned table"
                } else {
                    "table"
                };
                self.note(
                    NoteKind::Unexpected,
                    t.object_ref(),
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
                continue;
            }
            // Foreign keys between dropped tables go first, so that any two can be
            // dropped in any order (and cycles need no CASCADE).
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                    && references != &t.name
                    && pruned.contains(references)
                {
                    self.push_table(TableChange::DropConstraint {
                        table: t.name.clone(),
                        constraint: c.clone(),
                        drop_not_null: Vec::new(),
                        referenced_key: self.live_referenced_key(c),
                        reason: Some("its table is dropped".into()),
                    });
                }
            }
            self.push_table(TableChange::DropTable {
                table: Box::new((*t).clone()),
            });
        }
        let sequences: Vec<QualifiedName> = undeclared_sequences(self.desired, self.live)
            .map(|s| s.name.clone())
            .collect();
        for name in sequences {
            if self.options.prune {
                self.push_table(TableChange::DropSequence { name });
            } else {
                let object = ObjectRef::Relation {
                    kind: RelationKind::Sequence,
                    name,
                };
                self.note(
                    NoteKind::Unexpected,
                    object,
                    "sequence is not declared; left alone (use --prune to drop it)",
                );
            }
        }
        let managed = |n: &QualifiedName| {
            self.desired
                .schemas
                .get(&n.schema)
                .is_some_and(|s| s.manage_tables)
        };
        let mut types: Vec<(QualifiedName, TypeKind)> = Vec::new();
        for name in self.live.enums.keys() {
            if managed(name) && !self.desired.enums.contains_key(name) {
                types.push((name.clone(), TypeKind::Enum));
            }
        }
        for name in self.live.domains.keys() {
            if managed(name) && !self.desired.domains.contains_key(name) {
                types.push((name.clone(), TypeKind::Domain));
            }
        }
        for (name, kind) in types {
            if self.options.prune {
                self.push_table(TableChange::DropType { name, kind });
            } else {
                let what = match kind {
                    TypeKind::Enum => "enum",
                    TypeKind::Domain => "domain",
                };
                self.note(
                    NoteKind::Unexpected,
                    ObjectRef::Type { kind, name },
                    format!("{what} is not declared; left alone (use --prune to drop it)"),
                );
            }
        }
    }

    /// Objects pgrecon does not manage, in declared schemas.
    pub(super) fn unmanaged(&mut self) {
        let live = self.live;
        for u in &live.unmanaged {
            if !self.desired.schemas.contains_key(&u.schema) {
                continue;
            }
            // Names come display-quoted (`notes_audit on general.notes`, `f(integer)`).
            let what = if u.name.contains(" on ") {
                format!("{} {}", u.kind, u.name)
            } else {
                format!(
                    "{} {}.{}",
                    u.kind,
                    crate::sql::display_ident(&u.schema),
                    u.name
                )
            };
            self.note(NoteKind::Unmanaged, ObjectRef::schema(&u.schema), what);
        }
    }
}

/// The primary key, unique constraint or unique index of `table` on exactly `columns`.
fn key_for(table: &Table, columns: &[String]) -> Option<String> {
    table
        .constraints
        .values()
        .find(|c| key_columns(c).is_some_and(|k| same_set(k, columns)))
        .map(|c| c.name.clone())
        .or_else(|| {
            table
                .indexes
                .values()
                .find(|i| unique_index_columns(i).is_some_and(|k| same_set(&k, columns)))
                .map(|i| i.name.clone())
        })
}

/// Whether a (translated) live constraint involves one of `columns`.
fn constraint_uses(c: &Constraint, columns: &BTreeSet<String>) -> bool {
    if columns.is_empty() {
        return false;
    }
    let named = |list: &[String]| list.iter().any(|n| columns.contains(n));
    let said = |e: &str| columns.iter().any(|n| mentions(e, n));
    match &c.kind {
        ConstraintKind::PrimaryKey {
            columns: k,
            include,
        }
        | ConstraintKind::Unique {
            columns: k,
            include,
            ..
        } => named(k) || named(include),
        ConstraintKind::ForeignKey { columns: k, .. } => named(k),
        ConstraintKind::Check { expression, .. } => said(expression),
        ConstraintKind::Exclusion {
            elements,
            predicate,
            ..
        } => {
            elements.iter().any(|e| {
                e.column.as_ref().is_some_and(|n| columns.contains(n))
                    || e.expression.as_deref().is_some_and(said)
            }) || predicate.as_deref().is_some_and(said)
        }
    }
}

/// Whether a (translated) live index involves one of `columns`.
fn index_uses(i: &Index, columns: &BTreeSet<String>) -> bool {
    if columns.is_empty() {
        return false;
    }
    let said = |e: &str| columns.iter().any(|n| mentions(e, n));
    i.keys.iter().any(|k| {
        k.column.as_ref().is_some_and(|n| columns.contains(n))
            || k.expression.as_deref().is_some_and(said)
    }) || i.include.iter().any(|n| columns.contains(n))
        || i.predicate.as_deref().is_some_and(said)
}

fn dropped_with(columns: &BTreeSet<String>) -> String {
    let names: Vec<String> = columns
        .iter()
        .map(|c| crate::sql::display_ident(c))
        .collect();
    format!(
        "re-created: dropped with re-created column {}",
        names.join(", ")
    )
}

/// The declared index a live one corresponds to.
fn index_match<'b>(want_t: &'b Table, have: &Index) -> Option<&'b Index> {
    if let Some(w) = want_t.indexes.get(&have.name) {
        return Some(w);
    }
    want_t.indexes.values().find(|w| {
        w.renamed_from.as_deref() == Some(have.name.as_str())
            && !want_t.indexes.contains_key(&have.name)
    })
}

/// `ALTER POLICY` can change roles, `USING` and `WITH CHECK`, but cannot remove an
/// expression nor change the command or the permissive/restrictive kind.
fn policy_alterable(have: &Policy, want: &Policy) -> bool {
    have.permissive == want.permissive
        && have.command.eq_ignore_ascii_case(&want.command)
        && !(have.using.is_some() && want.using.is_none())
        && !(have.with_check.is_some() && want.with_check.is_none())
}

/// New labels in place: `None` when a live label is missing or out of order.
fn enum_additions(live: &[String], want: &[String]) -> Option<Vec<(String, EnumPosition)>> {
    let mut next = 0;
    for w in want {
        if next < live.len() && &live[next] == w {
            next += 1;
        }
    }
    if next != live.len() {
        return None;
    }
    let mut out = Vec::new();
    for (i, w) in want.iter().enumerate() {
        if live.contains(w) {
            continue;
        }
        let position = if i > 0 {
            EnumPosition::After(want[i - 1].clone())
        } else if let Some(first) = live.first() {
            EnumPosition::Before(first.clone())
        } else {
            EnumPosition::End
        };
        out.push((w.clone(), position));
    }
    Some(out)
}

fn labels(values: &[String]) -> String {
    values
        .iter()
        .map(|v| crate::sql::quote_literal(v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn collate_text(c: &Option<String>) -> String {
    c.as_ref()
        .map_or(String::new(), |c| format!(" collate {c}"))
}

#[cfg(test)]
mod tests;
