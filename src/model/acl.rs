//! Privileges and access-control lists.

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A class of objects that privileges apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Database,
    Schema,
    Table,
    Sequence,
    Function,
    /// Enums, domains, composite and range types (`GRANT … ON TYPE`).
    Type,
}

impl ObjectKind {
    /// The privileges PostgreSQL accepts on this kind of object, in its canonical order.
    pub fn privileges(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            ObjectKind::Database => &[Create, Connect, Temporary],
            ObjectKind::Schema => &[Usage, Create],
            // MAINTAIN exists from PostgreSQL 17 on; `diff` drops it from `ALL` for older
            // servers and refuses it declared alone.
            ObjectKind::Table => &[
                Select, Insert, Update, Delete, Truncate, References, Trigger, Maintain,
            ],
            ObjectKind::Sequence => &[Usage, Select, Update],
            ObjectKind::Function => &[Execute],
            ObjectKind::Type => &[Usage],
        }
    }

    /// Keyword used in `GRANT … ON ALL <x> IN SCHEMA` and `ALTER DEFAULT PRIVILEGES … ON <x>`.
    pub fn plural_keyword(self) -> &'static str {
        match self {
            ObjectKind::Database => "DATABASES",
            ObjectKind::Schema => "SCHEMAS",
            ObjectKind::Table => "TABLES",
            ObjectKind::Sequence => "SEQUENCES",
            ObjectKind::Function => "FUNCTIONS",
            ObjectKind::Type => "TYPES",
        }
    }

    /// `pg_default_acl.defaclobjtype` code.
    pub fn default_acl_code(self) -> Option<char> {
        match self {
            ObjectKind::Table => Some('r'),
            ObjectKind::Sequence => Some('S'),
            ObjectKind::Function => Some('f'),
            ObjectKind::Type => Some('T'),
            ObjectKind::Schema => Some('n'),
            ObjectKind::Database => None,
        }
    }

    pub fn from_default_acl_code(code: &str) -> Option<Self> {
        match code {
            "r" => Some(ObjectKind::Table),
            "S" => Some(ObjectKind::Sequence),
            "f" => Some(ObjectKind::Function),
            "T" => Some(ObjectKind::Type),
            "n" => Some(ObjectKind::Schema),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Database => "database",
            ObjectKind::Schema => "schema",
            ObjectKind::Table => "table",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Type => "type",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Execute,
    Usage,
    Create,
    Connect,
    Temporary,
    Maintain,
}

impl Privilege {
    pub const ALL: [Privilege; 13] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
        Privilege::Execute,
        Privilege::Usage,
        Privilege::Create,
        Privilege::Connect,
        Privilege::Temporary,
        Privilege::Maintain,
    ];

    pub fn as_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Connect => "CONNECT",
            Privilege::Temporary => "TEMPORARY",
            Privilege::Maintain => "MAINTAIN",
        }
    }

    /// Parses a privilege name as written in SQL (case-insensitive; `TEMP` accepted).
    pub fn parse(text: &str) -> Option<Self> {
        let upper = text.trim().to_ascii_uppercase();
        if upper == "TEMP" {
            return Some(Privilege::Temporary);
        }
        Privilege::ALL.into_iter().find(|p| p.as_sql() == upper)
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

impl Serialize for Privilege {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_sql())
    }
}

/// Who receives a privilege.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grantee {
    Public,
    Role(String),
}

impl Grantee {
    pub fn parse(name: &str) -> Self {
        if name == "PUBLIC" {
            Grantee::Public
        } else {
            Grantee::Role(name.to_string())
        }
    }

    pub fn role_name(&self) -> Option<&str> {
        match self {
            Grantee::Public => None,
            Grantee::Role(r) => Some(r),
        }
    }

    pub fn to_sql(&self) -> String {
        match self {
            Grantee::Public => "PUBLIC".to_string(),
            Grantee::Role(r) => crate::sql::quote_ident(r),
        }
    }
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(r) => f.write_str(&crate::sql::display_ident(r)),
        }
    }
}

impl Serialize for Grantee {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Privileges held by one grantee: privilege → grantable (`WITH GRANT OPTION`).
pub type PrivilegeSet = BTreeMap<Privilege, bool>;

/// An access-control list without the owner's implicit privileges.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Acl(pub BTreeMap<Grantee, PrivilegeSet>);

impl Acl {
    pub fn is_empty(&self) -> bool {
        self.0.values().all(|p| p.is_empty())
    }

    pub fn grant(&mut self, grantee: Grantee, privilege: Privilege, grantable: bool) {
        let entry = self
            .0
            .entry(grantee)
            .or_default()
            .entry(privilege)
            .or_insert(false);
        *entry |= grantable;
    }

    /// Union: every privilege of either side, grantable if grantable on either side.
    pub fn union(&self, other: &Acl) -> Acl {
        let mut out = self.clone();
        for (grantee, privs) in &other.0 {
            for (p, g) in privs {
                out.grant(grantee.clone(), *p, *g);
            }
        }
        out
    }

    /// Intersection: privileges held on both sides, grantable only if grantable on both.
    pub fn intersection(&self, other: &Acl) -> Acl {
        let mut out = Acl::default();
        for (grantee, privs) in &self.0 {
            if let Some(theirs) = other.0.get(grantee) {
                for (p, g) in privs {
                    if let Some(tg) = theirs.get(p) {
                        out.grant(grantee.clone(), *p, *g && *tg);
                    }
                }
            }
        }
        out
    }

    /// Privileges in `self` that `other` lacks (with grant option counted as distinct).
    pub fn minus(&self, other: &Acl) -> Acl {
        let mut out = Acl::default();
        for (grantee, privs) in &self.0 {
            let theirs = other.0.get(grantee);
            for (p, g) in privs {
                match theirs.and_then(|t| t.get(p)) {
                    Some(tg) if *tg || !*g => {}
                    _ => out.grant(grantee.clone(), *p, *g),
                }
            }
        }
        out
    }

    /// Drops entries of a grantee (used to strip the owner's implicit privileges).
    pub fn without(mut self, grantee: &Grantee) -> Acl {
        self.0.remove(grantee);
        self
    }

    pub fn normalized(mut self) -> Acl {
        self.0.retain(|_, p| !p.is_empty());
        self
    }

    /// Every role named as a grantee.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.0.keys().filter_map(Grantee::role_name)
    }
}
