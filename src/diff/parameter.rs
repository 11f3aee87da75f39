//! Configuration parameters set on a role, a role in this database, or the database.

use super::{Change, Cx, ParameterTarget};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

impl Cx<'_> {
    pub(super) fn parameters(
        &mut self,
        target: ParameterTarget,
        want: &BTreeMap<String, SettingValue>,
        have: &BTreeMap<String, SettingValue>,
    ) {
        let names: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
        for name in names {
            let (w, h) = (want.get(name), have.get(name));
            if w != h {
                self.push(Change::SetParameter {
                    target: target.clone(),
                    name: name.clone(),
                    from: h.cloned(),
                    to: w.cloned(),
                });
            }
        }
    }
}
