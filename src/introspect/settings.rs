//! Role and database settings (`pg_db_role_setting`).

use super::{IntrospectError, get, unexpected};
use crate::model::{Catalog, SettingValue};
use tokio_postgres::Row;

/// Every `pg_db_role_setting` element that concerns this database: role settings for
/// every database (`role` set, `in_database` false), role settings in this database
/// (`role` set, `in_database` true) and database settings (`role` NULL).
pub fn settings() -> String {
    "SELECT r.rolname::text AS role,
            s.setdatabase <> 0 AS in_database,
            cfg.item AS item
     FROM pg_catalog.pg_db_role_setting AS s
     LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
     CROSS JOIN LATERAL unnest(s.setconfig) AS cfg(item)
     WHERE (s.setdatabase = 0 AND s.setrole <> 0)
        OR s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                            WHERE datname = current_database())"
        .to_string()
}

/// Splits a `setconfig` element (`name=value`) on its first `=`.
fn parse_setting(
    what: &'static str,
    item: &str,
) -> Result<(String, SettingValue), IntrospectError> {
    let (name, value) = item
        .split_once('=')
        .ok_or_else(|| unexpected(what, format!("setting without '=': {item}")))?;
    let name = name.to_ascii_lowercase();
    let value = SettingValue::from_stored(&name, value);
    Ok((name, value))
}

pub(super) fn apply_settings(
    what: &'static str,
    rows: &[Row],
    catalog: &mut Catalog,
) -> Result<(), IntrospectError> {
    for row in rows {
        let role: Option<String> = get(what, row, "role")?;
        let in_database: bool = get(what, row, "in_database")?;
        let item: String = get(what, row, "item")?;
        let (name, value) = parse_setting(what, &item)?;
        match role {
            None => {
                if let Some(database) = catalog.database.as_mut() {
                    database.settings.insert(name, value);
                }
            }
            Some(role) => {
                // Settings of built-in roles are not part of the catalog.
                if let Some(role) = catalog.roles.get_mut(&role) {
                    let target = if in_database {
                        &mut role.database_settings
                    } else {
                        &mut role.settings
                    };
                    target.insert(name, value);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_split_on_the_first_equals_sign() {
        let (name, value) = parse_setting("t", "Search_Path=a, \"x=y\", \"$user\"").unwrap();
        assert_eq!(name, "search_path");
        assert_eq!(
            value,
            SettingValue::List(vec!["a".into(), "x=y".into(), "$user".into()])
        );
        let (name, value) = parse_setting("t", "application_name=a=b").unwrap();
        assert_eq!(name, "application_name");
        assert_eq!(value, SettingValue::Scalar("a=b".into()));
        assert!(parse_setting("t", "nonsense").is_err());
    }
}
