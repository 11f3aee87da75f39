//! Sequence options, shared by `CREATE SEQUENCE` and identity columns.

use super::Sink;
use crate::model::{QualifiedName, SequenceOptions};
use crate::sql::qualified;

/// `AS type` (when given) then the options written out; the `None` ones are
/// PostgreSQL's defaults anyway.
pub fn sequence_clauses(data_type: Option<&str>, o: &SequenceOptions) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = data_type {
        out.push(format!("AS {t}"));
    }
    if let Some(v) = o.increment {
        out.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = o.min_value {
        out.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = o.max_value {
        out.push(format!("MAXVALUE {v}"));
    }
    if let Some(v) = o.start {
        out.push(format!("START WITH {v}"));
    }
    if let Some(v) = o.cache {
        out.push(format!("CACHE {v}"));
    }
    if o.cycle {
        out.push("CYCLE".into());
    }
    out
}

/// `CREATE SEQUENCE name [AS type] [options]`; the type and options are the clause
/// `options`.
pub fn create_sequence(
    out: &mut impl Sink,
    name: &QualifiedName,
    data_type: Option<&str>,
    o: &SequenceOptions,
) {
    out.text(&format!(
        "CREATE SEQUENCE {}",
        qualified(&name.schema, &name.name)
    ));
    let clauses = sequence_clauses(data_type, o);
    if !clauses.is_empty() {
        out.text(" ");
        out.clause("options".into(), &clauses.join(" "));
    }
}
