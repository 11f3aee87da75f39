//! `CREATE TABLE`.

use super::Sink;
use crate::model::QualifiedName;
use crate::sql::qualified;

/// `CREATE [UNLOGGED] TABLE name (elements) [PARTITION OF parent … bound]
/// [INHERITS (parents)] [PARTITION BY key]`, one element per line. `elements` are (label, definition): the
/// column definitions and constraint clauses, in order.
pub fn create_table(
    out: &mut impl Sink,
    name: &QualifiedName,
    unlogged: bool,
    elements: Vec<(String, String)>,
    partition_of: Option<(&QualifiedName, &str)>,
    inherits: &[QualifiedName],
    partition_by: Option<&str>,
) {
    let unlogged = if unlogged { "UNLOGGED " } else { "" };
    out.text(&format!(
        "CREATE {unlogged}TABLE {}",
        qualified(&name.schema, &name.name)
    ));
    match partition_of {
        Some((parent, bound)) => {
            out.text(&format!(
                " PARTITION OF {}",
                qualified(&parent.schema, &parent.name)
            ));
            if !elements.is_empty() {
                body(out, elements);
            }
            out.text(" ");
            out.clause("partition bound".into(), bound);
        }
        // A table without columns still needs its parentheses.
        None if elements.is_empty() => out.text(" ()"),
        None => body(out, elements),
    }
    if partition_of.is_none() && !inherits.is_empty() {
        let parents: Vec<String> = inherits
            .iter()
            .map(|p| qualified(&p.schema, &p.name))
            .collect();
        out.text(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if let Some(by) = partition_by {
        out.text(" PARTITION BY ");
        out.clause("partition_by".into(), by);
    }
}

fn body(out: &mut impl Sink, elements: Vec<(String, String)>) {
    out.text(" (\n    ");
    for (i, (label, text)) in elements.into_iter().enumerate() {
        if i > 0 {
            out.text(",\n    ");
        }
        out.clause(label, &text);
    }
    out.text("\n)");
}
