//! Round trip of real-world schemas (`tests/corpora/`): load the SQL into database X,
//! `import` X, `apply` the imported desired state to an empty database Y of the same
//! cluster, then compare X and Y object by object for every kind pgrecon manages
//! (tables with their columns, constraints, indexes, policies and triggers; sequences;
//! enums; domains; extensions; owners and ACLs of schemas, tables and sequences). The
//! imported state must also plan back as empty against both X and Y.
//!
//! Functions and procedures, triggers, collations, composite and range types, views and
//! materialized views are imported with their definitions and compared too, except the
//! views the import leaves out because they call a routine pgrecon does not manage (an
//! aggregate: they could not be created on Y). Rules and the like stay in X: they are
//! unmanaged, listed in the import report, and must not get in the way of the apply to Y.

mod common;

use common::TestDb;
use pgrecon::apply::{self, ApplyOptions, ApplyOutcome, NoHooks};
use pgrecon::diff::DiffOptions;
use pgrecon::model::{Catalog, QualifiedName, Relation, RelationKind, View};
use pgrecon::plan::Plan;
use pgrecon::render::{Format, render};
use pgrecon::{canon, config, diff, import, introspect, plan};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// The corpora are kept in the repository (`tests/corpora/`, copies of the team's
/// `shared/corpora` with their licenses) so the suite runs wherever the checkout is;
/// `PGRECON_CORPORA_DIR` points elsewhere.
fn corpus(path: &str) -> PathBuf {
    let dir = std::env::var_os("PGRECON_CORPORA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora"));
    dir.join(path)
}

/// Loads `file` into the test database with `psql -v ON_ERROR_STOP=1`.
fn psql(db: &TestDb, url: &str, file: &Path) {
    let psql = db
        .cluster
        .as_ref()
        .map(|c| c.bin_dir().join("psql"))
        .unwrap_or_else(|| PathBuf::from("psql"));
    let out = std::process::Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .env("PGOPTIONS", "--client-min-messages=warning")
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "loading {} failed:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn plan_against(client: &mut tokio_postgres::Client, desired: &Catalog) -> Plan {
    let desired = canon::in_scratch_transaction(client, desired)
        .await
        .unwrap_or_else(|e| panic!("canonicalize: {e}"));
    let live = introspect::snapshot(client).await.expect("introspect");
    plan::build(&diff::diff(&desired, &live, &DiffOptions::default()).expect("diff")).expect("plan")
}

/// Differences between two maps, each as a unified diff of the two debug renderings.
fn differences<K: Ord + Debug, V: PartialEq + Debug>(
    what: &str,
    x: &BTreeMap<K, V>,
    y: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    for (k, xv) in x {
        match y.get(k) {
            None => out.push(format!("{what} {k:?}: only in X")),
            Some(yv) if xv != yv => {
                let a = format!("{xv:#?}");
                let b = format!("{yv:#?}");
                let diff = similar::TextDiff::from_lines(&a, &b)
                    .unified_diff()
                    .context_radius(2)
                    .header("X", "Y")
                    .to_string();
                out.push(format!("{what} {k:?} differs:\n{diff}"));
            }
            Some(_) => {}
        }
    }
    for k in y.keys() {
        if !x.contains_key(k) {
            out.push(format!("{what} {k:?}: only in Y"));
        }
    }
}

/// Owner and ACL of the relations pgrecon manages (tables and sequences).
fn managed_relations(c: &Catalog) -> BTreeMap<QualifiedName, Relation> {
    c.relations
        .iter()
        .filter(|(_, r)| {
            matches!(
                r.kind,
                RelationKind::Table | RelationKind::PartitionedTable | RelationKind::Sequence
            )
        })
        .map(|(k, r)| (k.clone(), r.clone()))
        .collect()
}

/// The views the imported state declares, with their owner and ACL.
fn declared_views(
    c: &Catalog,
    declared: &Catalog,
) -> BTreeMap<QualifiedName, (View, Option<Relation>)> {
    c.views
        .iter()
        .filter(|(n, _)| declared.views.contains_key(*n))
        .map(|(n, v)| (n.clone(), (v.clone(), c.relations.get(n).cloned())))
        .collect()
}

fn compare(x: &Catalog, y: &Catalog, declared: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    differences(
        "view",
        &declared_views(x, declared),
        &declared_views(y, declared),
        &mut out,
    );
    differences("table", &x.tables, &y.tables, &mut out);
    differences("sequence", &x.sequences, &y.sequences, &mut out);
    differences("enum", &x.enums, &y.enums, &mut out);
    differences("domain", &x.domains, &y.domains, &mut out);
    differences("extension", &x.extensions, &y.extensions, &mut out);
    differences("function", &x.functions, &y.functions, &mut out);
    differences(
        "relation",
        &managed_relations(x),
        &managed_relations(y),
        &mut out,
    );
    differences("schema", &x.schemas, &y.schemas, &mut out);
    let (xd, yd) = (x.database.as_ref().unwrap(), y.database.as_ref().unwrap());
    if (&xd.acl, &xd.settings, &xd.comment) != (&yd.acl, &yd.settings, &yd.comment) {
        out.push(format!("database differs:\nX: {xd:#?}\nY: {yd:#?}"));
    }
    out
}

/// The corpora carry no grants and a single owner; this gives every schema with tables
/// what a real deployment has: a reader role with schema-wide grants (views included, so
/// grants on objects pgrecon does not create are exercised too), a writer with per-table
/// and per-column grants, row-level security with a policy, a table owned by another role
/// and a comment, and one extra table with an identity column (whose sequence carries a
/// grant), a collation, an exclusion constraint and a partial expression index. Roles are cluster-wide, so they exist in Y as well.
const DECORATE: &str = r#"
DO $$
DECLARE
    s text;
    t text;
    t2 text;
    c text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corpus_reader') THEN
        CREATE ROLE corpus_reader;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corpus_writer') THEN
        CREATE ROLE corpus_writer;
    END IF;
    FOR s IN
        SELECT n.nspname FROM pg_namespace AS n
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
          AND EXISTS (SELECT 1 FROM pg_class AS r
                      WHERE r.relnamespace = n.oid AND r.relkind IN ('r', 'p'))
        ORDER BY 1
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO corpus_reader, corpus_writer', s);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO corpus_reader', s);
        EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO corpus_writer', s);
        SELECT r.relname INTO t FROM pg_class AS r
        WHERE r.relnamespace = s::regnamespace AND r.relkind = 'r' AND NOT r.relispartition
        ORDER BY r.relname LIMIT 1;
        SELECT r.relname INTO t2 FROM pg_class AS r
        WHERE r.relnamespace = s::regnamespace AND r.relkind = 'r' AND NOT r.relispartition
        ORDER BY r.relname OFFSET 1 LIMIT 1;
        SELECT a.attname INTO c FROM pg_attribute AS a
        WHERE a.attrelid = format('%I.%I', s, t)::regclass AND a.attnum > 0
          AND NOT a.attisdropped
        ORDER BY a.attnum LIMIT 1;
        EXECUTE format('GRANT INSERT, UPDATE ON %I.%I TO corpus_writer', s, t);
        EXECUTE format('GRANT SELECT (%I), REFERENCES (%I) ON %I.%I TO corpus_writer',
                       c, c, s, t);
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', s, t);
        EXECUTE format('CREATE POLICY corpus_read ON %I.%I FOR SELECT TO corpus_reader
                        USING (%I IS NOT NULL AND current_user <> ''nobody'')', s, t, c);
        EXECUTE format('COMMENT ON TABLE %I.%I IS %L', s, t, 'decorated by the test');
        EXECUTE format('CREATE TABLE %I.corpus_extra (
                            id bigint GENERATED BY DEFAULT AS IDENTITY (START 5 CACHE 2)
                                PRIMARY KEY,
                            code text COLLATE "C" NOT NULL,
                            during tstzrange,
                            CONSTRAINT corpus_extra_no_overlap
                                EXCLUDE USING gist (during WITH &&) WHERE (code <> ''''))',
                       s);
        EXECUTE format('CREATE UNIQUE INDEX corpus_extra_code ON %I.corpus_extra
                            (lower(code) DESC NULLS LAST) WHERE code IN (''a'', ''b'')', s);
        EXECUTE format('GRANT USAGE ON SEQUENCE %I.corpus_extra_id_seq TO corpus_writer', s);
        IF t2 IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I OWNER TO corpus_writer', s, t2);
        END IF;
    END LOOP;
END
$$;
"#;

async fn round_trip(file: &str) {
    let db = TestDb::new().await;
    psql(&db, &db.url(), &corpus(file));
    db.exec(DECORATE).await;
    let mut x = db.client().await;
    let x_catalog = introspect::snapshot(&mut x).await.expect("introspect X");
    assert!(!x_catalog.tables.is_empty(), "the corpus loaded no table");

    // import X
    let dir = tempfile::tempdir().unwrap();
    let report = import::write(&x_catalog, &import::ImportOptions::default(), dir.path())
        .unwrap_or_else(|e| panic!("import: {e}"));
    eprintln!("{report}");
    let listed = report
        .notes
        .iter()
        .filter(|n| n.starts_with("unmanaged, left alone"))
        .count();
    // Functions and procedures are imported with their definitions.
    let unmanaged = x_catalog
        .unmanaged
        .iter()
        .filter(|u| !matches!(u.kind.as_str(), "function" | "procedure"))
        .count();
    assert_eq!(
        listed, unmanaged,
        "every unmanaged object is listed in the import report"
    );
    let desired = match config::load_dir(dir.path()) {
        Ok(d) => d.catalog,
        Err(e) => {
            let files: Vec<String> = report
                .files
                .iter()
                .map(|f| {
                    format!(
                        "--- {}\n{}",
                        f.display(),
                        std::fs::read_to_string(f).unwrap_or_default()
                    )
                })
                .collect();
            panic!(
                "the imported state does not load:\n{}\n{}",
                config::render(&e),
                files.join("\n")
            )
        }
    };
    assert_eq!(desired.tables.len(), x_catalog.tables.len());

    // The import plans back as empty against X.
    let replan = plan_against(&mut x, &desired).await;
    assert!(
        replan.is_empty(),
        "the import does not plan back as empty against X:\n{}",
        render(&replan, None, Format::Text)
    );

    // Apply it to an empty database Y of the same cluster.
    let y_name = format!("{}_y", db.dbname);
    db.exec(&format!("CREATE DATABASE {y_name}")).await;
    let mut y = pgrecon::conn::connect(&db.settings().with_dbname(&y_name))
        .await
        .expect("connect to Y");
    let started = std::time::Instant::now();
    let outcome = apply::apply(&mut y, &desired, &ApplyOptions::default(), &mut NoHooks)
        .await
        .unwrap_or_else(|e| panic!("apply to Y failed: {e}"));
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
    eprintln!(
        "applied {file} to an empty database in {:?}",
        started.elapsed()
    );

    let y_catalog = introspect::snapshot(&mut y).await.expect("introspect Y");
    let differences = compare(&x_catalog, &y_catalog, &desired);
    let again = plan_against(&mut y, &desired).await;
    drop(y);
    if db.cluster.is_none() {
        db.exec(&format!("DROP DATABASE {y_name} WITH (FORCE)"))
            .await;
    }
    assert!(
        differences.is_empty(),
        "X and Y differ in {} places:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        again.is_empty(),
        "the imported state does not plan back as empty against Y:\n{}",
        render(&again, None, Format::Text)
    );
}

#[tokio::test]
async fn pagila_round_trips() {
    round_trip("pagila/schema.sql").await;
}

#[tokio::test]
async fn chinook_round_trips() {
    round_trip("chinook/chinook.sql").await;
}

#[tokio::test]
async fn adventureworks_round_trips() {
    round_trip("adventureworks/schema.sql").await;
}

/// Regenerates the fuzz seeds `tests/fuzz_validate/seeds/<corpus>/` (README.md,
/// "Fuzzing"): each corpus loaded and decorated as above, then imported, as
/// `pgrecon import` writes it. Run after a change to the corpora or to the import's
/// output, and commit the result:
///
/// ```text
/// cargo test --locked --test corpora -- --ignored --exact regenerate_fuzz_seeds
/// ```
#[tokio::test]
#[ignore = "writes tests/fuzz_validate/seeds/; run by hand to refresh them"]
async fn regenerate_fuzz_seeds() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_validate/seeds");
    for (name, file) in [
        ("adventureworks", "adventureworks/schema.sql"),
        ("chinook", "chinook/chinook.sql"),
        ("pagila", "pagila/schema.sql"),
    ] {
        let db = TestDb::new().await;
        psql(&db, &db.url(), &corpus(file));
        db.exec(DECORATE).await;
        let mut x = db.client().await;
        let catalog = introspect::snapshot(&mut x).await.expect("introspect");
        let out = seeds.join(name);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        import::write(&catalog, &import::ImportOptions::default(), &out)
            .unwrap_or_else(|e| panic!("import {name}: {e}"));
        // The seeds must load: the fuzzing mutates valid states.
        if let Err(e) = config::load_dir(&out) {
            panic!(
                "the import of {name} does not load:\n{}",
                config::render(&e)
            );
        }
    }
}
