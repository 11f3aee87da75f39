//! Table triggers: create, replace, drop, enabled state.

use crate::ddl::trigger::{Create, create_trigger as create_trigger_sql, events_sql};
use crate::model::*;
use crate::plan::builder::{Builder, alter_table, expr_shown, ident, qn, trigger_ref};
use crate::plan::{Action, Key, Node, phase};
use crate::sql::{quote_ident, quote_literal};

pub(super) fn create_trigger(table: &QualifiedName, t: &Trigger, from: Option<&Trigger>) -> Node {
    let mut b = Builder::default();
    let how = if from.is_some() {
        Create::OrReplace
    } else {
        Create::Plain
    };
    b.sql(create_trigger_sql(table, t, &t.function, how));
    match from {
        None => {
            b.details.push(describe(t));
            if let Some(w) = &t.when {
                b.details.push(format!("when: {w}"));
            }
        }
        Some(f) => changes(&mut b, f, t),
    }
    b.requires.push(Key::Relation(table.clone()));
    for c in &t.update_columns {
        b.require_column(table, c);
    }
    b.require_function(&t.function);
    if let Some(r) = t
        .constraint
        .as_ref()
        .and_then(|c| c.referenced_table.as_ref())
    {
        b.requires.push(Key::Relation(r.clone()));
    }
    let key = Key::Trigger(table.clone(), t.name.clone());
    let (action, verb) = if from.is_some() {
        b.requires.push(key);
        (Action::Alter, "replace")
    } else {
        b.creates.push(key);
        (Action::Create, "create")
    };
    b.finish(
        phase::TRIGGER,
        action,
        trigger_ref(table, &t.name),
        format!("{verb} trigger {} on {table}", ident(&t.name)),
    )
}

pub(super) fn drop_trigger(table: &QualifiedName, t: &Trigger) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "DROP TRIGGER {} ON {}",
        quote_ident(&t.name),
        qn(table)
    ));
    b.details.push(describe(t));
    b.requires.push(Key::Relation(table.clone()));
    for c in &t.update_columns {
        b.require_column(table, c);
    }
    b.require_function(&t.function);
    b.drops.push(Key::Trigger(table.clone(), t.name.clone()));
    b.finish(
        phase::DROP_TRIGGER,
        Action::Drop,
        trigger_ref(table, &t.name),
        format!("drop trigger {} on {table}", ident(&t.name)),
    )
}

pub(super) fn set_trigger_enabled(
    table: &QualifiedName,
    name: &str,
    from: TriggerEnabled,
    to: TriggerEnabled,
) -> Node {
    let mut b = Builder::default();
    b.sql(alter_table(
        table,
        &[format!("{} {}", to.alter_sql(), quote_ident(name))],
    ));
    b.details
        .push(format!("enabled: {} → {}", from.as_str(), to.as_str()));
    b.requires.extend([
        Key::Relation(table.clone()),
        Key::Trigger(table.clone(), name.to_string()),
    ]);
    let verb = if to == TriggerEnabled::Disabled {
        "disable"
    } else {
        "enable"
    };
    b.finish(
        phase::TRIGGER,
        Action::Alter,
        trigger_ref(table, name),
        format!("{verb} trigger {} on {table}", ident(name)),
    )
}

/// `BEFORE UPDATE for each row, executes s.f('a')`, with a constraint trigger's options.
fn describe(t: &Trigger) -> String {
    let constraint = match &t.constraint {
        None => String::new(),
        Some(c) => {
            let mut s = String::from("constraint trigger");
            if let Some(r) = &c.referenced_table {
                s.push_str(&format!(" from {r}"));
            }
            s.push_str(match (c.deferrable, c.initially_deferred) {
                (false, _) => ", not deferrable",
                (true, false) => ", deferrable initially immediate",
                (true, true) => ", deferrable initially deferred",
            });
            s + ", "
        }
    };
    let arguments: Vec<String> = t.arguments.iter().map(|a| quote_literal(a)).collect();
    format!(
        "{constraint}{} {} for each {}, executes {}({})",
        t.timing.as_sql(),
        events_sql(t),
        if t.for_each_row { "row" } else { "statement" },
        t.function,
        arguments.join(", ")
    )
}

fn changes(b: &mut Builder, from: &Trigger, to: &Trigger) {
    if from.enabled != TriggerEnabled::Origin {
        b.details.push(format!(
            "fires on origin again (it was {}): CREATE OR REPLACE resets the enabled state",
            from.enabled.as_str()
        ));
    }
    let (d_from, d_to) = (describe(from), describe(to));
    if d_from != d_to {
        b.details.push(format!("{d_from} → {d_to}"));
    }
    if from.when != to.when {
        b.details.push(format!(
            "when: {} → {}",
            expr_shown(from.when.as_deref()),
            expr_shown(to.when.as_deref())
        ));
    }
    if from.old_table != to.old_table || from.new_table != to.new_table {
        b.details.push("transition tables change".into());
    }
}

impl Builder {
    /// A function called by name (a trigger's): its schema, and whatever creates a
    /// function of that name.
    fn require_function(&mut self, function: &QualifiedName) {
        self.requires.extend([
            Key::Schema(function.schema.clone()),
            Key::FunctionName(function.clone()),
        ]);
    }
}
