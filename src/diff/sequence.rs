//! Standalone sequences (identity columns' sequences belong to their column).

use super::Cx;
use super::tables::TableChange;
use crate::model::*;

/// Sequence options with every default resolved for the data type, so that an omitted
/// option equals the value PostgreSQL fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveSequence {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

pub fn effective_sequence(options: &SequenceOptions, data_type: &str) -> EffectiveSequence {
    let (type_min, type_max) = match data_type {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let increment = options.increment.unwrap_or(1);
    let ascending = increment > 0;
    let min_value = options
        .min_value
        .unwrap_or(if ascending { 1 } else { type_min });
    let max_value = options
        .max_value
        .unwrap_or(if ascending { type_max } else { -1 });
    EffectiveSequence {
        start: options
            .start
            .unwrap_or(if ascending { min_value } else { max_value }),
        increment,
        min_value,
        max_value,
        cache: options.cache.unwrap_or(1),
        cycle: options.cycle,
    }
}

impl Cx<'_> {
    pub(super) fn sequences(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.sequences {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Relation {
                kind: RelationKind::Sequence,
                name: name.clone(),
            };
            let want_owner = want.owner.as_ref().or_else(|| {
                self.desired
                    .relations
                    .get(name)
                    .and_then(|r| r.owner.as_ref())
            });
            let Some(have) = self.live.sequences.get(name) else {
                let mut sequence = want.clone();
                sequence.owner = want_owner.cloned();
                sequence.owned_by = None;
                self.push_table(TableChange::CreateSequence { sequence });
                if want.owned_by.is_some() {
                    self.push_table(TableChange::SetSequenceOwnedBy {
                        name: name.clone(),
                        from: None,
                        to: want.owned_by.clone(),
                    });
                }
                let acl = self.wanted_acl(name, ObjectKind::Sequence);
                let owner = self.new_owner(want_owner).map(str::to_string);
                let from = self.created_acl(&name.schema, ObjectKind::Sequence);
                self.relation_acl(object, &acl, &from, owner.as_deref());
                continue;
            };
            if want.data_type != have.data_type
                || effective_sequence(&want.options, &want.data_type)
                    != effective_sequence(&have.options, &have.data_type)
            {
                self.push_table(TableChange::AlterSequence {
                    name: name.clone(),
                    from_type: have.data_type.clone(),
                    to_type: want.data_type.clone(),
                    from: have.options.clone(),
                    to: want.options.clone(),
                });
            }
            if want.owned_by != have.owned_by {
                self.push_table(TableChange::SetSequenceOwnedBy {
                    name: name.clone(),
                    from: have.owned_by.clone(),
                    to: want.owned_by.clone(),
                });
            }
            let have_owner = have
                .owner
                .as_ref()
                .or_else(|| self.live.relations.get(name).and_then(|r| r.owner.as_ref()));
            self.owner(object.clone(), want_owner, have_owner);
            self.comment(object, &want.comment, &have.comment);
        }
    }
}
