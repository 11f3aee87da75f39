//! Triggers of a declared table: the declared ones are the whole truth (undeclared ones
//! are dropped, like its indexes). Those of a declared view likewise, except that an
//! undeclared one is dropped only with `--prune`. A changed definition is `CREATE OR REPLACE TRIGGER`,
//! or drop and create for a constraint trigger (PostgreSQL cannot replace those).

use super::tables::TableChange;
use super::{Cx, NoteKind};
use crate::model::*;
use std::collections::BTreeMap;

impl Cx<'_> {
    pub(super) fn triggers(&mut self, want_t: &Table, have_t: &Table) {
        self.triggers_of(&want_t.name, &want_t.triggers, &have_t.triggers, false);
    }

    /// The triggers of a declared view that exists and is not re-created: like a
    /// table's, except that an undeclared one is unexpected, dropped only with `--prune`
    /// (views' triggers were not managed before).
    pub(super) fn view_triggers(&mut self, want: &View, have: &View) {
        let keep_undeclared = !self.options.prune;
        self.triggers_of(&want.name, &want.triggers, &have.triggers, keep_undeclared);
    }

    fn triggers_of(
        &mut self,
        t: &QualifiedName,
        want_t: &BTreeMap<String, Trigger>,
        have_t: &BTreeMap<String, Trigger>,
        keep_undeclared: bool,
    ) {
        for (name, have) in have_t {
            let recreated = want_t
                .get(name)
                .is_some_and(|w| w.definition_differs(have) && !have.replaceable_by(w));
            if !want_t.contains_key(name) && keep_undeclared {
                self.note(
                    NoteKind::Unexpected,
                    ObjectRef::table_part(TablePart::Trigger, t, name),
                    "trigger is not declared; left alone (use --prune to drop it)".to_string(),
                );
            } else if !want_t.contains_key(name) || recreated {
                self.push_table(TableChange::DropTrigger {
                    table: t.clone(),
                    trigger: have.clone(),
                });
            }
        }
        for (name, want) in want_t {
            match have_t.get(name) {
                Some(have) if !want.definition_differs(have) => {
                    self.trigger_state(t, want, have.enabled, &have.comment);
                }
                Some(have) if have.replaceable_by(want) => {
                    self.push_table(TableChange::CreateTrigger {
                        table: t.clone(),
                        trigger: Box::new(want.clone()),
                        from: Some(Box::new(have.clone())),
                    });
                    // The replaced trigger keeps its comment, and fires on origin again.
                    self.trigger_state(t, want, TriggerEnabled::Origin, &have.comment);
                }
                _ => self.create_trigger(t, want),
            }
        }
    }

    /// A trigger on a table that has none of this name (a new table, or dropped first).
    pub(super) fn create_trigger(&mut self, table: &QualifiedName, want: &Trigger) {
        self.push_table(TableChange::CreateTrigger {
            table: table.clone(),
            trigger: Box::new(want.clone()),
            from: None,
        });
        self.trigger_state(table, want, TriggerEnabled::Origin, &None);
    }

    fn trigger_state(
        &mut self,
        table: &QualifiedName,
        want: &Trigger,
        enabled: TriggerEnabled,
        comment: &Option<String>,
    ) {
        if want.enabled != enabled {
            self.push_table(TableChange::SetTriggerEnabled {
                table: table.clone(),
                trigger: want.name.clone(),
                from: enabled,
                to: want.enabled,
            });
        }
        let object = ObjectRef::table_part(TablePart::Trigger, table, &want.name);
        self.comment(object, &want.comment, comment);
    }
}
