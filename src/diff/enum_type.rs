//! Enum types: labels are added in place; removed or reordered ones replace the type
//! (`enum_replace.rs`).

use super::Cx;
use super::tables::{EnumPosition, TableChange};
use crate::model::*;

/// New labels in place: `None` when a live label is missing or out of order.
pub(super) fn enum_additions(
    live: &[String],
    want: &[String],
) -> Option<Vec<(String, EnumPosition)>> {
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
                None => self.push_table(TableChange::ReplaceEnum {
                    enum_type: want.clone(),
                    live: have.clone(),
                    temp_name: super::enum_replace::temp_name(self.desired, self.live, name),
                    columns: Vec::new(),
                }),
            }
            self.owner(object.clone(), want.owner.as_ref(), have.owner.as_ref());
            self.comment(object, &want.comment, &have.comment);
        }
    }
}
