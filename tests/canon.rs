//! `canon` against a real PostgreSQL: for every classic source of never-ending diffs, the
//! desired state written the way people write it canonicalises to exactly what
//! introspection reads once the same text has been applied.
//!
//! Each case creates its objects with the raw text in one database and introspects it,
//! then canonicalises the raw desired state twice: on an empty database (everything is
//! created from scratch, types and sequences included) and on the database that holds
//! the objects (the scratch copies sit next to the live ones). All three must agree.

mod common;

use common::TestDb;
use common::qn;
use pgrecon::canon::{self, CanonError};
use pgrecon::introspect;
use pgrecon::model::*;

fn col(name: &str, ty: &str) -> Column {
    Column::new(name, ty)
}

trait ColumnExt {
    fn default(self, d: &str) -> Self;
    fn not_null(self) -> Self;
    fn collate(self, c: &str) -> Self;
    fn generated(self, g: &str) -> Self;
    fn identity(self, kind: IdentityKind, options: SequenceOptions) -> Self;
}

impl ColumnExt for Column {
    fn default(mut self, d: &str) -> Self {
        self.default = Some(d.into());
        self
    }
    fn not_null(mut self) -> Self {
        self.not_null = true;
        self
    }
    fn collate(mut self, c: &str) -> Self {
        self.collation = Some(c.into());
        self
    }
    fn generated(mut self, g: &str) -> Self {
        self.generated = Some(g.into());
        self
    }
    fn identity(mut self, kind: IdentityKind, options: SequenceOptions) -> Self {
        self.identity = Some(Identity { kind, options });
        self
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    let mut t = Table::new(qn(name));
    t.columns = columns;
    t
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

fn check(name: &str, expression: &str) -> (String, Constraint) {
    constraint(
        name,
        ConstraintKind::Check {
            expression: expression.into(),
            no_inherit: false,
        },
    )
}

fn key_column(c: &str) -> IndexKey {
    IndexKey {
        column: Some(c.into()),
        expression: None,
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: None,
    }
}

fn key_expression(x: &str) -> IndexKey {
    IndexKey {
        column: None,
        expression: Some(x.into()),
        ..key_column("")
    }
}

fn index(name: &str, keys: Vec<IndexKey>) -> (String, Index) {
    (
        name.to_string(),
        Index {
            name: name.to_string(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "btree".into(),
            keys,
            include: Vec::new(),
            predicate: None,
            with: Default::default(),
            concurrently: false,
            valid: true,
            comment: None,
        },
    )
}

/// A desired catalog with the given schemas declared.
fn catalog(schemas: &[&str]) -> Catalog {
    let mut c = Catalog::default();
    for s in schemas {
        c.schemas.insert(s.to_string(), Schema::new(*s));
    }
    c
}

fn add_table(c: &mut Catalog, t: Table) {
    c.tables.insert(t.name.clone(), t);
}

async fn canonical_on(db: &TestDb, desired: &Catalog) -> Catalog {
    let mut client = db.client().await;
    canon::in_scratch_transaction(&mut client, desired)
        .await
        .unwrap_or_else(|e| panic!("canonicalize failed: {e}"))
}

/// Runs `sql` in a fresh database, introspects it, and checks that the raw `desired`
/// canonicalises to what was read, on an empty database and on that one. Returns the
/// live catalog.
async fn assert_canonical(sql: &str, desired: &Catalog) -> Catalog {
    let live_db = TestDb::new().await;
    live_db.exec(sql).await;
    let mut client = live_db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");

    let empty_db = TestDb::new().await;
    let from_empty = canonical_on(&empty_db, desired).await;
    let next_to_live = canonical_on(&live_db, desired).await;
    for (label, canonical) in [
        ("empty database", &from_empty),
        ("live database", &next_to_live),
    ] {
        for name in desired.tables.keys() {
            let mut live_t = live
                .tables
                .get(name)
                .unwrap_or_else(|| panic!("table {name} was not introspected"))
                .clone();
            // Live only: which sequence an identity holds is not declared.
            for c in &mut live_t.columns {
                c.identity_sequence = None;
            }
            assert_eq!(
                canonical.tables[name], live_t,
                "table {name} canonicalised on the {label} differs from the live table"
            );
        }
        for name in desired.domains.keys() {
            // The owner is not canonical text: it is whoever created the domain.
            let live_domain = Domain {
                owner: canonical.domains[name].owner.clone(),
                acl: canonical.domains[name].acl.clone(),
                ..live.domains[name].clone()
            };
            assert_eq!(
                canonical.domains[name], live_domain,
                "domain {name} ({label})"
            );
        }
        for name in desired.sequences.keys() {
            assert_eq!(
                &canonical.sequences[name], &live.sequences[name],
                "sequence {name} ({label})"
            );
        }
    }
    // Canonical text is a fixed point: canonicalising it again changes nothing.
    let again = canonical_on(&live_db, &from_empty).await;
    assert_eq!(
        again.tables, from_empty.tables,
        "canonical tables are a fixed point"
    );
    live
}

#[tokio::test]
async fn type_aliases_become_format_type_names() {
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.t",
            vec![
                col("a", "int4"),
                col("b", "int8"),
                col("c", "bool"),
                col("d", "float8"),
                col("e", "varchar(20)"),
                col("f", "numeric(10,2)"),
                col("g", "timestamptz"),
                col("h", "timestamptz(3)"),
                col("i", "time(0)"),
                col("j", "int[]"),
                col("k", "TEXT[][]"),
                col("l", "decimal"),
                col("m", "character varying"),
                col("n", "\"char\""),
                col("o", "bit varying(5)"),
                col("p", "interval day to second(2)"),
                col("q", "timestamp without time zone"),
            ],
        ),
    );
    let live = assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (a int4, b int8, c bool, d float8, e varchar(20),
             f numeric(10,2), g timestamptz, h timestamptz(3), i time(0), j int[],
             k TEXT[][], l decimal, m character varying, n \"char\", o bit varying(5),
             p interval day to second(2), q timestamp without time zone);",
        &d,
    )
    .await;
    let types: Vec<&str> = live.tables[&qn("general.t")]
        .columns
        .iter()
        .map(|c| c.type_name.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "integer",
            "bigint",
            "boolean",
            "double precision",
            "character varying(20)",
            "numeric(10,2)",
            "timestamp with time zone",
            "timestamp(3) with time zone",
            "time(0) without time zone",
            "integer[]",
            "text[]",
            "numeric",
            "character varying",
            "\"char\"",
            "bit varying(5)",
            "interval day to second(2)",
            "timestamp without time zone",
        ]
    );
}

#[tokio::test]
async fn defaults_keep_what_postgresql_keeps_apart() {
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.t",
            vec![
                col("doc", "jsonb").default("'{}'").not_null(),
                col("tags", "text[]").default("'{}'"),
                col("created_at", "timestamptz").default("now()"),
                col("updated_at", "timestamptz").default("CURRENT_TIMESTAMP"),
                col("day", "date").default("current_date"),
                col("n", "numeric").default("1.50"),
                col("label", "varchar(10)").default("'x'"),
                col("state", "text").default("'new'::text"),
                col("big", "bigint").default("-1"),
                col("flag", "boolean").default("false"),
                col("span", "interval").default("'1 day'"),
                col("uid", "text").default("current_user"),
            ],
        ),
    );
    let live = assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (doc jsonb NOT NULL DEFAULT '{}', tags text[] DEFAULT '{}',
             created_at timestamptz DEFAULT now(),
             updated_at timestamptz DEFAULT CURRENT_TIMESTAMP, day date DEFAULT current_date,
             n numeric DEFAULT 1.50, label varchar(10) DEFAULT 'x',
             state text DEFAULT 'new'::text, big bigint DEFAULT -1, flag boolean DEFAULT false,
             span interval DEFAULT '1 day', uid text DEFAULT current_user);",
        &d,
    )
    .await;
    let t = &live.tables[&qn("general.t")];
    assert_eq!(
        t.column("doc").unwrap().default.as_deref(),
        Some("'{}'::jsonb")
    );
    assert_eq!(
        t.column("created_at").unwrap().default.as_deref(),
        Some("now()")
    );
    assert_eq!(
        t.column("updated_at").unwrap().default.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
}

#[tokio::test]
async fn checks_are_deparsed_like_the_server_stores_them() {
    let mut d = catalog(&["general"]);
    let mut t = table(
        "general.t",
        vec![col("status", "text"), col("n", "int"), col("body", "text")],
    );
    t.constraints.extend([
        check("t_status_check", "status IN ('a', 'b')"),
        check("t_n_check", "n between 1 and 10"),
        check("t_body_check", "length(body) > 0 AND body <> ''"),
    ]);
    add_table(&mut d, t);
    let live = assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (status text, n int, body text,
             CONSTRAINT t_status_check CHECK (status IN ('a', 'b')),
             CONSTRAINT t_n_check CHECK (n between 1 and 10),
             CONSTRAINT t_body_check CHECK (length(body) > 0 AND body <> ''));",
        &d,
    )
    .await;
    let t = &live.tables[&qn("general.t")];
    let ConstraintKind::Check { expression, .. } = &t.constraints["t_status_check"].kind else {
        panic!("not a check");
    };
    assert!(expression.contains("= ANY (ARRAY["), "{expression}");
}

#[tokio::test]
async fn enum_domain_and_sequence_references_come_out_qualified() {
    let mut d = catalog(&["general"]);
    d.enums.insert(
        qn("general.mood"),
        EnumType {
            name: qn("general.mood"),
            owner: None,
            values: vec!["sad".into(), "ok".into(), "happy".into()],
            comment: None,
            acl: None,
        },
    );
    d.domains.insert(
        qn("general.email"),
        Domain {
            name: qn("general.email"),
            owner: None,
            base_type: "varchar(200)".into(),
            collation: None,
            not_null: false,
            default: None,
            checks: [("email_check".to_string(), "VALUE ~ '@'".to_string())].into(),
            comment: None,
            acl: None,
        },
    );
    d.sequences.insert(
        qn("general.t_id_seq"),
        Sequence {
            name: qn("general.t_id_seq"),
            owner: None,
            data_type: "int4".into(),
            options: SequenceOptions {
                start: Some(1),
                increment: Some(1),
                ..Default::default()
            },
            owned_by: None,
            comment: None,
        },
    );
    add_table(
        &mut d,
        table(
            "general.t",
            vec![
                col("id", "int").default("nextval('t_id_seq')").not_null(),
                col("mood", "mood").default("'ok'"),
                col("moods", "general.mood[]"),
                col("email", "email"),
            ],
        ),
    );
    let live = assert_canonical(
        "CREATE SCHEMA general;
         SET search_path = general;
         CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE DOMAIN email AS varchar(200) CONSTRAINT email_check CHECK (VALUE ~ '@');
         CREATE SEQUENCE t_id_seq AS int4 START 1 INCREMENT 1;
         CREATE TABLE t (id int NOT NULL DEFAULT nextval('t_id_seq'), mood mood DEFAULT 'ok',
             moods general.mood[], email email);
         RESET search_path;",
        &d,
    )
    .await;
    let t = &live.tables[&qn("general.t")];
    assert_eq!(
        t.column("id").unwrap().default.as_deref(),
        Some("nextval('general.t_id_seq'::regclass)")
    );
    assert_eq!(t.column("mood").unwrap().type_name, "general.mood");
    assert_eq!(t.column("email").unwrap().type_name, "general.email");
}

#[tokio::test]
async fn new_enum_labels_can_be_used_before_they_exist() {
    // The live enum lacks `happy`; the desired default uses it.
    let mut d = catalog(&["general"]);
    d.enums.insert(
        qn("general.mood"),
        EnumType {
            name: qn("general.mood"),
            owner: None,
            values: vec!["sad".into(), "happy".into()],
            comment: None,
            acl: None,
        },
    );
    add_table(
        &mut d,
        table("general.t", vec![col("mood", "mood").default("'happy'")]),
    );
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA general; CREATE TYPE general.mood AS ENUM ('sad');
         CREATE TABLE general.t (mood general.mood);",
    )
    .await;
    let c = canonical_on(&db, &d).await;
    assert_eq!(
        c.tables[&qn("general.t")].columns[0].default.as_deref(),
        Some("'happy'::general.mood")
    );
}

#[tokio::test]
async fn collations_identity_and_generated_columns() {
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.t",
            vec![
                col("id", "bigint").not_null().identity(
                    IdentityKind::Always,
                    SequenceOptions {
                        start: Some(1),
                        increment: Some(1),
                        cache: Some(1),
                        ..Default::default()
                    },
                ),
                col("id2", "int").not_null().identity(
                    IdentityKind::ByDefault,
                    SequenceOptions {
                        start: Some(100),
                        ..Default::default()
                    },
                ),
                col("name", "text").collate("C"),
                col("name2", "varchar(20)").collate("pg_catalog.\"POSIX\""),
                col("a", "int"),
                col("twice", "int").generated("a*2"),
            ],
        ),
    );
    assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (id bigint GENERATED ALWAYS AS IDENTITY,
             id2 int GENERATED BY DEFAULT AS IDENTITY (START 100),
             name text COLLATE \"C\", name2 varchar(20) COLLATE \"POSIX\", a int,
             twice int GENERATED ALWAYS AS (a * 2) STORED);",
        &d,
    )
    .await;
}

#[tokio::test]
async fn indexes_keys_predicates_opclasses_and_storage() {
    let mut d = catalog(&["general"]);
    let mut t = table(
        "general.t",
        vec![
            col("email", "text"),
            col("created_at", "timestamptz"),
            col("deleted_at", "timestamptz"),
            col("status", "text"),
            col("doc", "jsonb"),
        ],
    );
    let mut desc = key_column("created_at");
    desc.descending = true;
    desc.nulls_first = Some(false);
    let mut pattern = key_column("email");
    pattern.opclass = Some("text_pattern_ops".into());
    let mut collated = key_column("status");
    collated.collation = Some("C".into());
    let (n1, mut i1) = index("t_lower_email", vec![key_expression("lower(email)")]);
    i1.unique = true;
    i1.predicate = Some("deleted_at is null".into());
    let (n2, i2) = index("t_created", vec![desc]);
    let (n3, mut i3) = index("t_pattern", vec![pattern, collated]);
    i3.with.insert("fillfactor".into(), "70".into());
    let (n4, mut i4) = index("t_doc", vec![key_column("doc")]);
    i4.method = "GIN".into();
    let (n5, mut i5) = index("t_status", vec![key_column("status")]);
    i5.predicate = Some("status in ('a','b')".into());
    i5.include = vec!["email".into()];
    t.indexes
        .extend([(n1, i1), (n2, i2), (n3, i3), (n4, i4), (n5, i5)]);
    add_table(&mut d, t);
    assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (email text, created_at timestamptz, deleted_at timestamptz,
             status text, doc jsonb);
         CREATE UNIQUE INDEX t_lower_email ON general.t (lower(email)) WHERE deleted_at is null;
         CREATE INDEX t_created ON general.t (created_at DESC NULLS LAST);
         CREATE INDEX t_pattern ON general.t (email text_pattern_ops, status COLLATE \"C\")
             WITH (fillfactor = 70);
         CREATE INDEX t_doc ON general.t USING GIN (doc);
         CREATE INDEX t_status ON general.t (status) INCLUDE (email)
             WHERE status in ('a','b');",
        &d,
    )
    .await;
}

#[tokio::test]
async fn exclusion_constraints_and_policies() {
    let mut d = catalog(&["general"]);
    let mut t = table(
        "general.booking",
        vec![
            col("room", "int"),
            col("during", "tsrange"),
            col("owner_name", "text"),
        ],
    );
    t.constraints.extend([constraint(
        "booking_no_overlap",
        ConstraintKind::Exclusion {
            method: "gist".into(),
            elements: vec![ExclusionElement {
                column: Some("during".into()),
                expression: None,
                operator: "&&".into(),
            }],
            predicate: Some("room > 0".into()),
        },
    )]);
    t.row_level_security = true;
    t.policies.insert(
        "own_rows".into(),
        Policy {
            name: "own_rows".into(),
            permissive: true,
            command: "SELECT".into(),
            roles: vec!["PUBLIC".into()],
            using: Some("owner_name = current_user".into()),
            with_check: None,
            comment: None,
        },
    );
    t.policies.insert(
        "insert_rooms".into(),
        Policy {
            name: "insert_rooms".into(),
            permissive: false,
            command: "INSERT".into(),
            roles: vec!["PUBLIC".into()],
            using: None,
            with_check: Some("room in (1, 2, 3)".into()),
            comment: None,
        },
    );
    add_table(&mut d, t);
    assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.booking (room int, during tsrange, owner_name text,
             CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (room > 0));
         ALTER TABLE general.booking ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_rows ON general.booking FOR SELECT
             USING (owner_name = current_user);
         CREATE POLICY insert_rooms ON general.booking AS RESTRICTIVE FOR INSERT
             WITH CHECK (room in (1, 2, 3));",
        &d,
    )
    .await;
}

#[tokio::test]
async fn partition_keys_and_bounds() {
    let mut d = catalog(&["general"]);
    let mut parent = table(
        "general.events",
        vec![
            col("id", "int8").not_null(),
            col("at", "timestamptz").not_null(),
            col("kind", "text"),
        ],
    );
    parent.partition_by = Some("range (at)".into());
    add_table(&mut d, parent);
    for (name, bound) in [
        (
            "general.events_2022_01",
            "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')",
        ),
        (
            "general.events_2022_02",
            "for values from ('2022-02-01 00:00:00+00') to ('2022-03-01 01:00:00+01')",
        ),
        ("general.events_default", "default"),
    ] {
        // A partition's columns are its parent's.
        let mut p = table(name, vec![]);
        p.partition_of = Some(PartitionOf {
            parent: qn("general.events"),
            bound: bound.into(),
        });
        add_table(&mut d, p);
    }
    let mut lists = table(
        "general.by_kind",
        vec![col("kind", "text"), col("n", "int")],
    );
    lists.partition_by = Some("LIST (lower(kind))".into());
    add_table(&mut d, lists);
    let mut ab = table("general.by_kind_ab", vec![]);
    ab.partition_of = Some(PartitionOf {
        parent: qn("general.by_kind"),
        bound: "FOR VALUES IN ('a', 'b')".into(),
    });
    add_table(&mut d, ab);
    assert_canonical(
        "CREATE SCHEMA general;
         SET TimeZone = 'UTC';
         CREATE TABLE general.events (id int8 NOT NULL, at timestamptz NOT NULL, kind text)
             PARTITION BY range (at);
         CREATE TABLE general.events_2022_01 PARTITION OF general.events
             FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
         CREATE TABLE general.events_2022_02 PARTITION OF general.events
             for values from ('2022-02-01 00:00:00+00') to ('2022-03-01 01:00:00+01');
         CREATE TABLE general.events_default PARTITION OF general.events default;
         CREATE TABLE general.by_kind (kind text, n int) PARTITION BY LIST (lower(kind));
         CREATE TABLE general.by_kind_ab PARTITION OF general.by_kind FOR VALUES IN ('a', 'b');",
        &d,
    )
    .await;
}

#[tokio::test]
async fn domains_and_sequences_on_their_own() {
    let mut d = catalog(&["general"]);
    d.domains.insert(
        qn("general.positive"),
        Domain {
            name: qn("general.positive"),
            owner: None,
            base_type: "int4".into(),
            collation: None,
            not_null: true,
            default: Some("1".into()),
            checks: [("positive_check".to_string(), "VALUE > 0".to_string())].into(),
            comment: None,
            acl: None,
        },
    );
    d.domains.insert(
        qn("general.code"),
        Domain {
            name: qn("general.code"),
            owner: None,
            base_type: "varchar(3)".into(),
            collation: Some("C".into()),
            not_null: false,
            default: None,
            checks: [(
                "code_check".to_string(),
                "VALUE IN ('abc', 'def')".to_string(),
            )]
            .into(),
            comment: None,
            acl: None,
        },
    );
    d.sequences.insert(
        qn("general.counter"),
        Sequence {
            name: qn("general.counter"),
            owner: None,
            data_type: "smallint".into(),
            options: SequenceOptions {
                start: Some(10),
                increment: Some(-1),
                min_value: Some(-32768),
                max_value: Some(10),
                cache: Some(1),
                cycle: true,
            },
            owned_by: None,
            comment: None,
        },
    );
    assert_canonical(
        "CREATE SCHEMA general;
         CREATE DOMAIN general.positive AS int4 NOT NULL DEFAULT 1
             CONSTRAINT positive_check CHECK (VALUE > 0);
         CREATE DOMAIN general.code AS varchar(3) COLLATE \"C\"
             CONSTRAINT code_check CHECK (VALUE IN ('abc', 'def'));
         CREATE SEQUENCE general.counter AS smallint START 10 INCREMENT -1 MINVALUE -32768
             MAXVALUE 10 CACHE 1 CYCLE;",
        &d,
    )
    .await;
}

#[tokio::test]
async fn rejected_text_names_the_object_and_clause() {
    let mut d = catalog(&["general"]);
    let mut t = table(
        "general.notes",
        vec![
            col("id", "bigint"),
            col("created_at", "timestamptzz"),
            col("body", "text"),
        ],
    );
    t.constraints
        .extend([check("notes_body_check", "lenght(body) > 0")]);
    add_table(&mut d, t);
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let err = canon::in_scratch_transaction(&mut client, &d)
        .await
        .expect_err("an unknown type is rejected");
    let CanonError::Rejected(problems) = &err else {
        panic!("unexpected error: {err}");
    };
    let text = err.to_string();
    assert!(
        text.contains(
            "table general.notes, column created_at: type \"timestamptzz\" does not exist"
        ),
        "{text}"
    );
    assert!(!problems.is_empty());

    // An expression that only fails on the server.
    let mut d = catalog(&["general"]);
    let mut t = table("general.notes", vec![col("body", "text")]);
    t.constraints
        .extend([check("notes_body_check", "lenght(body) > 0")]);
    add_table(&mut d, t);
    let err = canon::in_scratch_transaction(&mut client, &d)
        .await
        .expect_err("an unknown function is rejected")
        .to_string();
    assert!(
        err.contains(
            "table general.notes, constraint notes_body_check: function lenght(text) does not exist"
        ),
        "{err}"
    );

    // A fragment that tries to end the statement never reaches the server.
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.notes",
            vec![col("body", "text").default("1); COMMIT; SELECT (1")],
        ),
    );
    let err = canon::in_scratch_transaction(&mut client, &d)
        .await
        .expect_err("a smuggled statement is rejected")
        .to_string();
    assert!(err.contains("more than one statement"), "{err}");

    // Nothing was left behind.
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    assert!(live.tables.is_empty());
    assert!(!live.schemas.contains_key("general"));
}

#[tokio::test]
async fn settled_desired_state_creates_nothing() {
    // Canonical text equal to the live text is not sent to the server at all: the
    // canonicalisation of a database against its own import creates no scratch object.
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA general;
         CREATE TABLE general.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             body text NOT NULL DEFAULT '' CHECK (body <> 'x'));
         CREATE INDEX t_body ON general.t (lower(body));",
    )
    .await;
    let mut client = db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    let mut desired = catalog(&["general"]);
    desired.tables = live.tables.clone();
    // A read-only transaction proves no DDL ran.
    let txn = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .unwrap();
    let canonical = canon::canonicalize(&txn, &desired)
        .await
        .expect("canonicalize in a read-only transaction");
    txn.rollback().await.unwrap();
    assert_eq!(canonical.tables, live.tables);

    // With the live catalog at hand, only what is not settled is sent to the server.
    desired.tables.get_mut(&qn("general.t")).unwrap().columns[1].type_name = "TEXT".into();
    let canonical = canon::in_scratch_transaction_with_live(&mut client, &desired, &live)
        .await
        .expect("canonicalize with the live catalog");
    assert_eq!(canonical.tables, live.tables);
}

#[tokio::test]
async fn a_thousand_tables() {
    let mut d = catalog(&["general"]);
    for i in 0..1000 {
        let mut t = table(
            &format!("general.t{i}"),
            vec![
                col("id", "int8").not_null(),
                col("name", "varchar(100)").not_null(),
                col("created_at", "timestamptz").default("now()"),
                col("doc", "jsonb").default("'{}'"),
                col("status", "text").default("'new'"),
            ],
        );
        t.constraints.extend([
            constraint(
                &format!("t{i}_pkey"),
                ConstraintKind::PrimaryKey {
                    columns: vec!["id".into()],
                    include: vec![],
                },
            ),
            check(&format!("t{i}_status_check"), "status in ('new', 'done')"),
        ]);
        t.indexes.extend([index(
            &format!("t{i}_name_idx"),
            vec![key_expression("lower(name)")],
        )]);
        add_table(&mut d, t);
    }
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let started = std::time::Instant::now();
    let c = canon::in_scratch_transaction(&mut client, &d)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let elapsed = started.elapsed();
    eprintln!("canonicalised 1,000 tables in {elapsed:?}");
    let t = &c.tables[&qn("general.t999")];
    assert_eq!(t.columns[0].type_name, "bigint");
    assert_eq!(t.columns[3].default.as_deref(), Some("'{}'::jsonb"));
    assert!(elapsed < std::time::Duration::from_secs(60), "{elapsed:?}");
}

#[tokio::test]
async fn policies_may_refer_to_tables_that_do_not_exist_yet() {
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.members",
            vec![col("user_name", "text"), col("team_id", "int")],
        ),
    );
    let mut notes = table(
        "general.notes",
        vec![col("id", "int"), col("team_id", "int"), col("body", "text")],
    );
    notes.row_level_security = true;
    notes.policies.insert(
        "team_members".into(),
        Policy {
            name: "team_members".into(),
            permissive: true,
            command: "ALL".into(),
            roles: vec!["PUBLIC".into()],
            using: Some(
                "team_id in (select m.team_id from members m where m.user_name = current_user)"
                    .into(),
            ),
            with_check: Some(
                "exists (select from general.notes n where n.id = notes.id) or true".into(),
            ),
            comment: None,
        },
    );
    add_table(&mut d, notes);
    assert_canonical(
        "CREATE SCHEMA general;
         CREATE TABLE general.members (user_name text, team_id int);
         CREATE TABLE general.notes (id int, team_id int, body text);
         ALTER TABLE general.notes ENABLE ROW LEVEL SECURITY;
         SET search_path = general;
         CREATE POLICY team_members ON general.notes
             USING (team_id in (select m.team_id from members m
                                where m.user_name = current_user))
             WITH CHECK (exists (select from general.notes n where n.id = notes.id) or true);
         RESET search_path;",
        &d,
    )
    .await;
}

#[tokio::test]
async fn quoted_names_and_renamed_tables() {
    let mut d = catalog(&["My Schema"]);
    let mut t = table(
        "\"My Schema\".\"Notes\"",
        vec![
            col("Id", "int4").not_null(),
            col("Body Text", "varchar(10)").default("'x'"),
        ],
    );
    t.renamed_from = Some("Old Notes".into());
    t.constraints
        .extend([check("Notes_check", "\"Id\" > 0 AND \"Body Text\" <> ''")]);
    t.indexes.extend([index(
        "Notes Body",
        vec![key_expression("upper(\"Body Text\")")],
    )]);
    add_table(&mut d, t);
    // Canonicalised next to the table it is renamed from, and on an empty database.
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA \"My Schema\";
         CREATE TABLE \"My Schema\".\"Old Notes\" (\"Id\" int NOT NULL,
             \"Body Text\" varchar(10) DEFAULT 'x',
             CONSTRAINT \"Notes_check\" CHECK (\"Id\" > 0 AND \"Body Text\" <> ''));
         CREATE INDEX \"Notes Body\" ON \"My Schema\".\"Old Notes\" (upper(\"Body Text\"));",
    )
    .await;
    let mut client = db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    let old = &live.tables[&QualifiedName::new("My Schema", "Old Notes")];
    let name = QualifiedName::new("My Schema", "Notes");
    for canonical in [
        canonical_on(&db, &d).await,
        canonical_on(&TestDb::new().await, &d).await,
    ] {
        let t = &canonical.tables[&name];
        assert_eq!(t.columns, old.columns);
        assert_eq!(t.constraints, old.constraints);
        assert_eq!(t.indexes, old.indexes);
        assert_eq!(t.renamed_from.as_deref(), Some("Old Notes"));
    }
}

#[tokio::test]
async fn changed_live_types_and_sequences_are_copied_not_touched() {
    // Domain and sequence exist live with other definitions: their desired definitions
    // are canonicalised on copies, and the live ones are what tables refer to.
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA general;
         CREATE DOMAIN general.code AS text CHECK (VALUE <> '');
         CREATE SEQUENCE general.ids AS integer;
         CREATE TABLE general.t (id bigint DEFAULT nextval('general.ids'), c general.code);",
    )
    .await;
    let mut d = catalog(&["general"]);
    d.domains.insert(
        qn("general.code"),
        Domain {
            name: qn("general.code"),
            owner: None,
            base_type: "varchar(5)".into(),
            collation: None,
            not_null: false,
            default: Some("'abc'".into()),
            checks: [("code_check".to_string(), "length(VALUE) > 1".to_string())].into(),
            comment: None,
            acl: None,
        },
    );
    d.sequences.insert(
        qn("general.ids"),
        Sequence {
            name: qn("general.ids"),
            owner: None,
            data_type: "bigint".into(),
            options: SequenceOptions {
                start: Some(1),
                increment: Some(2),
                ..Default::default()
            },
            owned_by: None,
            comment: None,
        },
    );
    add_table(
        &mut d,
        table(
            "general.t",
            vec![
                col("id", "int8").default("nextval('ids')"),
                col("c", "code"),
            ],
        ),
    );
    let c = canonical_on(&db, &d).await;
    let domain = &c.domains[&qn("general.code")];
    assert_eq!(domain.base_type, "character varying(5)");
    assert_eq!(domain.default.as_deref(), Some("'abc'::character varying"));
    assert_eq!(domain.checks["code_check"], "(length((VALUE)::text) > 1)");
    let seq = &c.sequences[&qn("general.ids")];
    assert_eq!(seq.data_type, "bigint");
    assert_eq!(
        seq.options,
        SequenceOptions {
            increment: Some(2),
            ..Default::default()
        }
    );
    let t = &c.tables[&qn("general.t")];
    assert_eq!(
        t.columns[0].default.as_deref(),
        Some("nextval('general.ids'::regclass)")
    );
    assert_eq!(t.columns[1].type_name, "general.code");
    // The live objects are untouched.
    let mut client = db.client().await;
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    assert_eq!(live.domains[&qn("general.code")].base_type, "text");
    assert_eq!(live.sequences[&qn("general.ids")].data_type, "integer");
}

#[tokio::test]
async fn a_role_that_cannot_create_schemas_is_told_so() {
    let db = TestDb::new().await;
    let role = format!("canon_limited_{}", std::process::id());
    db.exec(&format!("CREATE ROLE {role} LOGIN")).await;
    let mut config = db.config();
    config.user(&role);
    let settings = pgrecon::conn::ConnectionSettings::from_config(config);
    let mut client = pgrecon::conn::connect(&settings).await.expect("connect");
    let mut d = catalog(&["general"]);
    add_table(&mut d, table("general.t", vec![col("a", "int4")]));
    let err = canon::in_scratch_transaction(&mut client, &d)
        .await
        .expect_err("no CREATE on the database")
        .to_string();
    assert!(
        err.contains("permission denied for database")
            && err.contains("grant CREATE on the database to the role pgrecon runs as"),
        "{err}"
    );
}

/// The desired state of `files` (TOML and SQL), loaded as `config` loads a directory.
fn load(files: &[(&str, &str)]) -> pgrecon::config::Desired {
    let files: Vec<(std::path::PathBuf, String)> = files
        .iter()
        .map(|(p, t)| (std::path::PathBuf::from(p), t.to_string()))
        .collect();
    pgrecon::config::load_files(&files)
        .unwrap_or_else(|e| panic!("{}", pgrecon::config::render(&e)))
}

const TRIGGER_TABLE: &str = r#"
[schemas.general]
[tables."general.notes"]
columns.id = { type = "bigint" }
columns.body = { type = "text" }
"#;

#[tokio::test]
async fn trigger_when_is_canonicalised_on_a_table_equal_to_live() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA general;
         CREATE TABLE general.notes (id bigint, body text);
         CREATE FUNCTION general.noop() RETURNS trigger LANGUAGE plpgsql
             AS $$BEGIN RETURN NULL; END$$;",
    )
    .await;
    let desired = load(&[
        ("all.toml", TRIGGER_TABLE),
        (
            "triggers.sql",
            "CREATE TRIGGER notes_body AFTER UPDATE ON general.notes FOR EACH ROW
                 WHEN (NEW.body IN ('a', 'b') AND OLD.id <> 0)
                 EXECUTE FUNCTION general.noop()",
        ),
    ]);
    let mut client = db.client().await;
    let canonical = canon::in_scratch_transaction(&mut client, &desired.catalog)
        .await
        .expect("canonicalize");
    let trigger = &canonical.tables[&qn("general.notes")].triggers["notes_body"];
    assert_eq!(
        trigger.when.as_deref(),
        Some("new.body = ANY(ARRAY['a'::text, 'b'::text]) AND old.id <> 0")
    );
    // Nothing was left behind: no scratch trigger, no trigger on the real table.
    let live = introspect::snapshot(&mut client).await.expect("introspect");
    assert!(live.tables[&qn("general.notes")].triggers.is_empty());
    assert!(!live.schemas.keys().any(|s| s.starts_with("pgrecon_canon")));
}

/// Syntax the embedded parser knows but the server may not (`1_000` is PostgreSQL 16+):
/// an older server's syntax error is the declaration's, at its column, not a failure to
/// roll back to a savepoint the batch never created.
#[tokio::test]
async fn syntax_the_server_lacks_is_rejected_at_its_declaration() {
    let mut d = catalog(&["general"]);
    add_table(
        &mut d,
        table(
            "general.notes",
            vec![col("id", "bigint"), col("amount", "numeric(1_000,2)")],
        ),
    );
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .unwrap()
        .get(0);
    let result = canon::in_scratch_transaction(&mut client, &d).await;
    if version >= 160000 {
        let out = result.expect("PostgreSQL 16+ reads 1_000");
        let t = &out.tables[&QualifiedName::new("general", "notes")];
        assert_eq!(t.columns[1].type_name, "numeric(1000,2)");
    } else {
        let err = result.expect_err("an older server rejects 1_000");
        let CanonError::Rejected(_) = &err else {
            panic!("not a rejection of the declaration: {err}");
        };
        let text = err.to_string();
        // The server's words differ by version ("trailing junk after numeric literal at
        // or near \"1_000\"" on 15, "syntax error at or near \"_000\"" on 14).
        assert!(
            text.contains("table general.notes, column amount: ") && text.contains("_000\""),
            "{text}"
        );
        assert!(!text.contains("savepoint"), "{text}");
    }
}

#[tokio::test]
async fn rejected_trigger_when_points_at_its_statement() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql
             AS $$BEGIN RETURN NULL; END$$;",
    )
    .await;
    // OLD does not exist for INSERT: only the server knows.
    let desired = load(&[
        ("all.toml", TRIGGER_TABLE),
        (
            "triggers.sql",
            "-- checks
CREATE TRIGGER notes_insert AFTER INSERT ON general.notes FOR EACH ROW
    WHEN (OLD.body IS NULL) EXECUTE FUNCTION public.noop()",
        ),
    ]);
    let mut client = db.client().await;
    let err = canon::in_scratch_transaction(&mut client, &desired.catalog)
        .await
        .expect_err("the server rejects the condition");
    let located = err.located(&desired.sources);
    assert!(
        located.contains("trigger notes_insert on general.notes")
            && located.contains("INSERT trigger's WHEN condition cannot reference OLD values")
            && located.contains("triggers.sql:2:1"),
        "{located}"
    );
}
