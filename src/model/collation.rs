//! Collations (`CREATE COLLATION`).

use super::QualifiedName;
use serde::Serialize;

/// The library that implements a collation (`pg_collation.collprovider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CollationProvider {
    Libc,
    Icu,
    /// PostgreSQL 17+.
    Builtin,
}

impl CollationProvider {
    /// As written after `provider =`.
    pub fn as_sql(self) -> &'static str {
        match self {
            CollationProvider::Libc => "libc",
            CollationProvider::Icu => "icu",
            CollationProvider::Builtin => "builtin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "libc" => Some(CollationProvider::Libc),
            "icu" => Some(CollationProvider::Icu),
            "builtin" => Some(CollationProvider::Builtin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collation {
    pub name: QualifiedName,
    pub owner: Option<String>,
    pub provider: CollationProvider,
    /// The ICU or builtin locale, as the server stores it (`colliculocale`/`colllocale`;
    /// on PostgreSQL 14 an ICU collation keeps it in `collcollate`). `None` for libc.
    pub locale: Option<String>,
    /// libc only: `LC_COLLATE` and `LC_CTYPE`.
    pub lc_collate: Option<String>,
    pub lc_ctype: Option<String>,
    pub deterministic: bool,
    pub comment: Option<String>,
}
