//! Introspection against a real PostgreSQL: SQL in, exact model out.

mod common;

use common::TestDb;
use pgrecon::introspect::{self, QUERY_COUNT, QUERY_NAMES};
use pgrecon::model::{
    Acl, Attribute, Catalog, CollationProvider, Column, Constraint, ConstraintKind,
    DefaultPrivilegeKey, Domain, EnumType, ExclusionElement, Extension, ForeignKeyAction, Function,
    FunctionId, Grantee, Identity, IdentityKind, Index, IndexKey, Membership, ObjectKind,
    PartitionOf, Password, Policy, Privilege, QualifiedName, Relation, RelationKind,
    RoleAttributes, Schema, Sequence, SequenceOptions, SettingValue, Table, Trigger,
    TriggerEnabled, TriggerEvent, TriggerTiming, UnmanagedObject, ViewColumn,
};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// Roles are cluster-wide and tests may share a cluster: every role a test creates gets
/// a prefix unique to the test run.
fn unique_prefix(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{tag}{}_{}_", std::process::id(), nanos % 1_000_000)
}

async fn current_database(client: &Client) -> String {
    client
        .query_one("SELECT current_database()::text", &[])
        .await
        .unwrap()
        .get(0)
}

/// `[(grantee, [(privilege, grantable)])]` → Acl. Grantee `"PUBLIC"` is `PUBLIC`.
fn acl(entries: &[(&str, &[(Privilege, bool)])]) -> Acl {
    let mut acl = Acl::default();
    for (grantee, privileges) in entries {
        for (privilege, grantable) in *privileges {
            acl.grant(Grantee::parse(grantee), *privilege, *grantable);
        }
    }
    acl
}

fn list(items: &[&str]) -> SettingValue {
    SettingValue::List(items.iter().map(|s| s.to_string()).collect())
}

fn scalar(value: &str) -> SettingValue {
    SettingValue::Scalar(value.to_string())
}

/// Builds the whole scenario of `reads_every_object_class_exactly`; returns whether an
/// extension was available (and so whether extension-owned objects were created).
async fn set_up_scenario(client: &Client, p: &str, db: &str) -> bool {
    let setup = format!(
        r#"
        CREATE ROLE {p}owner;
        CREATE ROLE {p}group;
        CREATE ROLE {p}app LOGIN NOINHERIT PASSWORD 'secret' CONNECTION LIMIT 5
            VALID UNTIL '2031-02-03 04:05:06+00';
        CREATE ROLE {p}super SUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS LOGIN
            VALID UNTIL 'infinity';
        CREATE ROLE {p}frac VALID UNTIL '2030-01-01 12:00:00.25+02';
        COMMENT ON ROLE {p}app IS 'the app';
        GRANT {p}group TO {p}app WITH ADMIN OPTION;
        GRANT {p}owner TO {p}app;
        GRANT pg_read_all_data TO {p}app;
        ALTER ROLE {p}app SET search_path = general, "My Schema", "$user", public;
        ALTER ROLE {p}app SET statement_timeout = '30s';
        ALTER ROLE {p}app IN DATABASE {db} SET search_path = shared;
        ALTER ROLE {p}app IN DATABASE postgres SET work_mem = '1MB';
        ALTER ROLE {p}group IN DATABASE {db} SET work_mem = '2MB';

        COMMENT ON DATABASE {db} IS 'test db';
        ALTER DATABASE {db} SET lock_timeout = '5s';
        REVOKE ALL ON DATABASE {db} FROM PUBLIC;
        GRANT CONNECT ON DATABASE {db} TO {p}app;
        GRANT CREATE ON DATABASE {db} TO {p}owner WITH GRANT OPTION;

        CREATE SCHEMA general AUTHORIZATION {p}owner;
        COMMENT ON SCHEMA general IS 'general stuff';
        GRANT USAGE ON SCHEMA general TO {p}app, PUBLIC;
        GRANT CREATE ON SCHEMA general TO {p}group WITH GRANT OPTION;
        CREATE SCHEMA "My Schema";
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;

        CREATE TABLE general.notes (id bigint GENERATED ALWAYS AS IDENTITY, body text);
        ALTER TABLE general.notes OWNER TO {p}owner;
        GRANT SELECT, INSERT ON general.notes TO {p}app;
        GRANT UPDATE ON general.notes TO {p}group WITH GRANT OPTION;
        GRANT SELECT ON general.notes TO PUBLIC;
        CREATE TABLE general.ser (id serial);
        CREATE VIEW general.v AS SELECT 1 AS x;
        CREATE MATERIALIZED VIEW general.mv AS SELECT 1 AS x;
        CREATE SEQUENCE general.seq;
        GRANT USAGE ON SEQUENCE general.seq TO {p}app;
        GRANT SELECT ON SEQUENCE general.seq TO {p}group WITH GRANT OPTION;
        CREATE FOREIGN DATA WRAPPER {p}fdw;
        CREATE SERVER {p}srv FOREIGN DATA WRAPPER {p}fdw;
        CREATE FOREIGN TABLE general.ft (a int) SERVER {p}srv;
        CREATE TABLE "My Schema"."Parted" (a int) PARTITION BY RANGE (a);
        CREATE TABLE "My Schema".part1 PARTITION OF "My Schema"."Parted" FOR VALUES FROM (0) TO (10);
        CREATE INDEX ON "My Schema"."Parted" (a);

        CREATE FUNCTION general.add(a integer, b text) RETURNS int LANGUAGE sql AS 'SELECT 1';
        REVOKE EXECUTE ON FUNCTION general.add(integer, text) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION general.add(integer, text) TO {p}app WITH GRANT OPTION;
        CREATE FUNCTION general.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
        ALTER FUNCTION general.f() OWNER TO {p}owner;
        CREATE PROCEDURE general.p(INOUT x int) LANGUAGE sql AS 'SELECT 1';
        CREATE AGGREGATE general.agg(int) (SFUNC = int4pl, STYPE = int);

        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner IN SCHEMA general
            GRANT SELECT ON TABLES TO {p}app;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner IN SCHEMA general
            GRANT ALL ON TABLES TO {p}owner;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner IN SCHEMA general
            GRANT USAGE ON SEQUENCES TO {p}app WITH GRANT OPTION;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner IN SCHEMA general
            GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}group IN SCHEMA "My Schema"
            GRANT SELECT ON TABLES TO {p}owner;
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}group IN SCHEMA "My Schema"
            GRANT SELECT ON TABLES TO {p}group;
        -- Not read: global default privileges.
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner GRANT SELECT ON TABLES TO {p}group;
        -- Read: types.
        ALTER DEFAULT PRIVILEGES FOR ROLE {p}owner IN SCHEMA general
            GRANT USAGE ON TYPES TO {p}app;
        "#
    );
    client.batch_execute(&setup).await.unwrap();

    // Extension members are left out. hstore ships with the contrib package; when it is
    // not installed this part of the scenario is skipped.
    let has_hstore: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hstore')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if has_hstore {
        client
            .batch_execute(
                "CREATE EXTENSION hstore SCHEMA general;
                 CREATE SCHEMA extowned;
                 CREATE TABLE extowned.t (a int);
                 CREATE TABLE general.ext_table (a int);
                 ALTER EXTENSION hstore ADD SCHEMA extowned;
                 ALTER EXTENSION hstore ADD TABLE general.ext_table;",
            )
            .await
            .unwrap();
    }
    if !has_hstore {
        eprintln!("hstore is not installed: extension members are not checked");
    }
    has_hstore
}

#[tokio::test]
async fn reads_every_object_class_exactly() {
    let test_db = TestDb::new().await;
    let mut client = test_db.client().await;
    let db = current_database(&client).await;
    let p = unique_prefix("ri");
    let has_hstore = set_up_scenario(&client, &p, &db).await;
    let r = |name: &str| format!("{p}{name}");

    // The output must not depend on the session's date settings.
    client
        .batch_execute("SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'SQL, DMY';")
        .await
        .unwrap();
    let catalog = introspect::snapshot(&mut client).await.unwrap();
    let me: String = client
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap()
        .get(0);
    let db_owner: String = client
        .query_one(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap()
        .get(0);

    // Server.
    let server = catalog.server.clone().expect("server info");
    assert!(server.version_num >= 130000, "{server:?}");
    assert!(server.version.starts_with("PostgreSQL"), "{server:?}");
    assert!(
        server.system_identifier.parse::<u64>().is_ok(),
        "{server:?}"
    );
    assert_eq!(server.current_user, me);
    assert!(server.can_read_passwords);
    let pg16 = server.version_num >= 160000;

    // Database.
    let database = catalog.database.clone().expect("database");
    assert_eq!(database.name.as_deref(), Some(db.as_str()));
    assert_eq!(database.owner.as_deref(), Some(db_owner.as_str()));
    assert_eq!(database.comment.as_deref(), Some("test db"));
    assert_eq!(
        database.acl,
        acl(&[
            (&r("app"), &[(Privilege::Connect, false)]),
            (&r("owner"), &[(Privilege::Create, true)]),
        ])
    );
    assert_eq!(
        database.settings,
        BTreeMap::from([("lock_timeout".to_string(), scalar("5s"))])
    );

    // Roles.
    assert!(catalog.roles.keys().all(|name| !name.starts_with("pg_")));
    assert!(catalog.roles.contains_key(&me));
    let mine: BTreeMap<_, _> = catalog
        .roles
        .iter()
        .filter(|(name, _)| name.starts_with(&p))
        .collect();
    assert_eq!(
        mine.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
        [r("app"), r("frac"), r("group"), r("owner"), r("super")]
    );

    let app = &catalog.roles[&r("app")];
    assert_eq!(app.name, r("app"));
    assert!(!app.external);
    assert_eq!(
        app.attributes,
        RoleAttributes {
            login: true,
            inherit: false,
            connection_limit: 5,
            valid_until: Some("2031-02-03 04:05:06+00".into()),
            ..RoleAttributes::default()
        }
    );
    assert_eq!(app.comment.as_deref(), Some("the app"));
    match &app.password {
        Password::Stored(verifier) => {
            assert!(verifier.expose_secret().starts_with("SCRAM-SHA-256$"))
        }
        other => panic!("expected a stored verifier, got {other:?}"),
    }
    // On 16+ a grant's INHERIT option defaults to the member's own INHERIT attribute.
    let (inherit, set) = if pg16 {
        (Some(false), Some(true))
    } else {
        (None, None)
    };
    assert_eq!(
        app.member_of,
        BTreeMap::from([
            (
                r("group"),
                Membership {
                    admin: true,
                    inherit,
                    set
                }
            ),
            (
                r("owner"),
                Membership {
                    admin: false,
                    inherit,
                    set
                }
            ),
            (
                "pg_read_all_data".to_string(),
                Membership {
                    admin: false,
                    inherit,
                    set
                }
            ),
        ])
    );
    assert_eq!(
        app.settings,
        BTreeMap::from([
            (
                "search_path".to_string(),
                list(&["general", "My Schema", "$user", "public"])
            ),
            ("statement_timeout".to_string(), scalar("30s")),
        ])
    );
    assert_eq!(
        app.database_settings,
        BTreeMap::from([("search_path".to_string(), list(&["shared"]))])
    );

    let sup = &catalog.roles[&r("super")];
    assert_eq!(
        sup.attributes,
        RoleAttributes {
            login: true,
            superuser: true,
            createdb: true,
            createrole: true,
            inherit: true,
            replication: true,
            bypassrls: true,
            connection_limit: -1,
            valid_until: None,
        }
    );
    assert!(matches!(sup.password, Password::Absent));
    assert!(sup.member_of.is_empty() && sup.settings.is_empty());
    assert_eq!(sup.comment, None);

    assert_eq!(
        catalog.roles[&r("frac")].attributes.valid_until.as_deref(),
        Some("2030-01-01 10:00:00.25+00")
    );
    let group = &catalog.roles[&r("group")];
    assert_eq!(group.attributes, RoleAttributes::default());
    assert!(group.settings.is_empty());
    assert_eq!(
        group.database_settings,
        BTreeMap::from([("work_mem".to_string(), scalar("2MB"))])
    );

    // Schemas.
    let mut expected_schemas = BTreeMap::new();
    let mut schema = |name: &str, owner: &str, comment: Option<&str>, acl: Acl| {
        expected_schemas.insert(
            name.to_string(),
            Schema {
                manage_tables: false,
                manage_all: false,
                name: name.to_string(),
                owner: Some(owner.to_string()),
                comment: comment.map(str::to_string),
                acl,
                object_grants: BTreeMap::new(),
            },
        );
    };
    schema(
        "general",
        &r("owner"),
        Some("general stuff"),
        acl(&[
            ("PUBLIC", &[(Privilege::Usage, false)]),
            (&r("app"), &[(Privilege::Usage, false)]),
            (&r("group"), &[(Privilege::Create, true)]),
        ]),
    );
    schema("My Schema", &me, None, Acl::default());
    // The public schema as initdb leaves it: owned by pg_database_owner (PostgreSQL 15+),
    // USAGE for PUBLIC; compare it as found, only checking the grant to PUBLIC.
    let public = catalog
        .schemas
        .get("public")
        .expect("public schema")
        .clone();
    assert_eq!(
        public.acl.0.get(&Grantee::Public),
        Some(&BTreeMap::from([(Privilege::Usage, false)]))
    );
    assert_eq!(public.comment.as_deref(), Some("standard public schema"));
    expected_schemas.insert("public".to_string(), public);
    assert_eq!(catalog.schemas, expected_schemas);

    // Relations.
    let mut expected_relations = BTreeMap::new();
    let mut relation = |schema: &str, name: &str, kind: RelationKind, owner: &str, acl: Acl| {
        let qn = QualifiedName::new(schema, name);
        expected_relations.insert(
            qn.clone(),
            Relation {
                name: qn,
                kind,
                owner: Some(owner.to_string()),
                acl,
            },
        );
    };
    relation(
        "general",
        "notes",
        RelationKind::Table,
        &r("owner"),
        acl(&[
            ("PUBLIC", &[(Privilege::Select, false)]),
            (
                &r("app"),
                &[(Privilege::Select, false), (Privilege::Insert, false)],
            ),
            (&r("group"), &[(Privilege::Update, true)]),
        ]),
    );
    // The identity sequence follows its table's owner.
    relation(
        "general",
        "notes_id_seq",
        RelationKind::Sequence,
        &r("owner"),
        Acl::default(),
    );
    relation("general", "ser", RelationKind::Table, &me, Acl::default());
    relation(
        "general",
        "ser_id_seq",
        RelationKind::Sequence,
        &me,
        Acl::default(),
    );
    relation("general", "v", RelationKind::View, &me, Acl::default());
    relation(
        "general",
        "mv",
        RelationKind::MaterializedView,
        &me,
        Acl::default(),
    );
    relation(
        "general",
        "seq",
        RelationKind::Sequence,
        &me,
        acl(&[
            (&r("app"), &[(Privilege::Usage, false)]),
            (&r("group"), &[(Privilege::Select, true)]),
        ]),
    );
    relation(
        "general",
        "ft",
        RelationKind::ForeignTable,
        &me,
        Acl::default(),
    );
    relation(
        "My Schema",
        "Parted",
        RelationKind::PartitionedTable,
        &me,
        Acl::default(),
    );
    relation(
        "My Schema",
        "part1",
        RelationKind::Table,
        &me,
        Acl::default(),
    );
    assert_eq!(catalog.relations, expected_relations);

    // Functions: no aggregates, no extension members (hstore's functions live in general).
    let public_execute = acl(&[("PUBLIC", &[(Privilege::Execute, false)])]);
    let function = |name: &str, arguments: &str, is_procedure: bool, owner: &str, acl: &Acl| {
        let id = FunctionId {
            schema: "general".to_string(),
            name: name.to_string(),
            arguments: arguments.to_string(),
        };
        (
            id.clone(),
            Function {
                id,
                is_procedure,
                owner: Some(owner.to_string()),
                acl: acl.clone(),
                definition: None,
                comment: None,
                used_by: Vec::new(),
            },
        )
    };
    // Definitions as the server prints them, the result only for functions.
    let add = &catalog
        .functions
        .values()
        .find(|f| f.id.name == "add")
        .unwrap();
    let add = add
        .definition
        .as_ref()
        .expect("live routines carry their definition");
    assert!(
        add.text
            .starts_with("CREATE OR REPLACE FUNCTION general.add(a integer, b text)"),
        "{}",
        add.text
    );
    assert_eq!(add.arguments, "a integer, b text");
    assert_eq!(add.result.as_deref(), Some("integer"));
    assert_eq!(add.language, "sql");
    let p = catalog
        .functions
        .values()
        .find(|f| f.id.name == "p")
        .unwrap();
    assert_eq!(p.definition.as_ref().unwrap().result, None);
    let without_definitions: BTreeMap<FunctionId, Function> = catalog
        .functions
        .iter()
        .map(|(id, f)| {
            let mut f = f.clone();
            f.definition = None;
            (id.clone(), f)
        })
        .collect();
    assert_eq!(
        without_definitions,
        BTreeMap::from([
            function(
                "add",
                "integer, text",
                false,
                &me,
                &acl(&[(&r("app"), &[(Privilege::Execute, true)])])
            ),
            function("f", "", false, &r("owner"), &public_execute),
            function("p", "integer", true, &me, &public_execute),
        ])
    );

    // Default privileges: schema-specific ones on tables, sequences, functions and types, only
    // the grants added (the owner's grant to itself is left out; an entry holding only
    // that disappears).
    let key = |for_role: &str, schema: &str, kind: ObjectKind| DefaultPrivilegeKey {
        for_role: for_role.to_string(),
        schema: schema.to_string(),
        kind,
    };
    assert_eq!(
        catalog.default_privileges,
        BTreeMap::from([
            (
                key(&r("owner"), "general", ObjectKind::Table),
                acl(&[(&r("app"), &[(Privilege::Select, false)])])
            ),
            (
                key(&r("owner"), "general", ObjectKind::Sequence),
                acl(&[(&r("app"), &[(Privilege::Usage, true)])])
            ),
            (
                key(&r("owner"), "general", ObjectKind::Function),
                public_execute.clone()
            ),
            (
                key(&r("owner"), "general", ObjectKind::Type),
                acl(&[(&r("app"), &[(Privilege::Usage, false)])])
            ),
            (
                key(&r("group"), "My Schema", ObjectKind::Table),
                acl(&[(&r("owner"), &[(Privilege::Select, false)])])
            ),
        ])
    );

    // Nothing from the extension.
    if has_hstore {
        assert!(!catalog.schemas.contains_key("extowned"));
        assert!(
            !catalog
                .relations
                .contains_key(&QualifiedName::new("general", "ext_table"))
        );
        assert!(
            !catalog
                .functions
                .keys()
                .any(|id| id.name.starts_with("hstore"))
        );
        // Not as tables, types or unmanaged objects either; the extension itself is
        // listed.
        assert!(!catalog.tables.contains_key(&qn("general", "ext_table")));
        assert!(!catalog.tables.keys().any(|t| t.schema == "extowned"));
        assert!(catalog.unmanaged.iter().all(|o| o.schema != "extowned"
            && !o.name.starts_with("hstore")
            && !o.name.starts_with("ghstore")));
        assert_eq!(
            catalog.extensions["hstore"].schema.as_deref(),
            Some("general")
        );
    }
    // The relational layer of this scenario: only tables are listed there (views,
    // foreign tables, sequences are not tables), and the serial column's sequence.
    assert_eq!(
        catalog.tables.keys().cloned().collect::<Vec<_>>(),
        [
            qn("My Schema", "Parted"),
            qn("My Schema", "part1"),
            qn("general", "notes"),
            qn("general", "ser"),
        ]
    );
    assert_eq!(
        catalog.sequences.keys().cloned().collect::<Vec<_>>(),
        [qn("general", "seq"), qn("general", "ser_id_seq")]
    );
    assert_eq!(
        catalog.unmanaged,
        [
            ("aggregate", "general", "agg(integer)"),
            ("foreign table", "general", "ft"),
            ("function", "general", "add(integer, text)"),
            ("function", "general", "f()"),
            ("procedure", "general", "p(integer)"),
        ]
        .map(|(kind, schema, name)| UnmanagedObject {
            kind: kind.to_string(),
            schema: schema.to_string(),
            name: name.to_string(),
        })
    );

    // Views are read as views (definitions under the empty search_path), not listed
    // as unmanaged.
    assert_eq!(
        catalog.views.keys().cloned().collect::<Vec<_>>(),
        [qn("general", "mv"), qn("general", "v")]
    );
    let mv = &catalog.views[&qn("general", "mv")];
    assert!(mv.materialized && mv.with_data);
    assert_eq!(mv.definition, "SELECT 1 AS x");
    assert_eq!(
        mv.columns,
        [ViewColumn {
            name: "x".into(),
            type_name: "integer".into()
        }]
    );
    assert!(!catalog.views[&qn("general", "v")].materialized);

    // The desired-state-only parts stay empty.
    assert_eq!(catalog.scope, Default::default());
}

#[tokio::test]
async fn unprivileged_reader_cannot_read_passwords() {
    let test_db = TestDb::new().await;
    let mut client = test_db.client().await;
    let p = unique_prefix("ru");
    client
        .batch_execute(&format!(
            "CREATE ROLE {p}reader;
             CREATE ROLE {p}app LOGIN PASSWORD 'secret' VALID UNTIL '2031-02-03 04:05:06+00';
             COMMENT ON ROLE {p}app IS 'the app';
             GRANT {p}reader TO {p}app;
             SET ROLE {p}reader;"
        ))
        .await
        .unwrap();

    // Inside a transaction, as every reader must (the empty search_path it sets is
    // transaction-local).
    let tx = client.transaction().await.unwrap();
    let catalog = introspect::read_catalog(&tx).await.unwrap();
    tx.rollback().await.unwrap();
    let server = catalog.server.as_ref().unwrap();
    assert_eq!(server.current_user, format!("{p}reader"));
    assert!(!server.can_read_passwords);
    let app = &catalog.roles[&format!("{p}app")];
    assert!(matches!(app.password, Password::Unreadable));
    assert!(app.attributes.login);
    assert_eq!(
        app.attributes.valid_until.as_deref(),
        Some("2031-02-03 04:05:06+00")
    );
    assert_eq!(app.comment.as_deref(), Some("the app"));
    assert!(app.member_of.contains_key(&format!("{p}reader")));
    assert!(
        catalog
            .roles
            .values()
            .all(|role| matches!(role.password, Password::Unreadable))
    );
}

// A fixed, small number of queries (one per object class), checked at compile time.
const _: () = assert!(QUERY_COUNT == 27);

async fn read_counting(client: &mut Client) -> (Catalog, usize) {
    let tx = client.transaction().await.unwrap();
    let read = introspect::read_catalog_counting(&tx).await.unwrap();
    tx.rollback().await.unwrap();
    read
}

#[tokio::test]
async fn query_count_does_not_grow_with_the_catalog() {
    assert_eq!(QUERY_COUNT, QUERY_NAMES.len());

    let test_db = TestDb::new().await;
    let mut client = test_db.client().await;
    let p = unique_prefix("rq");
    client
        .batch_execute(&format!(
            "CREATE ROLE {p}reader;
             CREATE SCHEMA s;
             CREATE TABLE s.t0 (id int);
             GRANT SELECT ON s.t0 TO {p}reader;"
        ))
        .await
        .unwrap();
    let (small, small_count) = read_counting(&mut client).await;
    assert_eq!(small_count, QUERY_COUNT);
    assert_eq!(small.relations.len(), 1);

    client
        .batch_execute(&format!(
            "DO $$ BEGIN
               FOR i IN 1..300 LOOP
                 EXECUTE format('CREATE TABLE s.t%s (id int GENERATED BY DEFAULT AS IDENTITY)', i);
                 EXECUTE format('GRANT SELECT, UPDATE ON s.t%s TO {p}reader', i);
                 EXECUTE format('CREATE FUNCTION s.f%s() RETURNS int LANGUAGE sql AS ''SELECT 1''', i);
               END LOOP;
             END $$;"
        ))
        .await
        .unwrap();
    let (big, big_count) = read_counting(&mut client).await;
    assert_eq!(big_count, QUERY_COUNT);
    // 301 tables and 300 identity sequences.
    assert_eq!(big.relations.len(), 601);
    assert_eq!(big.functions.len(), 300);
    let t300 = &big.relations[&QualifiedName::new("s", "t300")];
    assert_eq!(
        t300.acl,
        acl(&[(
            &format!("{p}reader"),
            &[(Privilege::Select, false), (Privilege::Update, false)]
        )])
    );
}

#[tokio::test]
async fn snapshot_sees_one_consistent_state_and_leaves_no_transaction_open() {
    let test_db = TestDb::new().await;
    let mut client = test_db.client().await;
    client
        .batch_execute("CREATE SCHEMA a; CREATE TABLE a.t (id int);")
        .await
        .unwrap();
    let catalog = introspect::snapshot(&mut client).await.unwrap();
    assert!(catalog.schemas.contains_key("a"));
    assert!(
        catalog
            .relations
            .contains_key(&QualifiedName::new("a", "t"))
    );
    // The transaction is closed: a write on the same connection works.
    client
        .batch_execute("CREATE TABLE a.u (id int)")
        .await
        .unwrap();
    let again = introspect::snapshot(&mut client).await.unwrap();
    assert!(again.relations.contains_key(&QualifiedName::new("a", "u")));
}

/// The relational layer: every kind of table, column, constraint, index, policy,
/// sequence, type and extension, plus objects pgrecon leaves alone. `{p}` prefixes roles.
const RELATIONAL_SCENARIO: &str = r#"
CREATE ROLE {p}app;
CREATE ROLE {p}auditor;
CREATE SCHEMA app;
CREATE SCHEMA ref;
CREATE SCHEMA "My Schema";

CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE app.mood IS 'feelings';
CREATE DOMAIN app.posint AS integer DEFAULT 1 NOT NULL
    CONSTRAINT posint_positive CHECK (VALUE > 0)
    CONSTRAINT posint_small CHECK (VALUE < 1000000);
COMMENT ON DOMAIN app.posint IS 'positive';
CREATE DOMAIN app.code AS varchar(10) COLLATE "C";
REVOKE USAGE ON DOMAIN app.code FROM PUBLIC;
GRANT USAGE ON TYPE app.code TO {p}app;

CREATE SEQUENCE app.counter AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000
    START WITH 20 CACHE 10 CYCLE;
COMMENT ON SEQUENCE app.counter IS 'a counter';
CREATE SEQUENCE app.plain;
CREATE SEQUENCE app.down INCREMENT BY -1;

CREATE TABLE ref.parent (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    CONSTRAINT parent_code_key UNIQUE (code)
);
CREATE TABLE "My Schema"."Weird Table" ("Key" integer PRIMARY KEY);

CREATE TABLE app.items (
    id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10 CACHE 20),
    serial_no serial,
    name varchar(50) COLLATE "C" NOT NULL,
    price numeric(10,2) DEFAULT 0,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
    meta jsonb DEFAULT '{}'::jsonb,
    tags text[] DEFAULT '{}',
    mood app.mood DEFAULT 'ok',
    qty app.posint,
    sku app.code,
    counter_val integer DEFAULT nextval('app.counter'),
    total numeric GENERATED ALWAYS AS (price * 2) STORED,
    parent_id bigint,
    parent_code text,
    "Weird Key" integer,
    during tsrange,
    email text,
    CONSTRAINT items_pkey PRIMARY KEY (id) INCLUDE (name),
    CONSTRAINT items_name_key UNIQUE NULLS NOT DISTINCT (name, email),
    CONSTRAINT items_parent_fk FOREIGN KEY (parent_id) REFERENCES ref.parent (id)
        ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT items_parent_code_fk FOREIGN KEY (parent_code) REFERENCES ref.parent (code)
        MATCH FULL ON DELETE RESTRICT DEFERRABLE,
    CONSTRAINT items_weird_fk FOREIGN KEY ("Weird Key") REFERENCES "My Schema"."Weird Table",
    CONSTRAINT items_price_check CHECK (price >= 0 AND name IN ('a', 'b', 'c')) NO INHERIT,
    CONSTRAINT items_no_overlap EXCLUDE USING gist
        (during WITH &&, int4range(counter_val, counter_val, '[]') WITH &&) WHERE (price > 0)
);
COMMENT ON TABLE app.items IS 'the items';
COMMENT ON COLUMN app.items.name IS 'item name';
COMMENT ON CONSTRAINT items_price_check ON app.items IS 'only a, b or c';
GRANT SELECT (name, price), UPDATE (price) ON app.items TO {p}app;
GRANT SELECT (name) ON app.items TO PUBLIC;
GRANT REFERENCES (id) ON app.items TO {p}auditor WITH GRANT OPTION;
CREATE INDEX items_partial ON app.items (created_at) WHERE price > 100;
COMMENT ON INDEX app.items_partial IS 'expensive ones';
CREATE INDEX items_lower_email ON app.items (lower(email));
CREATE INDEX items_double ON app.items ((price * 2), id);
CREATE UNIQUE INDEX items_desc ON app.items (created_at DESC NULLS LAST, price NULLS FIRST)
    INCLUDE (email) WITH (fillfactor = 70);
CREATE INDEX items_pattern ON app.items (email text_pattern_ops, name COLLATE "POSIX");
CREATE INDEX items_by_name ON app.items (name, sku);
CREATE INDEX items_tags ON app.items USING gin (tags);
CREATE INDEX items_brin ON app.items USING brin (created_at) WITH (pages_per_range = 16);
ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.items FORCE ROW LEVEL SECURITY;
CREATE POLICY items_read ON app.items FOR SELECT TO {p}auditor, {p}app USING (price > 0);
COMMENT ON POLICY items_read ON app.items IS 'readers';
CREATE POLICY items_write ON app.items AS RESTRICTIVE FOR UPDATE TO PUBLIC
    USING (true) WITH CHECK (mood <> 'sad');

CREATE TABLE app.events (id bigint NOT NULL, at date NOT NULL, payload jsonb)
    PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
ALTER TABLE app.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
CREATE INDEX events_at ON app.events (at);
CREATE INDEX events_default_payload ON app.events_default USING gin (payload);

CREATE UNLOGGED TABLE app.scratch (k text, v int);

-- Collations, composite and range types.
CREATE COLLATION app.bytes (locale = 'C');
COMMENT ON COLLATION app.bytes IS 'bytewise';
CREATE TYPE app.pair AS (a int, b text COLLATE app.bytes, c varchar(3)[]);
COMMENT ON TYPE app.pair IS 'two';
CREATE TYPE app.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.textrange AS RANGE (subtype = text, collation = "C",
    subtype_opclass = text_pattern_ops, multirange_type_name = app.texts);

-- Left alone (unmanaged), and reported as such.
CREATE VIEW app.v_items AS SELECT id, name FROM app.items;
CREATE MATERIALIZED VIEW app.mv AS SELECT 1 AS x;
CREATE FUNCTION app.touch_count() RETURNS integer LANGUAGE sql AS 'SELECT 1';
-- Calls a range type's constructor (part of the type) and a user function.
CREATE VIEW app.v_calls AS SELECT app.floatrange(1, 2) AS r, app.touch_count() AS n;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
-- Managed: views' triggers, read on the view.
CREATE TRIGGER v_items_insert INSTEAD OF INSERT ON app.v_items
    FOR EACH ROW EXECUTE FUNCTION app.touch();
COMMENT ON TRIGGER v_items_insert ON app.v_items IS 'inserts';
-- Managed: tables' triggers (a partition's clone belongs to its parent).
CREATE TRIGGER items_touch BEFORE UPDATE OF price, name ON app.items
    FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price)
    EXECUTE FUNCTION app.touch('a', 'b c');
ALTER TABLE app.items DISABLE TRIGGER items_touch;
COMMENT ON TRIGGER items_touch ON app.items IS 'touches';
CREATE TRIGGER events_log AFTER INSERT ON app.events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION app.touch();
CREATE TRIGGER events_row AFTER INSERT ON app.events
    FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE RULE scratch_notify AS ON INSERT TO app.scratch DO ALSO NOTIFY scratch;
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
"#;

fn qn(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

/// `USAGE` for one grantee, as a type's ACL.
fn usage(grantee: Grantee) -> Acl {
    let mut acl = Acl::default();
    acl.grant(grantee, Privilege::Usage, false);
    acl
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn constraint(name: &str, kind: ConstraintKind) -> (String, Constraint) {
    (
        name.to_string(),
        Constraint {
            name: name.to_string(),
            renamed_from: None,
            kind,
            deferrable: false,
            initially_deferred: false,
            validated: true,
            comment: None,
        },
    )
}

fn index(name: &str, method: &str, keys: Vec<IndexKey>) -> Index {
    Index {
        name: name.to_string(),
        renamed_from: None,
        unique: false,
        nulls_not_distinct: false,
        method: method.to_string(),
        keys,
        include: Vec::new(),
        predicate: None,
        with: BTreeMap::new(),
        concurrently: false,
        valid: true,
        comment: None,
    }
}

fn key_column(name: &str) -> IndexKey {
    IndexKey {
        column: some(name),
        expression: None,
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: None,
    }
}

fn key_expression(expression: &str) -> IndexKey {
    IndexKey {
        column: None,
        expression: some(expression),
        ..key_column("")
    }
}

fn identity(kind: IdentityKind, options: SequenceOptions) -> Option<Identity> {
    Some(Identity { kind, options })
}

#[tokio::test]
async fn reads_the_relational_layer_exactly() {
    let test_db = TestDb::new().await;
    let mut client = test_db.client().await;
    let p = unique_prefix("rl");
    let r = |name: &str| format!("{p}{name}");
    let pg15 = client
        .query_one("SHOW server_version_num", &[])
        .await
        .unwrap()
        .get::<_, String>(0)
        .parse::<i32>()
        .unwrap()
        >= 150000;
    // NULLS NOT DISTINCT exists from PostgreSQL 15 on.
    let scenario = if pg15 {
        RELATIONAL_SCENARIO.to_owned()
    } else {
        RELATIONAL_SCENARIO.replace("UNIQUE NULLS NOT DISTINCT", "UNIQUE")
    };
    client
        .batch_execute(&scenario.replace("{p}", &p))
        .await
        .unwrap();
    let extension_version: Option<String> = client
        .query_one(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'pgcrypto'",
            &[],
        )
        .await
        .ok()
        .map(|row| row.get(0));
    match &extension_version {
        // Its functions land in `ref` and must not show up as unmanaged objects.
        Some(_) => client
            .batch_execute(
                "CREATE EXTENSION pgcrypto SCHEMA ref;
                 COMMENT ON EXTENSION pgcrypto IS 'hashes'",
            )
            .await
            .unwrap(),
        None => eprintln!("pgcrypto is not installed: the extension is not checked"),
    }

    let catalog = introspect::snapshot(&mut client).await.unwrap();
    let me = catalog.server.as_ref().unwrap().current_user.clone();

    // app.items: every column feature.
    let items = &catalog.tables[&qn("app", "items")];
    let expected_columns = vec![
        Column {
            not_null: true,
            identity: identity(
                IdentityKind::ByDefault,
                SequenceOptions {
                    start: Some(100),
                    increment: Some(10),
                    cache: Some(20),
                    ..SequenceOptions::default()
                },
            ),
            acl: acl(&[(&r("auditor"), &[(Privilege::References, true)])]),
            // The sequence the identity holds (its name is taken until it is dropped).
            identity_sequence: Some(QualifiedName::new("app", "items_id_seq")),
            ..Column::new("id", "bigint")
        },
        Column {
            not_null: true,
            default: some("nextval('app.items_serial_no_seq'::regclass)"),
            ..Column::new("serial_no", "integer")
        },
        Column {
            collation: some("\"C\""),
            not_null: true,
            comment: some("item name"),
            acl: acl(&[
                ("PUBLIC", &[(Privilege::Select, false)]),
                (&r("app"), &[(Privilege::Select, false)]),
            ]),
            ..Column::new("name", "character varying(50)")
        },
        Column {
            default: some("0"),
            acl: acl(&[(
                &r("app"),
                &[(Privilege::Select, false), (Privilege::Update, false)],
            )]),
            ..Column::new("price", "numeric(10,2)")
        },
        Column {
            not_null: true,
            default: some("now()"),
            ..Column::new("created_at", "timestamp(3) with time zone")
        },
        Column {
            default: some("CURRENT_TIMESTAMP"),
            ..Column::new("updated_at", "timestamp with time zone")
        },
        Column {
            default: some("'{}'::jsonb"),
            ..Column::new("meta", "jsonb")
        },
        Column {
            default: some("'{}'::text[]"),
            ..Column::new("tags", "text[]")
        },
        Column {
            default: some("'ok'::app.mood"),
            ..Column::new("mood", "app.mood")
        },
        // A domain's own default and collation are the domain's, not the column's.
        Column::new("qty", "app.posint"),
        Column::new("sku", "app.code"),
        Column {
            default: some("nextval('app.counter'::regclass)"),
            ..Column::new("counter_val", "integer")
        },
        Column {
            generated: some("(price * (2)::numeric)"),
            ..Column::new("total", "numeric")
        },
        Column::new("parent_id", "bigint"),
        Column::new("parent_code", "text"),
        Column::new("Weird Key", "integer"),
        Column::new("during", "tsrange"),
        Column::new("email", "text"),
    ];
    assert_eq!(items.columns, expected_columns);

    let expected_constraints = BTreeMap::from([
        constraint(
            "items_pkey",
            ConstraintKind::PrimaryKey {
                columns: strings(&["id"]),
                include: strings(&["name"]),
            },
        ),
        constraint(
            "items_name_key",
            ConstraintKind::Unique {
                columns: strings(&["name", "email"]),
                include: Vec::new(),
                nulls_not_distinct: pg15,
            },
        ),
        {
            let (name, mut c) = constraint(
                "items_parent_fk",
                ConstraintKind::ForeignKey {
                    columns: strings(&["parent_id"]),
                    references: qn("ref", "parent"),
                    referenced_columns: strings(&["id"]),
                    on_update: ForeignKeyAction::SetNull,
                    on_delete: ForeignKeyAction::Cascade,
                    match_full: false,
                },
            );
            c.deferrable = true;
            c.initially_deferred = true;
            (name, c)
        },
        {
            let (name, mut c) = constraint(
                "items_parent_code_fk",
                ConstraintKind::ForeignKey {
                    columns: strings(&["parent_code"]),
                    references: qn("ref", "parent"),
                    referenced_columns: strings(&["code"]),
                    on_update: ForeignKeyAction::NoAction,
                    on_delete: ForeignKeyAction::Restrict,
                    match_full: true,
                },
            );
            c.deferrable = true;
            (name, c)
        },
        constraint(
            "items_weird_fk",
            ConstraintKind::ForeignKey {
                columns: strings(&["Weird Key"]),
                references: qn("My Schema", "Weird Table"),
                referenced_columns: strings(&["Key"]),
                on_update: ForeignKeyAction::NoAction,
                on_delete: ForeignKeyAction::NoAction,
                match_full: false,
            },
        ),
        {
            let (name, mut c) = constraint(
                "items_price_check",
                ConstraintKind::Check {
                    expression: "((price >= (0)::numeric) AND ((name)::text = ANY \
                                 ((ARRAY['a'::character varying, 'b'::character varying, \
                                 'c'::character varying])::text[])))"
                        .to_string(),
                    no_inherit: true,
                },
            );
            c.comment = some("only a, b or c");
            (name, c)
        },
        constraint(
            "items_no_overlap",
            ConstraintKind::Exclusion {
                method: "gist".to_string(),
                elements: vec![
                    ExclusionElement {
                        column: some("during"),
                        expression: None,
                        operator: "&&".to_string(),
                    },
                    ExclusionElement {
                        column: None,
                        expression: some("int4range(counter_val, counter_val, '[]'::text)"),
                        operator: "&&".to_string(),
                    },
                ],
                predicate: some("(price > (0)::numeric)"),
            },
        ),
    ]);
    assert_eq!(items.constraints, expected_constraints);

    // Indexes that back a constraint are part of it, not listed here.
    let expected_indexes: BTreeMap<String, Index> = [
        Index {
            predicate: some("(price > (100)::numeric)"),
            comment: some("expensive ones"),
            ..index("items_partial", "btree", vec![key_column("created_at")])
        },
        index(
            "items_lower_email",
            "btree",
            vec![key_expression("lower(email)")],
        ),
        // As pg_get_indexdef prints one key: parentheses around what is not a call.
        index(
            "items_double",
            "btree",
            vec![key_expression("(price * 2::numeric)"), key_column("id")],
        ),
        Index {
            unique: true,
            include: strings(&["email"]),
            with: BTreeMap::from([("fillfactor".to_string(), "70".to_string())]),
            ..index(
                "items_desc",
                "btree",
                vec![
                    IndexKey {
                        descending: true,
                        nulls_first: Some(false),
                        ..key_column("created_at")
                    },
                    IndexKey {
                        nulls_first: Some(true),
                        ..key_column("price")
                    },
                ],
            )
        },
        index(
            "items_pattern",
            "btree",
            vec![
                IndexKey {
                    opclass: some("text_pattern_ops"),
                    ..key_column("email")
                },
                IndexKey {
                    collation: some("\"POSIX\""),
                    ..key_column("name")
                },
            ],
        ),
        // varchar and a domain over varchar use text_ops, their default (binary
        // compatible); the key collation is the column's.
        index(
            "items_by_name",
            "btree",
            vec![key_column("name"), key_column("sku")],
        ),
        index("items_tags", "gin", vec![key_column("tags")]),
        Index {
            with: BTreeMap::from([("pages_per_range".to_string(), "16".to_string())]),
            ..index("items_brin", "brin", vec![key_column("created_at")])
        },
    ]
    .into_iter()
    .map(|i| (i.name.clone(), i))
    .collect();
    assert_eq!(items.indexes, expected_indexes);

    assert!(items.row_level_security && items.force_row_level_security);
    assert_eq!(
        items.policies,
        BTreeMap::from([
            (
                "items_read".to_string(),
                Policy {
                    name: "items_read".to_string(),
                    permissive: true,
                    command: "SELECT".to_string(),
                    roles: vec![r("app"), r("auditor")],
                    using: some("(price > (0)::numeric)"),
                    with_check: None,
                    comment: some("readers"),
                }
            ),
            (
                "items_write".to_string(),
                Policy {
                    name: "items_write".to_string(),
                    permissive: false,
                    command: "UPDATE".to_string(),
                    roles: strings(&["PUBLIC"]),
                    using: some("true"),
                    with_check: some("(mood <> 'sad'::app.mood)"),
                    comment: None,
                }
            ),
        ])
    );
    assert_eq!(
        items.triggers,
        BTreeMap::from([(
            "items_touch".to_string(),
            Trigger {
                name: "items_touch".to_string(),
                timing: TriggerTiming::Before,
                events: vec![TriggerEvent::Update],
                update_columns: strings(&["price", "name"]),
                for_each_row: true,
                when: some("old.price IS DISTINCT FROM new.price"),
                function: qn("app", "touch"),
                arguments: strings(&["a", "b c"]),
                constraint: None,
                old_table: None,
                new_table: None,
                enabled: TriggerEnabled::Disabled,
                comment: some("touches"),
            }
        )])
    );
    let events = &catalog.tables[&qn("app", "events")];
    assert_eq!(
        events.triggers.keys().collect::<Vec<_>>(),
        ["events_log", "events_row"]
    );
    assert_eq!(
        events.triggers["events_log"].new_table.as_deref(),
        Some("added")
    );
    assert!(!events.triggers["events_log"].for_each_row);
    for partition in ["events_2024", "events_default"] {
        assert!(catalog.tables[&qn("app", partition)].triggers.is_empty());
    }
    assert_eq!(items.comment.as_deref(), Some("the items"));
    assert!(!items.unlogged);
    assert_eq!((&items.partition_by, &items.partition_of), (&None, &None));
    assert_eq!(items.renamed_from, None);

    // ref.parent: identity with PostgreSQL's defaults, primary key and unique.
    assert_eq!(
        catalog.tables[&qn("ref", "parent")],
        Table {
            columns: vec![
                Column {
                    not_null: true,
                    identity: identity(IdentityKind::Always, SequenceOptions::default()),
                    identity_sequence: Some(QualifiedName::new("ref", "parent_id_seq")),
                    ..Column::new("id", "bigint")
                },
                Column {
                    not_null: true,
                    ..Column::new("code", "text")
                },
            ],
            constraints: BTreeMap::from([
                constraint(
                    "parent_pkey",
                    ConstraintKind::PrimaryKey {
                        columns: strings(&["id"]),
                        include: Vec::new(),
                    },
                ),
                constraint(
                    "parent_code_key",
                    ConstraintKind::Unique {
                        columns: strings(&["code"]),
                        include: Vec::new(),
                        nulls_not_distinct: false,
                    },
                ),
            ]),
            ..Table::new(qn("ref", "parent"))
        }
    );
    assert_eq!(
        catalog.tables[&qn("My Schema", "Weird Table")].constraints,
        BTreeMap::from([constraint(
            "Weird Table_pkey",
            ConstraintKind::PrimaryKey {
                columns: strings(&["Key"]),
                include: Vec::new(),
            },
        )])
    );

    // A partitioned table and its partitions: a partition lists neither columns (its
    // parent's) nor what PostgreSQL copies from the parent (primary key, attached
    // indexes), only what was declared on it.
    assert_eq!(
        // Its triggers are checked with the items' above.
        Table {
            triggers: BTreeMap::new(),
            ..catalog.tables[&qn("app", "events")].clone()
        },
        Table {
            columns: vec![
                Column {
                    not_null: true,
                    ..Column::new("id", "bigint")
                },
                Column {
                    not_null: true,
                    ..Column::new("at", "date")
                },
                Column::new("payload", "jsonb"),
            ],
            constraints: BTreeMap::from([constraint(
                "events_pkey",
                ConstraintKind::PrimaryKey {
                    columns: strings(&["id", "at"]),
                    include: Vec::new(),
                },
            )]),
            indexes: BTreeMap::from([(
                "events_at".to_string(),
                index("events_at", "btree", vec![key_column("at")]),
            )]),
            partition_by: some("RANGE (at)"),
            ..Table::new(qn("app", "events"))
        }
    );
    assert_eq!(
        catalog.tables[&qn("app", "events_2024")],
        Table {
            partition_of: Some(PartitionOf {
                parent: qn("app", "events"),
                bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')".to_string(),
            }),
            ..Table::new(qn("app", "events_2024"))
        }
    );
    assert_eq!(
        catalog.tables[&qn("app", "events_default")],
        Table {
            indexes: BTreeMap::from([(
                "events_default_payload".to_string(),
                index("events_default_payload", "gin", vec![key_column("payload")]),
            )]),
            partition_of: Some(PartitionOf {
                parent: qn("app", "events"),
                bound: "DEFAULT".to_string(),
            }),
            ..Table::new(qn("app", "events_default"))
        }
    );
    assert_eq!(
        catalog.tables[&qn("app", "scratch")],
        Table {
            unlogged: true,
            columns: vec![Column::new("k", "text"), Column::new("v", "integer")],
            ..Table::new(qn("app", "scratch"))
        }
    );
    // Views, materialized views and extension members are not tables.
    assert_eq!(
        catalog.tables.keys().cloned().collect::<Vec<_>>(),
        [
            qn("My Schema", "Weird Table"),
            qn("app", "events"),
            qn("app", "events_2024"),
            qn("app", "events_default"),
            qn("app", "items"),
            qn("app", "scratch"),
            qn("ref", "parent"),
        ]
    );

    // Sequences: not the identity columns' (they are part of the column).
    let sequence = |schema: &str, name: &str, data_type: &str, options: SequenceOptions| {
        (
            qn(schema, name),
            Sequence {
                name: qn(schema, name),
                owner: None,
                data_type: data_type.to_string(),
                options,
                owned_by: None,
                comment: None,
            },
        )
    };
    let mut expected_sequences = BTreeMap::from([
        sequence(
            "app",
            "counter",
            "integer",
            SequenceOptions {
                start: Some(20),
                increment: Some(5),
                min_value: Some(10),
                max_value: Some(100_000),
                cache: Some(10),
                cycle: true,
            },
        ),
        sequence("app", "plain", "bigint", SequenceOptions::default()),
        sequence(
            "app",
            "down",
            "bigint",
            SequenceOptions {
                increment: Some(-1),
                ..SequenceOptions::default()
            },
        ),
        sequence(
            "app",
            "items_serial_no_seq",
            "integer",
            SequenceOptions::default(),
        ),
    ]);
    if let Some(s) = expected_sequences.get_mut(&qn("app", "counter")) {
        s.comment = some("a counter");
    }
    if let Some(s) = expected_sequences.get_mut(&qn("app", "items_serial_no_seq")) {
        s.owned_by = Some((qn("app", "items"), "serial_no".to_string()));
    }
    assert_eq!(catalog.sequences, expected_sequences);

    // Types.
    assert_eq!(
        catalog.enums,
        BTreeMap::from([(
            qn("app", "mood"),
            EnumType {
                name: qn("app", "mood"),
                owner: Some(me.clone()),
                values: strings(&["sad", "ok", "happy"]),
                comment: some("feelings"),
                acl: Some(usage(Grantee::Public)),
            }
        )])
    );
    assert_eq!(
        catalog.domains,
        BTreeMap::from([
            (
                qn("app", "code"),
                Domain {
                    name: qn("app", "code"),
                    owner: Some(me.clone()),
                    base_type: "character varying(10)".to_string(),
                    collation: some("\"C\""),
                    not_null: false,
                    default: None,
                    checks: BTreeMap::new(),
                    comment: None,
                    acl: Some(usage(Grantee::Role(r("app")))),
                }
            ),
            (
                qn("app", "posint"),
                Domain {
                    name: qn("app", "posint"),
                    owner: Some(me.clone()),
                    base_type: "integer".to_string(),
                    collation: None,
                    not_null: true,
                    default: some("1"),
                    checks: BTreeMap::from([
                        ("posint_positive".to_string(), "(VALUE > 0)".to_string()),
                        ("posint_small".to_string(), "(VALUE < 1000000)".to_string()),
                    ]),
                    comment: some("positive"),
                    acl: Some(usage(Grantee::Public)),
                }
            ),
        ])
    );

    // Extensions (plpgsql is always there and left out).
    let expected_extensions = match &extension_version {
        Some(version) => BTreeMap::from([(
            "pgcrypto".to_string(),
            Extension {
                name: "pgcrypto".to_string(),
                schema: some("ref"),
                version: Some(version.clone()),
                comment: some("hashes"),
                // Installed at its default version, the newest: nowhere to update to.
                update_targets: Vec::new(),
                owner: Some(me.clone()),
            },
        )]),
        None => BTreeMap::new(),
    };
    assert_eq!(catalog.extensions, expected_extensions);

    // Collations, composite and range types.
    let collation = &catalog.collations[&qn("app", "bytes")];
    assert_eq!(
        (
            collation.provider,
            collation.locale.as_deref(),
            collation.lc_collate.as_deref(),
            collation.lc_ctype.as_deref(),
            collation.deterministic,
            collation.comment.as_deref(),
        ),
        (
            CollationProvider::Libc,
            None,
            Some("C"),
            Some("C"),
            true,
            Some("bytewise")
        )
    );
    let pair = &catalog.composite_types[&qn("app", "pair")];
    let attribute = |name: &str, type_name: &str, collation: Option<&str>| Attribute {
        name: name.into(),
        type_name: type_name.into(),
        collation: collation.map(str::to_string),
    };
    assert_eq!(
        pair.attributes,
        [
            attribute("a", "integer", None),
            attribute("b", "text", Some("app.bytes")),
            attribute("c", "character varying(3)[]", None),
        ]
    );
    assert_eq!(pair.comment.as_deref(), Some("two"));
    let floats = &catalog.range_types[&qn("app", "floatrange")];
    assert_eq!(floats.subtype, "double precision");
    assert_eq!(floats.subtype_diff.as_deref(), Some("float8mi"));
    assert_eq!(
        (
            &floats.subtype_opclass,
            &floats.collation,
            &floats.canonical
        ),
        (&None, &None, &None)
    );
    assert_eq!(floats.multirange, qn("app", "floatmultirange"));
    let texts = &catalog.range_types[&qn("app", "textrange")];
    assert_eq!(texts.subtype_opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(texts.collation.as_deref(), Some("\"C\""));
    assert_eq!(texts.multirange, qn("app", "texts"));

    // Unmanaged objects, sorted; not the range type's constructors, not the
    // extension's functions.
    let unmanaged = |kind: &str, name: &str| UnmanagedObject {
        kind: kind.to_string(),
        schema: "app".to_string(),
        name: name.to_string(),
    };
    assert_eq!(
        catalog.unmanaged,
        [
            unmanaged("aggregate", "total(integer)"),
            unmanaged("function", "touch()"),
            unmanaged("function", "touch_count()"),
            unmanaged("rule", "scratch_notify on app.scratch"),
        ]
    );
    let vt = &catalog.views[&qn("app", "v_items")].triggers["v_items_insert"];
    assert_eq!(
        (vt.timing, &vt.events, vt.for_each_row),
        (TriggerTiming::InsteadOf, &vec![TriggerEvent::Insert], true)
    );
    assert_eq!(vt.function, qn("app", "touch"));
    assert_eq!(vt.comment.as_deref(), Some("inserts"));

    // Views: the qualified definition, and what they read, column by column.
    let v = &catalog.views[&qn("app", "v_items")];
    // PostgreSQL 16 stopped qualifying the columns of a query over one relation.
    let expected = if catalog.server.as_ref().unwrap().version_num >= 160000 {
        "SELECT id,\n    name\n   FROM app.items"
    } else {
        "SELECT items.id,\n    items.name\n   FROM app.items"
    };
    assert_eq!(v.definition, expected);
    assert_eq!(
        v.reads,
        [
            (qn("app", "items"), some("id")),
            (qn("app", "items"), some("name")),
        ]
    );
    assert!(v.calls.is_empty() && v.indexes.is_empty());
    assert!(catalog.views[&qn("app", "mv")].materialized);
    // A range constructor belongs to its type: not a routine the view calls.
    let calls: Vec<String> = catalog.views[&qn("app", "v_calls")]
        .calls
        .iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(calls, ["app.touch_count()"]);
}

#[tokio::test]
async fn reading_outside_a_transaction_is_refused() {
    let test_db = TestDb::new().await;
    let client = test_db.client().await;
    // Each statement would be its own transaction: the empty search_path set for the
    // read would not last, and names would come back unqualified.
    let error = introspect::read_catalog(&client).await.unwrap_err();
    assert!(
        matches!(error, introspect::IntrospectError::NotInTransaction),
        "{error:?}"
    );
}
