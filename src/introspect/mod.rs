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
//!   copies from the parent, only what was declared on the partition itself. Legacy
//!   inheritance (`INHERITS`) is not modelled: a child lists all its columns and only
//!   its local constraints. Identity sequences are part of their column
//!   (`Identity.options`), not `sequences`. Whether a constraint is validated and an
//!   index valid (a failed `CONCURRENTLY` build) is read: either is drift, repaired.
//!   Not in the model, so not read: exclusion elements' opclass/collation/order, `ON DELETE SET NULL (cols)`,
//!   type ACLs, policy comments;
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

/// Every query [`read_catalog`] runs, by name, in the order it sends them, for a server
/// of `version_num` (also for benchmarks and diagnostics: each can be run and timed on
/// its own, after `SET search_path = ''`).
#[doc(hidden)]
pub fn query_texts(version_num: i32, can_read_passwords: bool) -> Vec<(&'static str, String)> {
    QUERY_NAMES
        .into_iter()
        .zip([
            queries::search_path(),
            queries::server(),
            queries::opclasses_and_collations(),
            queries::tables(),
            queries::columns(version_num),
            queries::column_defaults_and_comments(),
            queries::indexes(version_num),
            queries::constraints(),
            queries::policies(),
            queries::sequences(),
            queries::database(),
            queries::roles(can_read_passwords),
            queries::memberships(version_num),
            queries::settings(),
            queries::schemas(),
            queries::relations(),
            queries::functions(),
            queries::default_privileges(),
            queries::enums(),
            queries::domains(),
            queries::extensions(),
            queries::unmanaged(),
        ])
        .collect()
}

/// Positions in [`QUERY_NAMES`] of the pipelined queries.
mod q {
    pub const SEARCH_PATH: usize = 0;
    pub const SERVER: usize = 1;
    pub const LOOKUPS: usize = 2;
    pub const TABLES: usize = 3;
    pub const COLUMNS: usize = 4;
    pub const COLUMN_DETAILS: usize = 5;
    pub const INDEXES: usize = 6;
    pub const CONSTRAINTS: usize = 7;
    pub const POLICIES: usize = 8;
    pub const SEQUENCES: usize = 9;
    pub const DATABASE: usize = 10;
    pub const ROLES: usize = 11;
    pub const MEMBERSHIPS: usize = 12;
    pub const SETTINGS: usize = 13;
    pub const SCHEMAS: usize = 14;
    pub const RELATIONS: usize = 15;
    pub const FUNCTIONS: usize = 16;
    pub const DEFAULT_PRIVILEGES: usize = 17;
    pub const ENUMS: usize = 18;
    pub const DOMAINS: usize = 19;
    pub const EXTENSIONS: usize = 20;
    pub const UNMANAGED: usize = 21;
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
    #[error(
        "unexpected catalog content ({what}): {}",
        crate::escape::text_line(detail)
    )]
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
        let name = |k: usize| QUERY_NAMES[k];
        // Canonical text needs an empty search_path (see `queries`); the server query
        // checks that it took effect.
        self.run(name(q::SEARCH_PATH), queries::search_path())
            .await?;
        let server_rows = self.run(name(q::SERVER), queries::server()).await?;
        let server = read_server(name(q::SERVER), &server_rows)?;

        // Every other query is sent at once (each future sends its query when first
        // polled, and `try_join!` polls them in order), and every result is handed, as
        // soon as it is complete, to a blocking thread that turns it into the model while
        // the server runs the next queries. The futures here only keep draining the
        // connection.
        let mut texts = query_texts(server.version_num, server.can_read_passwords)
            .into_iter()
            .skip(2) // search path and server, run above
            .map(|(_, sql)| sql);
        let mut text = || texts.next().unwrap_or_default();
        let (sender, receiver) = std::sync::mpsc::channel();
        let decoder = tokio::task::spawn_blocking(move || decode(receiver, server));
        let fetch = |k: usize, sql: String| {
            let sender = sender.clone();
            async move {
                let rows = self.run(name(k), sql).await?;
                // The decoder only stops early on an error of its own, reported below.
                let _ = sender.send((k, rows));
                Ok::<(), IntrospectError>(())
            }
        };
        let fetched = tokio::try_join!(
            fetch(q::LOOKUPS, text()),
            fetch(q::TABLES, text()),
            fetch(q::COLUMNS, text()),
            fetch(q::COLUMN_DETAILS, text()),
            fetch(q::INDEXES, text()),
            fetch(q::CONSTRAINTS, text()),
            fetch(q::POLICIES, text()),
            fetch(q::SEQUENCES, text()),
            fetch(q::DATABASE, text()),
            fetch(q::ROLES, text()),
            fetch(q::MEMBERSHIPS, text()),
            fetch(q::SETTINGS, text()),
            fetch(q::SCHEMAS, text()),
            fetch(q::RELATIONS, text()),
            fetch(q::FUNCTIONS, text()),
            fetch(q::DEFAULT_PRIVILEGES, text()),
            fetch(q::ENUMS, text()),
            fetch(q::DOMAINS, text()),
            fetch(q::EXTENSIONS, text()),
            fetch(q::UNMANAGED, text()),
        );
        drop(sender);
        let decoded = decoder
            .await
            .map_err(|e| unexpected("decoding", format!("the decoding thread failed: {e}")));
        // A query error explains a decoder that stopped waiting for rows.
        fetched?;
        decoded?
    }
}

/// Results of the pipelined queries, by position in [`QUERY_NAMES`], in the order they
/// arrive (the order they were sent).
struct Results {
    receiver: std::sync::mpsc::Receiver<(usize, Vec<Row>)>,
    slots: Vec<Option<Vec<Row>>>,
}

impl Results {
    /// The rows of query `k`, waiting for them if needed.
    fn take(&mut self, k: usize) -> Result<Vec<Row>, IntrospectError> {
        while self.slots[k].is_none() {
            let Ok((i, rows)) = self.receiver.recv() else {
                // The fetching side stopped (a query failed): its error is reported.
                return Err(unexpected(QUERY_NAMES[k], "no result"));
            };
            self.slots[i] = Some(rows);
        }
        Ok(self.slots[k].take().unwrap_or_default())
    }
}

/// Turns the results into the catalog, in the order the queries were sent: each result
/// is decoded, and its rows freed, while the later ones are still being computed.
fn decode(
    receiver: std::sync::mpsc::Receiver<(usize, Vec<Row>)>,
    server: ServerInfo,
) -> Result<Catalog, IntrospectError> {
    let mut results = Results {
        receiver,
        slots: (0..QUERY_COUNT).map(|_| None).collect(),
    };
    let name = |k: usize| QUERY_NAMES[k];

    let lookups = tables::read_lookups(name(q::LOOKUPS), &results.take(q::LOOKUPS)?)?;
    let mut by_oid = tables::read_tables(name(q::TABLES), &results.take(q::TABLES)?)?;
    let columns = tables::apply_columns(
        name(q::COLUMNS),
        &results.take(q::COLUMNS)?,
        &mut by_oid,
        &lookups,
    )?;
    tables::apply_column_details(
        name(q::COLUMN_DETAILS),
        &results.take(q::COLUMN_DETAILS)?,
        &mut by_oid,
        &columns,
    )?;
    let mut indexes = tables::read_indexes(
        name(q::INDEXES),
        &results.take(q::INDEXES)?,
        &by_oid,
        &columns,
        &lookups,
    )?;
    tables::apply_constraints(
        name(q::CONSTRAINTS),
        &results.take(q::CONSTRAINTS)?,
        &mut by_oid,
        &columns,
        &mut indexes,
        &lookups,
    )?;
    tables::apply_indexes(indexes, &mut by_oid);
    tables::apply_policies(name(q::POLICIES), &results.take(q::POLICIES)?, &mut by_oid)?;
    let sequences = tables::read_sequences(
        name(q::SEQUENCES),
        &results.take(q::SEQUENCES)?,
        &mut by_oid,
        &columns,
    )?;
    drop(columns);
    // Sorted by name before the tables move into the map, so that building it moves
    // each (large) table once.
    let mut order: Vec<(QualifiedName, u32)> = by_oid
        .iter()
        .map(|(oid, table)| (table.name.clone(), *oid))
        .collect();
    order.sort_unstable();
    let tables = order
        .into_iter()
        .filter_map(|(name, oid)| by_oid.remove(&oid).map(|table| (name, table)))
        .collect();

    let mut catalog = Catalog {
        database: Some(read_database(
            name(q::DATABASE),
            &results.take(q::DATABASE)?,
        )?),
        roles: read_roles(
            name(q::ROLES),
            &results.take(q::ROLES)?,
            server.can_read_passwords,
        )?,
        tables,
        sequences,
        ..Catalog::default()
    };
    apply_memberships(
        name(q::MEMBERSHIPS),
        &results.take(q::MEMBERSHIPS)?,
        &mut catalog.roles,
    )?;
    apply_settings(name(q::SETTINGS), &results.take(q::SETTINGS)?, &mut catalog)?;
    catalog.schemas = read_schemas(name(q::SCHEMAS), &results.take(q::SCHEMAS)?)?;
    catalog.relations = read_relations(name(q::RELATIONS), &results.take(q::RELATIONS)?)?;
    catalog.functions = read_functions(name(q::FUNCTIONS), &results.take(q::FUNCTIONS)?)?;
    catalog.default_privileges = read_default_privileges(
        name(q::DEFAULT_PRIVILEGES),
        &results.take(q::DEFAULT_PRIVILEGES)?,
    )?;
    catalog.enums = tables::read_enums(name(q::ENUMS), &results.take(q::ENUMS)?)?;
    catalog.domains = tables::read_domains(name(q::DOMAINS), &results.take(q::DOMAINS)?)?;
    catalog.extensions =
        tables::read_extensions(name(q::EXTENSIONS), &results.take(q::EXTENSIONS)?)?;
    catalog.unmanaged = tables::read_unmanaged(name(q::UNMANAGED), &results.take(q::UNMANAGED)?)?;
    catalog.server = Some(server);
    Ok(catalog)
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
    read_acl_at(what, row, ["grantees", "privileges", "grantable"], object)
}

/// [`read_acl`] with the three columns given by name or position (hot loops look the
/// positions up once).
fn read_acl_at<I>(
    what: &'static str,
    row: &Row,
    [grantees, privileges, grantable]: [I; 3],
    object: &dyn Fn() -> String,
) -> Result<Acl, IntrospectError>
where
    I: tokio_postgres::row::RowIndex + std::fmt::Display,
{
    let error = |source| IntrospectError::Query { what, source };
    let grantees: Option<Vec<Option<String>>> = row.try_get(grantees).map_err(error)?;
    let privileges: Option<Vec<String>> = row.try_get(privileges).map_err(error)?;
    let grantable: Option<Vec<bool>> = row.try_get(grantable).map_err(error)?;
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
        assert_eq!(QUERY_COUNT, 22);
        let texts = [
            query_texts(140000, false),
            query_texts(150000, true),
            query_texts(170000, true),
        ];
        assert!(texts.iter().all(|t| t.len() == QUERY_COUNT));
        for (_, sql) in texts.iter().flatten() {
            // Whole-object deparsing is never used; index keys that are expressions
            // are deparsed one key at a time.
            assert!(!sql.contains("pg_get_constraintdef"), "{sql}");
            for (at, _) in sql.match_indices("pg_get_indexdef(") {
                let call = &sql[at..];
                let call = &call[..=call.find(')').unwrap()];
                let args: Vec<&str> = call.trim_end_matches(')').split(", ").collect();
                assert!(
                    args.len() == 3 && args[1].parse::<usize>().is_ok() && args[2] == "true",
                    "{call}"
                );
            }
        }
    }
}
