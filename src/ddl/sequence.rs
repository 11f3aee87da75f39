//! Sequence options, shared by `CREATE SEQUENCE` and identity columns.

use crate::model::SequenceOptions;

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
