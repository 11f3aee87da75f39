//! The relational layer's changes: tables, columns, constraints, indexes, policies,
//! sequences, enums, domains, extensions. The diff that produces them is in the file of
//! each kind (`table.rs`, `column.rs`, `constraint.rs` …); pure, like the rest of the diff.
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
//!   a separate `ValidateConstraint` (one declared `not_valid` is added `NOT VALID` and
//!   never validated, on a new table too); NOT NULL is proven by a temporary `NOT VALID` check
//!   first; a changed definition (constraint, index, policy) is a drop plus a create;
//! - a renamed object (`renamed_from`, when the old name exists and the new does not) is
//!   renamed in place, then compared like any other.

// The plan stage reaches these through `diff::tables`.
pub use super::column::identity_sequence_name;
pub use super::sequence::{EffectiveSequence, effective_sequence};

use crate::model::*;
use std::collections::BTreeMap;

/// Where `ALTER TYPE … ADD VALUE` puts a new label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// The enum has no labels yet.
    End,
}

/// What a live user type names, as the server prints it (every name qualified): the
/// plan drops the type before these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeUses {
    /// Its base type, subtype or attributes' types.
    pub types: Vec<String>,
    pub collations: Vec<String>,
    /// Its default and checks (the routines and sequences they call).
    pub expressions: Vec<String>,
}

impl TypeUses {
    /// What the live type `name` of `kind` names.
    pub fn of(live: &Catalog, name: &QualifiedName, kind: TypeKind) -> TypeUses {
        let mut uses = TypeUses::default();
        match kind {
            TypeKind::Enum => {}
            TypeKind::Domain => {
                if let Some(d) = live.domains.get(name) {
                    uses.types.push(d.base_type.clone());
                    uses.collations.extend(d.collation.clone());
                    uses.expressions.extend(d.default.clone());
                    uses.expressions.extend(d.checks.values().cloned());
                }
            }
            TypeKind::Composite => {
                for a in live
                    .composite_types
                    .get(name)
                    .into_iter()
                    .flat_map(|t| &t.attributes)
                {
                    uses.types.push(a.type_name.clone());
                    uses.collations.extend(a.collation.clone());
                }
            }
            TypeKind::Range => {
                if let Some(r) = live.range_types.get(name) {
                    uses.types.push(r.subtype.clone());
                    uses.collations.extend(r.collation.clone());
                }
            }
        }
        uses
    }
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
    /// No update path leads from the installed version to the declared one: drop and
    /// create it again (destructive).
    RecreateExtension {
        name: String,
        schema: Option<String>,
        from: Option<String>,
        to: String,
    },
    /// Undeclared and claimed by `[scope] owned_extensions` (with `--prune`).
    DropExtension {
        name: String,
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
    /// Labels removed or reordered: a new type under `temp_name` with the declared
    /// labels, every column moved to it through text, the old type dropped and the new
    /// one renamed (the live owner, grants and comment restored on it).
    ReplaceEnum {
        enum_type: EnumType,
        live: EnumType,
        temp_name: String,
        columns: Vec<MovedColumn>,
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
        /// What the live type names, which outlives it.
        uses: TypeUses,
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
        /// The column that owns it (a serial column's sequence): dropped before the
        /// column, which would take it along.
        owned_by: Option<(QualifiedName, String)>,
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
    /// `INHERIT parent` on an existing table that already has the parent's columns and
    /// CHECK constraints (named here, for the order).
    Inherit {
        table: QualifiedName,
        parent: QualifiedName,
        columns: Vec<String>,
        checks: Vec<String>,
    },
    /// `NO INHERIT parent`: what the table inherited from it becomes its own.
    NoInherit {
        table: QualifiedName,
        parent: QualifiedName,
    },

    // -- columns of existing tables ---------------------------------------------------
    AddColumn {
        table: QualifiedName,
        column: Column,
        identity_sequence: Option<QualifiedName>,
        /// The tables that inherit the column from this one (it appears there too).
        heirs: Vec<QualifiedName>,
    },
    /// The live column.
    DropColumn {
        table: QualifiedName,
        column: Column,
        /// The tables that inherit the column from this one (it leaves them too).
        heirs: Vec<QualifiedName>,
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
        /// The identity's sequence, dropped with it (its name is free after).
        sequence: Option<QualifiedName>,
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
        /// `NOT VALID`; a `ValidateConstraint` follows unless the constraint is declared
        /// `not_valid` (`validated` false).
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

    // -- triggers ---------------------------------------------------------------------
    /// `CREATE TRIGGER`, or `CREATE OR REPLACE TRIGGER` over the live one (`from`).
    CreateTrigger {
        table: QualifiedName,
        trigger: Box<Trigger>,
        from: Option<Box<Trigger>>,
    },
    /// The live trigger.
    DropTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    SetTriggerEnabled {
        table: QualifiedName,
        trigger: String,
        from: TriggerEnabled,
        to: TriggerEnabled,
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
    /// Declared views that read the column: PostgreSQL refuses the change while they
    /// exist, so they are dropped before it and created again after it.
    pub rebuilt_views: Vec<QualifiedName>,
    /// The live type is an enum this plan replaces: the change runs before it, while
    /// the old type exists.
    pub off_replaced_enum: bool,
}

/// A column moved by `ReplaceEnum` to the new type (live names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedColumn {
    pub table: QualifiedName,
    pub column: String,
    /// The live type: the enum or an array of it.
    pub type_name: String,
    /// The live default, dropped before the change.
    pub drop_default: bool,
    /// Set once the new type has the old name.
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
