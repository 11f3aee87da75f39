//! Sequences: create, alter options, `OWNED BY`, drop.

use crate::ddl::sequence::create_sequence as create_sequence_sql;
use crate::diff::tables::effective_sequence;
use crate::model::*;
use crate::plan::builder::{Builder, ident, qn, sequence_ref};
use crate::plan::{Action, HazardKind, Key, Node, phase};
use crate::sql::quote_ident;

pub(super) fn create_sequence(s: &Sequence) -> Node {
    let mut b = Builder::default();
    let mut sql = String::new();
    create_sequence_sql(&mut sql, &s.name, Some(&s.data_type), &s.options);
    b.sql(sql);
    b.details.push(format!("type: {}", s.data_type));
    let object = sequence_ref(&s.name);
    b.owned_by(&object, s.owner.as_ref());
    b.comment(&object, s.comment.as_ref());
    b.requires.push(Key::Schema(s.name.schema.clone()));
    b.creates.push(Key::Relation(s.name.clone()));
    b.finish(
        phase::SEQUENCE,
        Action::Create,
        object,
        format!("create sequence {}", s.name),
    )
}

pub(super) fn alter_sequence(
    name: &QualifiedName,
    from_type: &str,
    to_type: &str,
    from: &SequenceOptions,
    to: &SequenceOptions,
) -> Node {
    let mut b = Builder::default();
    let mut parts = vec![format!("ALTER SEQUENCE {}", qn(name))];
    if from_type != to_type {
        parts.push(format!("AS {to_type}"));
        b.details.push(format!("type: {from_type} → {to_type}"));
    }
    let (options, details) = sequence_changes(from, from_type, to, to_type, "");
    parts.extend(options);
    b.details.extend(details);
    b.sql(parts.join(" "));
    b.requires.push(Key::Relation(name.clone()));
    b.finish(
        phase::SEQUENCE,
        Action::Alter,
        sequence_ref(name),
        format!("alter sequence {name}"),
    )
}

pub(super) fn set_sequence_owned_by(
    name: &QualifiedName,
    from: &Option<(QualifiedName, String)>,
    to: &Option<(QualifiedName, String)>,
) -> Node {
    let mut b = Builder::default();
    let target = match to {
        Some((t, c)) => format!("{}.{}", qn(t), quote_ident(c)),
        None => "NONE".into(),
    };
    b.sql(format!("ALTER SEQUENCE {} OWNED BY {target}", qn(name)));
    let shown_col = |v: &Option<(QualifiedName, String)>| {
        v.as_ref()
            .map_or("(none)".to_string(), |(t, c)| format!("{t}.{}", ident(c)))
    };
    b.details
        .push(format!("owned by: {} → {}", shown_col(from), shown_col(to)));
    b.requires.push(Key::Relation(name.clone()));
    for (t, c) in from.iter().chain(to) {
        b.requires
            .extend([Key::Relation(t.clone()), Key::Column(t.clone(), c.clone())]);
    }
    let summary = match to {
        Some((t, c)) => format!("make sequence {name} owned by {t}.{}", ident(c)),
        None => format!("detach sequence {name} from its column"),
    };
    b.finish(
        phase::FOREIGN_KEY,
        Action::Alter,
        sequence_ref(name),
        summary,
    )
}

pub(super) fn drop_sequence(
    name: &QualifiedName,
    owned_by: Option<&(QualifiedName, String)>,
) -> Node {
    let mut b = Builder::default();
    b.sql(format!("DROP SEQUENCE {}", qn(name)));
    b.hazard(
        HazardKind::DeletesData,
        format!("drops sequence {name} and its current value"),
    );
    b.requires.push(Key::Schema(name.schema.clone()));
    if let Some((table, column)) = owned_by {
        // Before the column's drop, which would drop the sequence with it.
        b.requires.push(Key::Column(table.clone(), column.clone()));
    }
    b.drops.push(Key::Relation(name.clone()));
    b.finish(
        phase::DROP_SEQUENCE,
        Action::Drop,
        sequence_ref(name),
        format!("drop sequence {name}"),
    )
}

/// The sequence options that differ once defaults are resolved, as `ALTER SEQUENCE`
/// (or `ALTER COLUMN … SET …`, with `prefix = "SET "`) clauses, and detail lines.
pub(super) fn sequence_changes(
    from: &SequenceOptions,
    from_type: &str,
    to: &SequenceOptions,
    to_type: &str,
    prefix: &str,
) -> (Vec<String>, Vec<String>) {
    let a = effective_sequence(from, from_type);
    let z = effective_sequence(to, to_type);
    let mut sql = Vec::new();
    let mut details = Vec::new();
    if a.increment != z.increment {
        sql.push(format!("{prefix}INCREMENT BY {}", z.increment));
        details.push(format!("increment: {} → {}", a.increment, z.increment));
    }
    if a.min_value != z.min_value {
        sql.push(match to.min_value {
            Some(v) => format!("{prefix}MINVALUE {v}"),
            None => format!("{prefix}NO MINVALUE"),
        });
        details.push(format!("min value: {} → {}", a.min_value, z.min_value));
    }
    if a.max_value != z.max_value {
        sql.push(match to.max_value {
            Some(v) => format!("{prefix}MAXVALUE {v}"),
            None => format!("{prefix}NO MAXVALUE"),
        });
        details.push(format!("max value: {} → {}", a.max_value, z.max_value));
    }
    if a.start != z.start {
        sql.push(format!("{prefix}START WITH {}", z.start));
        details.push(format!(
            "start: {} → {} (the current value is not changed)",
            a.start, z.start
        ));
    }
    if a.cache != z.cache {
        sql.push(format!("{prefix}CACHE {}", z.cache));
        details.push(format!("cache: {} → {}", a.cache, z.cache));
    }
    if a.cycle != z.cycle {
        sql.push(format!(
            "{prefix}{}",
            if z.cycle { "CYCLE" } else { "NO CYCLE" }
        ));
        details.push(format!("cycle: {} → {}", a.cycle, z.cycle));
    }
    (sql, details)
}
