//! Triggers of tables and views: `pg_trigger` rows of the tables `tables()` returns and
//! of user views, internal ones (foreign keys' and deferred uniqueness checks') and
//! clones of a partitioned parent's trigger (`tgparentid`) left out: a clone belongs to
//! its parent. A view's triggers are returned apart, for `views()` to take.
//!
//! The `WHEN` condition has no `pg_get_expr` form (it refers to `OLD`/`NEW`): it is read
//! from `pg_get_triggerdef`, parsed with `pg_query` and its condition deparsed
//! (`ddl::trigger::when_of_definition`); canon reads the desired condition back the same way.

use super::queries::user_relation;
use super::rows::names;
use super::tables::TablesByOid;
use super::{IntrospectError, get, unexpected};
use crate::ddl::trigger::when_of_definition;
use crate::model::{
    ConstraintTrigger, QualifiedName, Trigger, TriggerEnabled, TriggerEvent, TriggerTiming,
};
use tokio_postgres::Row;

/// Triggers of user tables and views, with their function, arguments (`tgargs`, NUL-terminated
/// strings), `UPDATE OF` columns (in `tgattr` order), constraint-trigger options,
/// transition tables, comment, and `pg_get_triggerdef` when there is a `WHEN`.
pub fn triggers() -> String {
    format!(
        "SELECT tg.tgrelid AS table_oid, c.relkind::text AS relkind,
                n.nspname::text AS relation_schema, c.relname::text AS relation_name,
                tg.tgname::text AS name, tg.tgtype::int4 AS type,
                tg.tgenabled::text AS enabled,
                fn.nspname::text AS function_schema, p.proname::text AS function_name,
                tg.tgargs AS arguments, tg.tgnargs::int4 AS argument_count,
                ARRAY(SELECT a.attname::text
                      FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_catalog.pg_attribute AS a
                        ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS update_columns,
                tg.tgconstraint <> 0 AS is_constraint,
                tg.tgdeferrable AS deferrable, tg.tginitdeferred AS initially_deferred,
                rn.nspname::text AS referenced_schema, rc.relname::text AS referenced_name,
                tg.tgoldtable::text AS old_table, tg.tgnewtable::text AS new_table,
                CASE WHEN tg.tgqual IS NOT NULL
                     THEN pg_catalog.pg_get_triggerdef(tg.oid) END AS definition,
                d.description AS comment
         FROM pg_catalog.pg_trigger AS tg
         JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid
         JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_proc AS p ON p.oid = tg.tgfoid
         JOIN pg_catalog.pg_namespace AS fn ON fn.oid = p.pronamespace
         LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = tg.tgconstrrelid
         LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
         LEFT JOIN pg_catalog.pg_description AS d
                ON d.objoid = tg.oid AND d.classoid = 'pg_catalog.pg_trigger'::regclass
         WHERE NOT tg.tgisinternal AND tg.tgparentid = 0 AND c.relkind IN ('r', 'p', 'v')
           AND {user_relation}",
        user_relation = user_relation("c", "n"),
    )
}

// `tgtype` bits (PostgreSQL's `TRIGGER_TYPE_*`).
const ROW: i32 = 1 << 0;
const BEFORE: i32 = 1 << 1;
const INSERT: i32 = 1 << 2;
const DELETE: i32 = 1 << 3;
const UPDATE: i32 = 1 << 4;
const TRUNCATE: i32 = 1 << 5;
const INSTEAD: i32 = 1 << 6;

/// The triggers of views, by view, to be put on them once the views are read.
pub(super) type ViewTriggers = Vec<(QualifiedName, Trigger)>;

pub(super) fn apply_triggers(
    what: &'static str,
    rows: &[Row],
    tables: &mut TablesByOid,
) -> Result<ViewTriggers, IntrospectError> {
    let mut on_views = Vec::new();
    for row in rows {
        let oid: u32 = get(what, row, "table_oid")?;
        let relkind: String = get(what, row, "relkind")?;
        let relation = QualifiedName::new(
            get::<String>(what, row, "relation_schema")?,
            get::<String>(what, row, "relation_name")?,
        );
        let name: String = get(what, row, "name")?;
        let object = || format!("trigger {name} on {relation}");
        let tgtype: i32 = get(what, row, "type")?;
        let code: String = get(what, row, "enabled")?;
        let enabled = match code.as_str() {
            "O" => TriggerEnabled::Origin,
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => {
                return Err(unexpected(
                    what,
                    format!("tgenabled {code:?} of {}", object()),
                ));
            }
        };
        let bytes: Vec<u8> = get(what, row, "arguments")?;
        let count: i32 = get(what, row, "argument_count")?;
        let arguments = split_arguments(&bytes);
        if usize::try_from(count).ok() != Some(arguments.len()) {
            return Err(unexpected(
                what,
                format!("{count} arguments expected in tgargs of {}", object()),
            ));
        }
        let definition: Option<String> = get(what, row, "definition")?;
        let when = match &definition {
            Some(def) => Some(when_of_definition(def).ok_or_else(|| {
                unexpected(
                    what,
                    format!("no WHEN condition in the definition of {}", object()),
                )
            })?),
            None => None,
        };
        let is_constraint: bool = get(what, row, "is_constraint")?;
        let referenced_table = match (
            get::<Option<String>>(what, row, "referenced_schema")?,
            get::<Option<String>>(what, row, "referenced_name")?,
        ) {
            (Some(s), Some(n)) => Some(QualifiedName::new(s, n)),
            _ => None,
        };
        let trigger = Trigger {
            name: name.clone(),
            timing: timing(tgtype),
            events: events(tgtype),
            update_columns: names(what, row, "update_columns", &object)?,
            for_each_row: tgtype & ROW != 0,
            when,
            function: QualifiedName::new(
                get::<String>(what, row, "function_schema")?,
                get::<String>(what, row, "function_name")?,
            ),
            arguments,
            constraint: is_constraint
                .then(|| -> Result<ConstraintTrigger, IntrospectError> {
                    Ok(ConstraintTrigger {
                        deferrable: get(what, row, "deferrable")?,
                        initially_deferred: get(what, row, "initially_deferred")?,
                        referenced_table,
                    })
                })
                .transpose()?,
            old_table: get(what, row, "old_table")?,
            new_table: get(what, row, "new_table")?,
            enabled,
            comment: get(what, row, "comment")?,
        };
        if relkind == "v" {
            on_views.push((relation, trigger));
        } else if let Some(table) = tables.get_mut(&oid) {
            table.triggers.insert(name, trigger);
        }
    }
    Ok(on_views)
}

fn timing(tgtype: i32) -> TriggerTiming {
    if tgtype & BEFORE != 0 {
        TriggerTiming::Before
    } else if tgtype & INSTEAD != 0 {
        TriggerTiming::InsteadOf
    } else {
        TriggerTiming::After
    }
}

fn events(tgtype: i32) -> Vec<TriggerEvent> {
    [
        (INSERT, TriggerEvent::Insert),
        (DELETE, TriggerEvent::Delete),
        (UPDATE, TriggerEvent::Update),
        (TRUNCATE, TriggerEvent::Truncate),
    ]
    .into_iter()
    .filter(|(bit, _)| tgtype & bit != 0)
    .map(|(_, e)| e)
    .collect()
}

/// `tgargs`: each argument followed by a NUL byte.
fn split_arguments(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = bytes
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // The last terminator leaves an empty piece behind.
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgtype_bits() {
        // BEFORE UPDATE FOR EACH ROW
        assert_eq!(timing(BEFORE | UPDATE | ROW), TriggerTiming::Before);
        assert_eq!(
            events(INSERT | UPDATE | DELETE),
            vec![
                TriggerEvent::Insert,
                TriggerEvent::Delete,
                TriggerEvent::Update
            ]
        );
        assert_eq!(timing(INSTEAD | INSERT | ROW), TriggerTiming::InsteadOf);
        assert_eq!(timing(TRUNCATE), TriggerTiming::After);
    }

    #[test]
    fn arguments_split_on_nul() {
        assert_eq!(split_arguments(b"a\0b c\0\0"), vec!["a", "b c", ""]);
        assert!(split_arguments(b"").is_empty());
    }

    #[test]
    fn when_is_deparsed_from_the_definition() {
        let def = "CREATE TRIGGER t BEFORE UPDATE ON s.t FOR EACH ROW WHEN ((old.* IS \
                   DISTINCT FROM new.*)) EXECUTE FUNCTION s.f()";
        let when = when_of_definition(def).unwrap();
        assert_eq!(when, "old.* IS DISTINCT FROM new.*");
        // A fixed point: deparsing the deparsed condition gives it back.
        let again = format!(
            "CREATE TRIGGER t BEFORE UPDATE ON s.t FOR EACH ROW WHEN ({when}) EXECUTE \
             FUNCTION s.f()"
        );
        assert_eq!(when_of_definition(&again).unwrap(), when);
        let typed = "CREATE TRIGGER t AFTER UPDATE ON s.t FOR EACH ROW WHEN (((new.status)::text \
                     = 'x'::text)) EXECUTE FUNCTION s.f('a')";
        assert_eq!(
            when_of_definition(typed).unwrap(),
            "new.status::text = 'x'::text"
        );
        assert_eq!(
            when_of_definition("CREATE TRIGGER t AFTER INSERT ON s.t EXECUTE FUNCTION s.f()"),
            None
        );
    }
}
