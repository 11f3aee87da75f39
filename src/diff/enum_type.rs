//! Enum types: labels are only ever added in place.

use super::tables::{EnumPosition, TableChange};
use super::{Cx, NoteKind};
use crate::model::*;

/// New labels in place: `None` when a live label is missing or out of order.
fn enum_additions(live: &[String], want: &[String]) -> Option<Vec<(String, EnumPosition)>> {
    let mut next = 0;
    for w in want {
        if next < live.len() && &live[next] == w {
            next += 1;
        }
    }
    if next != live.len() {
        return None;
    }
    let mut out = Vec::new();
    for (i, w) in want.iter().enumerate() {
        if live.contains(w) {
            continue;
        }
        let position = if i > 0 {
            EnumPosition::After(want[i - 1].clone())
        } else if let Some(first) = live.first() {
            EnumPosition::Before(first.clone())
        } else {
            EnumPosition::End
        };
        out.push((w.clone(), position));
    }
    Some(out)
}

pub(super) fn labels(values: &[String]) -> String {
    values
        .iter()
        .map(|v| crate::sql::quote_literal(v))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Cx<'_> {
    pub(super) fn enums(&mut self) {
        let desired = self.desired;
        for (name, want) in &desired.enums {
            if !self.desired.schemas.contains_key(&name.schema) {
                continue;
            }
            let object = ObjectRef::Type {
                kind: TypeKind::Enum,
                name: name.clone(),
            };
            let Some(have) = self.live.enums.get(name) else {
                self.push_table(TableChange::CreateEnum {
                    enum_type: want.clone(),
                });
                continue;
            };
            match enum_additions(&have.values, &want.values) {
                Some(additions) => {
                    for (value, position) in additions {
                        self.push_table(TableChange::AddEnumValue {
                            name: name.clone(),
                            value,
                            position,
                        });
                    }
                }
                None => self.note(
                    NoteKind::Error,
                    object.clone(),
                    format!(
                        "cannot remove or reorder enum labels in place (live: {}; declared: \
                         {}); nothing planned for its labels",
                        labels(&have.values),
                        labels(&want.values)
                    ),
                ),
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }
}
