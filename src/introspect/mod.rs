//! Reads the live catalog into the same [`Catalog`] type the desired state produces.
//!
//! Introspection is a fixed list of set-based queries ([`QUERY_COUNT`] of them, see
//! [`QUERY_NAMES`]) whatever the size of the catalog: one per object class, never one
//! per object, and no deparsing beyond expressions (see `queries`). The first query
//! empties `search_path` for the transaction, so that type names and expressions come
//! back in their canonical, schema-qualified form; it is why the catalog must be read
//! inside a transaction ([`snapshot`] opens one). The second (server facts) runs alone
//! because the others depend on it (the server version decides the shape of some
//! queries, superuser-ness whether passwords are read); the others are sent together on
//! the connection (pipelined) and their rows turned into the model here and in
//! `tables.rs`.
//!
//! What the live catalog holds, and what it leaves out:
//!
//! - roles: every role but the built-in `pg_*` ones; their memberships (granted roles may
//!   be built-in), settings for every database and for this database;
//! - schemas, relations (tables, views, materialized views, foreign tables, sequences) and
//!   functions/procedures outside the system schemas, except objects that belong to an
//!   extension and everything inside a schema that belongs to an extension; the same
//!   scope for tables, sequences, enums, domains and unmanaged objects;
//! - tables with their columns, constraints, indexes and policies. A partition lists no
//!   columns (they are its parent's) and none of the constraints and indexes PostgreSQL
//!   copies from the parent, only what was declared on the partition itself. Identity
//!   sequences are part of their column (`Identity.options`), not `sequences`;
//! - every extension but `plpgsql`;
//! - ACLs without the owner's own entries, but with the built-in grants PostgreSQL applies
//!   when an object was never granted on (`acldefault`): `PUBLIC` `CONNECT`/`TEMPORARY`
//!   on the database, `PUBLIC` `EXECUTE` on functions;
//! - schema-specific default privileges as stored (additions only); global ones
//!   (`ALTER DEFAULT PRIVILEGES FOR ROLE r` without `IN SCHEMA`) are not read.

mod queries;
mod tables;

use crate::model::{
    Acl, Catalog, Database, DefaultPrivilegeKey, Function, FunctionId, Grantee, Membership,
    ObjectKind, Password, Privilege, QualifiedName, Relation, RelationKind, Role, RoleAttributes,
    Schema, ServerInfo, SettingValue, is_builtin_role, is_system_schema,
};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::{GenericClient, IsolationLevel, Row};

/// Number of queries [`read_catalog`] issues, whatever the size of the catalog.
pub const QUERY_COUNT: usize = queries::NAMES.len();

/// What each of the [`QUERY_COUNT`] queries reads, in the order they are sent.
pub const QUERY_NAMES: [&str; QUERY_COUNT] = queries::NAMES;

/// Every query [`read_catalog`] runs, by name, for a server of `version_num` (for
/// benchmarks and diagnostics: each can be run and timed on its own, after
/// `SET search_path = ''`).
#[doc(hidden)]
pub fn query_texts(version_num: i32, can_read_passwords: bool) -> Vec<(&'static str, String)> {
    QUERY_NAMES
        .into_iter()
        .zip([
            queries::search_path(),
            queries::server(),
            queries::database(),
            queries::roles(can_read_passwords),
            queries::memberships(version_num),
            queries::settings(),
            queries::schemas(),
            queries::relations(),
            queries::functions(),
            queries::default_privileges(),
            queries::tables(),
            queries::columns(),
            queries::constraints(),
            queries::indexes(version_num),
            queries::opclasses_and_collations(),
            queries::policies(),
            queries::sequences(),
            queries::enums(),
            queries::domains(),
            queries::extensions(),
            queries::unmanaged(),
        ])
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("failed to read the catalog ({what}): {source}")]
    Query {
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The catalog holds something this version of pgrecon does not understand (a
    /// privilege or object kind from a newer server, a malformed setting). Refusing is
    /// safer than ignoring it: an ignored grant would never be revoked.
    #[error("unexpected catalog content ({what}): {detail}")]
    Unexpected { what: &'static str, detail: String },
    /// `read_catalog` was called outside a transaction: the empty `search_path` it sets
    /// for the read (transaction-local) did not last, and type names and expressions
    /// would not come back in their canonical, schema-qualified form.
    #[error(
        "the catalog must be read inside a transaction (use introspect::snapshot, or begin one first)"
    )]
    NotInTransaction,
}

/// Reads the live catalog using the caller's open transaction or connection (apply
/// re-reads inside its write transaction). For one consistent snapshot on its own, use
/// [`snapshot`].
pub async fn read_catalog(client: &impl GenericClient) -> Result<Catalog, IntrospectError> {
    read_catalog_counting(client)
        .await
        .map(|(catalog, _)| catalog)
}

/// Opens `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, calls [`read_catalog`] and
/// commits: every query sees the same snapshot.
pub async fn snapshot(client: &mut tokio_postgres::Client) -> Result<Catalog, IntrospectError> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(|source| IntrospectError::Query {
            what: "begin snapshot transaction",
            source,
        })?;
    let catalog = read_catalog(&tx).await?;
    tx.commit().await.map_err(|source| IntrospectError::Query {
        what: "commit snapshot transaction",
        source,
    })?;
    Ok(catalog)
}

/// [`read_catalog`], also returning how many queries were sent (for tests: it must be
/// [`QUERY_COUNT`] whatever the catalog size).
#[doc(hidden)]
pub async fn read_catalog_counting(
    client: &impl GenericClient,
) -> Result<(Catalog, usize), IntrospectError> {
    let reader = Reader {
        client,
        sent: AtomicUsize::new(0),
    };
    let catalog = reader.read().await?;
    Ok((catalog, reader.sent.load(Ordering::Relaxed)))
}

struct Reader<'a, C> {
    client: &'a C,
    sent: AtomicUsize,
}

impl<C: GenericClient> Reader<'_, C> {
    async fn run(&self, what: &'static str, sql: String) -> Result<Vec<Row>, IntrospectError> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        // `query_typed` with no parameters: one round trip, no named prepared statement
        // (works behind transaction-pooling proxies too).
        self.client
            .query_typed(&sql, &[])
            .await
            .map_err(|source| IntrospectError::Query { what, source })
    }

    async fn read(&self) -> Result<Catalog, IntrospectError> {
        let [
            q_search_path,
            q_server,
            q_database,
            q_roles,
            q_members,
            q_settings,
            q_schemas,
            q_relations,
            q_functions,
            q_defaults,
            q_tables,
            q_columns,
            q_constraints,
            q_indexes,
            q_lookups,
            q_policies,
            q_sequences,
            q_enums,
            q_domains,
            q_extensions,
            q_unmanaged,
        ] = QUERY_NAMES;

        // Canonical text needs an empty search_path (see `queries`); the server query
        // checks that it took effect.
        self.run(q_search_path, queries::search_path()).await?;
        let server_rows = self.run(q_server, queries::server()).await?;
        let server = read_server(q_server, &server_rows)?;
        let version = server.version_num;

        let (
            database,
            roles,
            members,
            settings,
            schemas,
            relations,
            functions,
            defaults,
            tables,
            columns,
            constraints,
            indexes,
            lookups,
            policies,
            sequences,
            enums,
            domains,
            extensions,
            unmanaged,
        ) = tokio::try_join!(
            self.run(q_database, queries::database()),
            self.run(q_roles, queries::roles(server.can_read_passwords)),
            self.run(q_members, queries::memberships(version)),
            self.run(q_settings, queries::settings()),
            self.run(q_schemas, queries::schemas()),
            self.run(q_relations, queries::relations()),
            self.run(q_functions, queries::functions()),
            self.run(q_defaults, queries::default_privileges()),
            self.run(q_tables, queries::tables()),
            self.run(q_columns, queries::columns()),
            self.run(q_constraints, queries::constraints()),
            self.run(q_indexes, queries::indexes(version)),
            self.run(q_lookups, queries::opclasses_and_collations()),
            self.run(q_policies, queries::policies()),
            self.run(q_sequences, queries::sequences()),
            self.run(q_enums, queries::enums()),
            self.run(q_domains, queries::domains()),
            self.run(q_extensions, queries::extensions()),
            self.run(q_unmanaged, queries::unmanaged()),
        )?;

        let lookups = tables::read_lookups(q_lookups, &lookups)?;
        let mut by_oid = tables::read_tables(q_tables, &tables)?;
        let columns = tables::apply_columns(q_columns, &columns, &mut by_oid, &lookups)?;
        let mut indexes = tables::read_indexes(q_indexes, &indexes, &by_oid, &columns, &lookups)?;
        tables::apply_constraints(
            q_constraints,
            &constraints,
            &mut by_oid,
            &columns,
            &mut indexes,
        )?;
        tables::apply_indexes(indexes, &mut by_oid);
        tables::apply_policies(q_policies, &policies, &mut by_oid)?;
        let sequences = tables::read_sequences(q_sequences, &sequences, &mut by_oid, &columns)?;
        drop(columns);
        let tables: BTreeMap<QualifiedName, crate::model::Table> = by_oid
            .into_values()
            .map(|table| (table.name.clone(), table))
            .collect();

        let mut catalog = Catalog {
            database: Some(read_database(q_database, &database)?),
            roles: read_roles(q_roles, &roles, server.can_read_passwords)?,
            schemas: read_schemas(q_schemas, &schemas)?,
            relations: read_relations(q_relations, &relations)?,
            functions: read_functions(q_functions, &functions)?,
            default_privileges: read_default_privileges(q_defaults, &defaults)?,
            tables,
            sequences,
            enums: tables::read_enums(q_enums, &enums)?,
            domains: tables::read_domains(q_domains, &domains)?,
            extensions: tables::read_extensions(q_extensions, &extensions)?,
            unmanaged: tables::read_unmanaged(q_unmanaged, &unmanaged)?,
            server: Some(server),
            ..Catalog::default()
        };
        apply_memberships(q_members, &members, &mut catalog.roles)?;
        apply_settings(q_settings, &settings, &mut catalog)?;
        Ok(catalog)
    }
}

fn get<'r, T: tokio_postgres::types::FromSql<'r>>(
    what: &'static str,
    row: &'r Row,
    column: &str,
) -> Result<T, IntrospectError> {
    row.try_get(column)
        .map_err(|source| IntrospectError::Query { what, source })
}

fn unexpected(what: &'static str, detail: impl Into<String>) -> IntrospectError {
    IntrospectError::Unexpected {
        what,
        detail: detail.into(),
    }
}

/// Builds an ACL from the `grantees`, `privileges`, `grantable` arrays of a query row
/// (see `queries::acl_join`). `object` names the object in error messages.
fn read_acl(
    what: &'static str,
    row: &Row,
    object: &dyn Fn() -> String,
) -> Result<Acl, IntrospectError> {
    let grantees: Option<Vec<Option<String>>> = get(what, row, "grantees")?;
    let privileges: Option<Vec<String>> = get(what, row, "privileges")?;
    let grantable: Option<Vec<bool>> = get(what, row, "grantable")?;
    let (grantees, privileges, grantable) = (
        grantees.unwrap_or_default(),
        privileges.unwrap_or_default(),
        grantable.unwrap_or_default(),
    );
    if grantees.len() != privileges.len() || grantees.len() != grantable.len() {
        return Err(unexpected(
            what,
            format!("ACL arrays of {} differ in length", object()),
        ));
    }
    let mut acl = Acl::default();
    for ((grantee, privilege), grantable) in grantees.into_iter().zip(privileges).zip(grantable) {
        let privilege = Privilege::parse(&privilege).ok_or_else(|| {
            unexpected(
                what,
                format!("unknown privilege {privilege} in the ACL of {}", object()),
            )
        })?;
        let grantee = match grantee {
            None => Grantee::Public,
            Some(name) => Grantee::Role(name),
        };
        acl.grant(grantee, privilege, grantable);
    }
    Ok(acl)
}

fn read_server(what: &'static str, rows: &[Row]) -> Result<ServerInfo, IntrospectError> {
    let [row] = rows else {
        return Err(unexpected(
            what,
            format!("{} rows instead of 1", rows.len()),
        ));
    };
    if !get::<bool>(what, row, "search_path_cleared")? {
        return Err(IntrospectError::NotInTransaction);
    }
    Ok(ServerInfo {
        version_num: get(what, row, "version_num")?,
        version: get(what, row, "version")?,
        system_identifier: get(what, row, "system_identifier")?,
        current_user: get(what, row, "current_user")?,
        can_read_passwords: get(what, row, "can_read_passwords")?,
    })
}

fn read_database(what: &'static str, rows: &[Row]) -> Result<Database, IntrospectError> {
    let [row] = rows else {
        return Err(unexpected(
            what,
            format!("{} rows instead of 1", rows.len()),
        ));
    };
    let name: String = get(what, row, "name")?;
    let acl = read_acl(what, row, &|| format!("database {name}"))?;
    Ok(Database {
        owner: Some(get(what, row, "owner")?),
        comment: get(what, row, "comment")?,
        acl,
        settings: BTreeMap::new(),
        name: Some(name),
    })
}

fn read_roles(
    what: &'static str,
    rows: &[Row],
    can_read_passwords: bool,
) -> Result<BTreeMap<String, Role>, IntrospectError> {
    let mut roles = BTreeMap::new();
    for row in rows {
        let name: String = get(what, row, "name")?;
        if is_builtin_role(&name) {
            continue;
        }
        let password = if can_read_passwords {
            match get::<Option<String>>(what, row, "password")? {
                Some(verifier) => Password::Stored(SecretString::from(verifier)),
                None => Password::Absent,
            }
        } else {
            Password::Unreadable
        };
        let role = Role {
            external: false,
            attributes: RoleAttributes {
                login: get(what, row, "login")?,
                superuser: get(what, row, "superuser")?,
                createdb: get(what, row, "createdb")?,
                createrole: get(what, row, "createrole")?,
                inherit: get(what, row, "inherit")?,
                replication: get(what, row, "replication")?,
                bypassrls: get(what, row, "bypassrls")?,
                connection_limit: get(what, row, "connection_limit")?,
                valid_until: get(what, row, "valid_until")?,
            },
            comment: get(what, row, "comment")?,
            password,
            member_of: BTreeMap::new(),
            settings: BTreeMap::new(),
            database_settings: BTreeMap::new(),
            confinement: None,
            name: name.clone(),
        };
        roles.insert(name, role);
    }
    Ok(roles)
}

fn apply_memberships(
    what: &'static str,
    rows: &[Row],
    roles: &mut BTreeMap<String, Role>,
) -> Result<(), IntrospectError> {
    for row in rows {
        let member: String = get(what, row, "member")?;
        let granted: String = get(what, row, "granted")?;
        let membership = Membership {
            admin: get(what, row, "admin")?,
            inherit: get(what, row, "inherit")?,
            set: get(what, row, "set")?,
        };
        if let Some(role) = roles.get_mut(&member) {
            role.member_of.insert(granted, membership);
        }
    }
    Ok(())
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

fn apply_settings(
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

fn read_schemas(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<String, Schema>, IntrospectError> {
    let mut schemas = BTreeMap::new();
    for row in rows {
        let name: String = get(what, row, "name")?;
        if is_system_schema(&name) {
            continue;
        }
        let acl = read_acl(what, row, &|| format!("schema {name}"))?;
        let schema = Schema {
            manage_tables: false,
            owner: Some(get(what, row, "owner")?),
            comment: get(what, row, "comment")?,
            acl,
            object_grants: BTreeMap::new(),
            name: name.clone(),
        };
        schemas.insert(name, schema);
    }
    Ok(schemas)
}

fn relation_kind(relkind: &str) -> Option<RelationKind> {
    Some(match relkind {
        "r" => RelationKind::Table,
        "p" => RelationKind::PartitionedTable,
        "v" => RelationKind::View,
        "m" => RelationKind::MaterializedView,
        "f" => RelationKind::ForeignTable,
        "S" => RelationKind::Sequence,
        _ => return None,
    })
}

fn read_relations(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<QualifiedName, Relation>, IntrospectError> {
    let mut relations = BTreeMap::new();
    for row in rows {
        let name = QualifiedName::new(
            get::<String>(what, row, "schema")?,
            get::<String>(what, row, "name")?,
        );
        if is_system_schema(&name.schema) {
            continue;
        }
        let relkind: String = get(what, row, "kind")?;
        let kind = relation_kind(&relkind)
            .ok_or_else(|| unexpected(what, format!("relkind {relkind} of {name}")))?;
        let acl = read_acl(what, row, &|| format!("{} {name}", kind.describe()))?;
        let relation = Relation {
            kind,
            owner: Some(get(what, row, "owner")?),
            acl,
            name: name.clone(),
        };
        relations.insert(name, relation);
    }
    Ok(relations)
}

fn read_functions(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<FunctionId, Function>, IntrospectError> {
    let mut functions = BTreeMap::new();
    for row in rows {
        let id = FunctionId {
            schema: get(what, row, "schema")?,
            name: get(what, row, "name")?,
            arguments: get(what, row, "arguments")?,
        };
        if is_system_schema(&id.schema) {
            continue;
        }
        let acl = read_acl(what, row, &|| format!("function {id}"))?;
        let function = Function {
            is_procedure: get(what, row, "is_procedure")?,
            owner: Some(get(what, row, "owner")?),
            acl,
            id: id.clone(),
        };
        functions.insert(id, function);
    }
    Ok(functions)
}

fn read_default_privileges(
    what: &'static str,
    rows: &[Row],
) -> Result<BTreeMap<DefaultPrivilegeKey, Acl>, IntrospectError> {
    let mut defaults = BTreeMap::new();
    for row in rows {
        let for_role: String = get(what, row, "for_role")?;
        let schema: String = get(what, row, "schema")?;
        if is_system_schema(&schema) {
            continue;
        }
        let code: String = get(what, row, "kind")?;
        let kind = match ObjectKind::from_default_acl_code(&code) {
            Some(kind @ (ObjectKind::Table | ObjectKind::Sequence | ObjectKind::Function)) => kind,
            _ => return Err(unexpected(what, format!("default ACL object type {code}"))),
        };
        let acl = read_acl(what, row, &|| {
            format!("default privileges for role {for_role} in schema {schema} on {code}")
        })?;
        // An entry that held nothing but the owner's own grants adds nothing.
        if acl.is_empty() {
            continue;
        }
        defaults.insert(
            DefaultPrivilegeKey {
                for_role,
                schema,
                kind,
            },
            acl,
        );
    }
    Ok(defaults)
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

    #[test]
    fn relkinds_map_to_relation_kinds() {
        assert_eq!(relation_kind("r"), Some(RelationKind::Table));
        assert_eq!(relation_kind("S"), Some(RelationKind::Sequence));
        assert_eq!(relation_kind("i"), None);
    }

    #[test]
    fn query_list_is_fixed() {
        assert_eq!(QUERY_COUNT, 21);
        for sql in [
            queries::search_path(),
            queries::server(),
            queries::database(),
            queries::roles(true),
            queries::roles(false),
            queries::memberships(150000),
            queries::memberships(170000),
            queries::settings(),
            queries::schemas(),
            queries::relations(),
            queries::functions(),
            queries::default_privileges(),
            queries::tables(),
            queries::columns(),
            queries::constraints(),
            queries::indexes(140000),
            queries::indexes(150000),
            queries::opclasses_and_collations(),
            queries::policies(),
            queries::sequences(),
            queries::enums(),
            queries::domains(),
            queries::extensions(),
            queries::unmanaged(),
        ] {
            // Whole-object deparsing is never used; index keys that are expressions
            // are deparsed one key at a time.
            assert!(!sql.contains("pg_get_constraintdef"), "{sql}");
            for (at, _) in sql.match_indices("pg_get_indexdef(") {
                let call = &sql[at..];
                let call = &call[..=call.find(')').unwrap()];
                assert!(call.ends_with(", k.ord::int4, true)"), "{call}");
            }
        }
    }
}
