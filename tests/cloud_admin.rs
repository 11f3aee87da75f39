//! Every case directory applied as a managed cloud's admin role instead of a superuser:
//! a `CREATEROLE`/`CREATEDB` role that owns the database, creates its own roles (on 16+
//! with `createrole_self_grant = 'set, inherit'`, as managed clouds configure it) and
//! holds what it would hold had it built the case's starting state itself (ownership of
//! the objects, membership with the admin option in the roles). Each apply either
//! succeeds and converges (the re-plan is empty) or is refused before anything runs,
//! naming what the role may not do; it never fails half-way at apply.

mod common;

use common::TestDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, serde::Deserialize)]
struct CaseOptions {
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    allow_destructive: bool,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// The admin role, created before the case's starting state.
const ADMIN: &str = "
CREATE ROLE cloud_admin LOGIN CREATEROLE CREATEDB;
ALTER DATABASE pgrecon_test OWNER TO cloud_admin;
";

/// After the starting state (built by the superuser, as the cases are written): what a
/// managed cloud's admin would hold had it built it itself. It owns what the superuser
/// created (but the extensions, whose owner cannot change), and it is a member, with
/// the admin option, of every role that is not a superuser.
const HAND_OVER: &str = "
DO $$
DECLARE
  r record;
  v16 boolean := current_setting('server_version_num')::int >= 160000;
  me oid := 'postgres'::regrole;
  user_ns text := $q$ n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' $q$;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles
           WHERE rolname !~ '^pg_' AND rolname NOT IN ('postgres', 'cloud_admin')
             AND NOT rolsuper LOOP
    EXECUTE format('GRANT %I TO cloud_admin WITH ADMIN OPTION', r.rolname)
      || CASE WHEN v16 THEN ', INHERIT TRUE, SET TRUE' ELSE '' END;
  END LOOP;
  FOR r IN EXECUTE 'SELECT n.nspname FROM pg_namespace n WHERE n.nspowner = $1 AND '
                   || user_ns USING me LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO cloud_admin', r.nspname);
  END LOOP;
  -- Owned sequences follow their table.
  FOR r IN EXECUTE 'SELECT c.oid::regclass AS rel FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relowner = $1 AND c.relkind IN (''r'', ''p'', ''v'', ''m'', ''S'', ''f'')
                      AND NOT EXISTS (SELECT FROM pg_depend d
                                      WHERE d.classid = ''pg_class''::regclass
                                        AND d.objid = c.oid AND d.deptype IN (''a'', ''i'', ''e''))
                      AND ' || user_ns USING me LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO cloud_admin', r.rel);
  END LOOP;
  FOR r IN EXECUTE 'SELECT p.oid::regprocedure AS f FROM pg_proc p
                    JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE p.proowner = $1
                      AND NOT EXISTS (SELECT FROM pg_depend d
                                      WHERE d.classid = ''pg_proc''::regclass
                                        AND d.objid = p.oid AND d.deptype = ''e'')
                      AND ' || user_ns USING me LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO cloud_admin', r.f);
  END LOOP;
  FOR r IN EXECUTE 'SELECT t.oid::regtype AS t FROM pg_type t
                    JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE t.typowner = $1 AND t.typtype IN (''e'', ''d'', ''r'')
                      AND NOT EXISTS (SELECT FROM pg_depend d
                                      WHERE d.classid = ''pg_type''::regclass
                                        AND d.objid = t.oid AND d.deptype = ''e'')
                      AND ' || user_ns USING me LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO cloud_admin', r.t);
  END LOOP;
  FOR r IN EXECUTE 'SELECT t.oid::regtype AS t FROM pg_type t
                    JOIN pg_namespace n ON n.oid = t.typnamespace
                    JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = ''c''
                    WHERE t.typowner = $1 AND ' || user_ns USING me LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO cloud_admin', r.t);
  END LOOP;
  FOR r IN EXECUTE 'SELECT c.oid::regcollation::text AS c FROM pg_collation c
                    JOIN pg_namespace n ON n.oid = c.collnamespace
                    WHERE c.collowner = $1 AND ' || user_ns USING me LOOP
    EXECUTE format('ALTER COLLATION %s OWNER TO cloud_admin', r.c);
  END LOOP;
END $$;
";

enum Outcome {
    Applied,
    /// With the first line of the refusal.
    Refused(String),
    SetupNeedsSuperuser,
}

async fn run_case(case: &Path) -> Result<Outcome, String> {
    let options: CaseOptions = match std::fs::read_to_string(case.join("case.toml")) {
        Ok(text) => toml::from_str(&text).unwrap_or_default(),
        Err(_) => CaseOptions::default(),
    };
    let db = TestDb::embedded().await;
    db.exec(ADMIN).await;
    if let Ok(start) = std::fs::read_to_string(case.join("start.sql")) {
        db.exec(&start).await;
    }
    let client = db.client().await;
    if let Err(e) = client.batch_execute(HAND_OVER).await {
        let _ = e;
        return Ok(Outcome::SetupNeedsSuperuser);
    }
    let url = db
        .url()
        .replacen("postgresql://postgres@", "postgresql://cloud_admin@", 1);
    let dir = case.join("desired").to_string_lossy().into_owned();
    let mut args = vec!["apply", "--dir", &dir, "--database-url", &url];
    if options.prune {
        args.push("--prune");
    }
    if options.allow_destructive {
        args.push("--allow-destructive");
    }
    let env: Vec<(&str, &str)> = (options.env.iter())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let apply = common::pgrecon_with(&args, &env);
    let stderr = String::from_utf8_lossy(&apply.stderr).into_owned();
    if !apply.status.success() {
        // Refused before anything ran: what the role may not do, a change PostgreSQL
        // cannot make in place, an unapproved hazard, a feature of a newer server.
        let refused = [
            "cannot be made in place or by the connected role",
            "refusing to apply",
            "needs PostgreSQL",
        ];
        return if refused.iter().any(|r| stderr.contains(r)) {
            let why = stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or_default();
            Ok(Outcome::Refused(why.chars().take(300).collect()))
        } else {
            Err(format!("apply failed:\n{stderr}"))
        };
    }
    args[0] = "plan";
    args.retain(|a| *a != "--allow-destructive");
    let plan = common::pgrecon_with(&args, &env);
    if plan.status.code() != Some(0) {
        return Err(format!(
            "the re-plan is not empty:\n{}",
            String::from_utf8_lossy(&plan.stdout)
        ));
    }
    Ok(Outcome::Applied)
}

#[tokio::test]
async fn a_cloud_admin_applies_every_case_or_is_refused_up_front() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("desired").is_dir())
        .collect();
    cases.sort();
    let (mut applied, mut refused, mut superuser_setup) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        match run_case(case).await {
            Ok(Outcome::Applied) => applied += 1,
            Ok(Outcome::Refused(why)) => {
                refused += 1;
                eprintln!("refused: {}: {why}", case.display());
            }
            Ok(Outcome::SetupNeedsSuperuser) => superuser_setup += 1,
            Err(e) => failures.push(format!("{}: {e}", case.display())),
        }
    }
    eprintln!(
        "cloud admin: {applied} applied, {refused} refused up front, {superuser_setup} need a \
         superuser to set up, of {}",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The role does most of what the cases ask.
    assert!(
        applied * 2 > cases.len(),
        "only {applied} of {} applied",
        cases.len()
    );
}
