//! The desired state fitted to the server it is planned against: what a declared feature
//! needs of the server version. The desired state is loaded offline, without a server, so
//! this is where "needs PostgreSQL N" is decided: before any change is computed, rather
//! than by a failed statement half-way through an apply.

use crate::model::*;
use std::borrow::Cow;

/// A declared feature the server's version does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{feature} ({what}) needs PostgreSQL {needed_major} or later, but the server runs PostgreSQL {server_major}; remove it from the desired state or upgrade the server"
)]
pub struct NeedsNewerServer {
    /// Where it is declared: `on table app.t`.
    pub what: String,
    pub feature: &'static str,
    pub needed_major: i32,
    pub server_major: i32,
}

/// `MAINTAIN` on tables (and in `ALL` on tables).
const MAINTAIN: i32 = 170000;
/// `UNIQUE NULLS NOT DISTINCT`.
const NULLS_NOT_DISTINCT: i32 = 150000;
/// `WITH (security_invoker)` on views.
const SECURITY_INVOKER: i32 = 150000;
/// `GENERATED ALWAYS AS (…) VIRTUAL`.
const VIRTUAL_GENERATED: i32 = 180000;
/// A `NOT VALID` foreign key on a partitioned table.
const PARTITIONED_NOT_VALID_FK: i32 = 180000;

/// `desired` as the server at `version_num` can hold it, or the first declared feature it
/// lacks. A table grant of every privilege including `MAINTAIN` is what `ALL` expands to
/// offline; before 17 it means the privileges that server has, so `MAINTAIN` is dropped
/// from it rather than refused.
pub fn fit(desired: &Catalog, version_num: i32) -> Result<Cow<'_, Catalog>, NeedsNewerServer> {
    let needs = |what: String, feature: &'static str, since: i32| NeedsNewerServer {
        what,
        feature,
        needed_major: since / 10000,
        server_major: version_num / 10000,
    };
    if version_num < NULLS_NOT_DISTINCT {
        for table in desired.tables.values() {
            for (name, c) in &table.constraints {
                if let ConstraintKind::Unique {
                    nulls_not_distinct: true,
                    ..
                } = c.kind
                {
                    let what = format!("constraint {name} on table {}", table.name);
                    return Err(needs(what, "`NULLS NOT DISTINCT`", NULLS_NOT_DISTINCT));
                }
            }
            for (name, index) in &table.indexes {
                if index.nulls_not_distinct {
                    let what = format!("index {name} on table {}", table.name);
                    return Err(needs(what, "`NULLS NOT DISTINCT`", NULLS_NOT_DISTINCT));
                }
            }
        }
    }
    if version_num < SECURITY_INVOKER
        && let Some(v) = desired.views.values().find(|v| v.security_invoker)
    {
        let what = format!("on view {}", v.name);
        return Err(needs(what, "`security_invoker`", SECURITY_INVOKER));
    }
    if version_num < VIRTUAL_GENERATED {
        for table in desired.tables.values() {
            if let Some(c) = table.columns.iter().find(|c| c.not_null_name.is_some()) {
                let what = format!("column {} of table {}", c.name, table.name);
                return Err(needs(
                    what,
                    "a named NOT NULL constraint",
                    VIRTUAL_GENERATED,
                ));
            }
            if let Some(c) = table.columns.iter().find(|c| c.generated_virtual) {
                let what = format!("column {} of table {}", c.name, table.name);
                return Err(needs(what, "a virtual generated column", VIRTUAL_GENERATED));
            }
            if table.partition_by.is_some()
                && let Some(c) = table
                    .constraints
                    .values()
                    .find(|c| !c.validated && matches!(c.kind, ConstraintKind::ForeignKey { .. }))
            {
                let what = format!("constraint {} on partitioned table {}", c.name, table.name);
                return Err(needs(
                    what,
                    "a `not_valid` foreign key",
                    PARTITIONED_NOT_VALID_FK,
                ));
            }
        }
    }
    if version_num >= MAINTAIN {
        return Ok(Cow::Borrowed(desired));
    }
    let mut fitted = Cow::Borrowed(desired);
    // Every place a table ACL is declared: schema-wide, per object, default privileges.
    for (schema, s) in &desired.schemas {
        if let Some(acl) = s.object_grants.get(&ObjectKind::Table)
            && let Some(acl) = without_maintain(acl, || format!("on the tables of schema {schema}"))
                .map_err(|what| needs(what, "the `MAINTAIN` privilege", MAINTAIN))?
        {
            let s = fitted.to_mut().schemas.get_mut(schema).expect("same keys");
            s.object_grants.insert(ObjectKind::Table, acl);
        }
    }
    for (name, r) in &desired.relations {
        if r.kind.object_kind() != ObjectKind::Table {
            continue;
        }
        if let Some(acl) = without_maintain(&r.acl, || format!("on table {name}"))
            .map_err(|what| needs(what, "the `MAINTAIN` privilege", MAINTAIN))?
        {
            fitted
                .to_mut()
                .relations
                .get_mut(name)
                .expect("same keys")
                .acl = acl;
        }
    }
    for (key, acl) in &desired.default_privileges {
        if key.kind != ObjectKind::Table {
            continue;
        }
        let what = || {
            format!(
                "in the default privileges on tables in schema {}",
                key.schema
            )
        };
        if let Some(acl) = without_maintain(acl, what)
            .map_err(|what| needs(what, "the `MAINTAIN` privilege", MAINTAIN))?
        {
            let d = fitted.to_mut().default_privileges.get_mut(key);
            *d.expect("same keys") = acl;
        }
    }
    Ok(fitted)
}

/// `Ok(None)`: no MAINTAIN; `Ok(Some(acl))`: MAINTAIN only as part of every table
/// privilege (`ALL`), removed; `Err(what)`: MAINTAIN declared on its own.
fn without_maintain(acl: &Acl, what: impl Fn() -> String) -> Result<Option<Acl>, String> {
    if !acl.0.values().any(|p| p.contains_key(&Privilege::Maintain)) {
        return Ok(None);
    }
    let mut out = acl.clone();
    for privileges in out.0.values_mut() {
        if !privileges.contains_key(&Privilege::Maintain) {
            continue;
        }
        let all = ObjectKind::Table
            .privileges()
            .iter()
            .all(|p| privileges.contains_key(p));
        if !all {
            return Err(what());
        }
        privileges.remove(&Privilege::Maintain);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog_with_table_grants(privileges: &[Privilege]) -> Catalog {
        let mut c = Catalog::default();
        let mut acl = Acl::default();
        for p in privileges {
            acl.grant(Grantee::Role("app".into()), *p, false);
        }
        let mut schema = Schema::new("app");
        schema.object_grants.insert(ObjectKind::Table, acl);
        c.schemas.insert("app".into(), schema);
        c
    }

    #[test]
    fn all_on_tables_means_what_the_server_has() {
        let all = catalog_with_table_grants(ObjectKind::Table.privileges());
        assert!(matches!(fit(&all, 170000).unwrap(), Cow::Borrowed(_)));
        let fitted = fit(&all, 160000).unwrap();
        let acl = &fitted.schemas["app"].object_grants[&ObjectKind::Table];
        let held: Vec<Privilege> = acl.0.values().next().unwrap().keys().copied().collect();
        assert!(!held.contains(&Privilege::Maintain), "{held:?}");
        assert_eq!(held.len(), ObjectKind::Table.privileges().len() - 1);
    }

    #[test]
    fn maintain_alone_needs_17() {
        let c = catalog_with_table_grants(&[Privilege::Select, Privilege::Maintain]);
        assert!(fit(&c, 170000).is_ok());
        let err = fit(&c, 160000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the `MAINTAIN` privilege (on the tables of schema app) needs PostgreSQL 17 or later, but the server runs PostgreSQL 16; remove it from the desired state or upgrade the server"
        );
    }

    #[test]
    fn security_invoker_needs_15() {
        let mut c = Catalog::default();
        let mut v = View::new(QualifiedName::new("app", "v"), false);
        v.security_invoker = true;
        c.views.insert(v.name.clone(), v);
        assert!(fit(&c, 150000).is_ok());
        let err = fit(&c, 140000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`security_invoker` (on view app.v) needs PostgreSQL 15 or later, but the server runs PostgreSQL 14; remove it from the desired state or upgrade the server"
        );
    }

    #[test]
    fn not_valid_foreign_key_on_a_partitioned_table_needs_18() {
        let mut c = Catalog::default();
        let name = QualifiedName::new("app", "t");
        let mut t = Table::new(name.clone());
        t.partition_by = Some("RANGE (id)".into());
        let fk = Constraint {
            name: "t_fk".into(),
            renamed_from: None,
            kind: ConstraintKind::ForeignKey {
                columns: vec!["id".into()],
                references: QualifiedName::new("app", "p"),
                referenced_columns: vec!["id".into()],
                on_update: ForeignKeyAction::NoAction,
                on_delete: ForeignKeyAction::NoAction,
                match_full: false,
            },
            deferrable: false,
            initially_deferred: false,
            validated: false,
            comment: None,
        };
        t.constraints.insert(fk.name.clone(), fk);
        c.tables.insert(name, t);
        assert!(fit(&c, 180000).is_ok());
        let err = fit(&c, 170000).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a `not_valid` foreign key (constraint t_fk on partitioned table app.t) needs PostgreSQL 18 or later, but the server runs PostgreSQL 17; remove it from the desired state or upgrade the server"
        );
        c.tables.values_mut().next().unwrap().partition_by = None;
        assert!(fit(&c, 140000).is_ok());
    }
}
