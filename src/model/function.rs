//! Functions and procedures: owner and grants (their bodies are not managed).

use super::Acl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A function or procedure, identified as PostgreSQL does: name and argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionId {
    pub schema: String,
    pub name: String,
    /// Argument types only, as `oidvectortypes(proargtypes)` prints them: `integer, text`
    /// (parameter names and modes are not part of a function's identity).
    pub arguments: String,
}

impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}({})",
            crate::sql::display_ident(&self.schema),
            crate::sql::display_ident(&self.name),
            self.arguments
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: FunctionId,
    pub is_procedure: bool,
    pub owner: Option<String>,
    pub acl: Acl,
}
