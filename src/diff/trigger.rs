//! Triggers of a declared table: the declared ones are the whole truth (undeclared ones
//! are dropped, like its indexes). A changed definition is `CREATE OR REPLACE TRIGGER`,
//! or drop and create for a constraint trigger (PostgreSQL cannot replace those).

use super::Cx;
use super::tables::TableChange;
use crate::model::*;

impl Cx<'_> {
    pub(super) fn triggers(&mut self, want_t: &Table, have_t: &Table) {
        let t = &want_t.name;
        for (name, have) in &have_t.triggers {
            let recreated = want_t
                .triggers
                .get(name)
                .is_some_and(|w| w.definition_differs(have) && !have.replaceable_by(w));
            if !want_t.triggers.contains_key(name) || recreated {
                self.push_table(TableChange::DropTrigger {
                    table: t.clone(),
                    trigger: have.clone(),
                });
            }
        }
        for (name, want) in &want_t.triggers {
            match have_t.triggers.get(name) {
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
