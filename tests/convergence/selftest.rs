//! The comparator's own test: two databases that differ in one way each (column order,
//! a grant, a column grant, a default privilege, a comment, an owner, a role setting for
//! the database, an object too many) must compare as different, naming the object; two
//! that hold the same schema built differently (an explicit ACL equal to the default,
//! grants in another order) must compare as equal.

use super::{Databases, compare, psql, server};

/// (what, SQL for X, SQL for Z, what the first difference must contain; `None`: equal).
const CASES: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "column order",
        "CREATE TABLE public.t (a int, b text);",
        "CREATE TABLE public.t (b text, a int);",
        Some("TABLE public.t: X has `a integer,`, Z has `b text,`"),
    ),
    (
        "a grant",
        "CREATE TABLE public.t (a int);",
        "CREATE TABLE public.t (a int); GRANT SELECT ON public.t TO testuser;",
        Some("missing in X: ACL TABLE t (schema public)"),
    ),
    (
        "a column grant",
        "CREATE TABLE public.t (a int); GRANT UPDATE (a) ON public.t TO testuser;",
        "CREATE TABLE public.t (a int);",
        Some(
            "left in X: ACL COLUMN t.a (schema public): GRANT UPDATE(a) ON TABLE public.t TO testuser;",
        ),
    ),
    (
        "a default privilege",
        "",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO testuser;",
        Some("missing in X: DEFAULT ACL"),
    ),
    (
        "a comment",
        "CREATE TABLE public.t (a int); CREATE INDEX i ON public.t (a);",
        "CREATE TABLE public.t (a int); CREATE INDEX i ON public.t (a); \
         COMMENT ON INDEX public.i IS 'x';",
        Some("missing in X: COMMENT INDEX i (schema public)"),
    ),
    (
        "an owner",
        "CREATE TABLE public.t (a int);",
        "CREATE TABLE public.t (a int); ALTER TABLE public.t OWNER TO testuser;",
        Some("OWNER TO testuser"),
    ),
    (
        "a role setting in the database",
        "",
        "DO $$ BEGIN EXECUTE format('ALTER ROLE testuser IN DATABASE %I SET work_mem = %L', \
         current_database(), '5MB'); END $$;",
        Some("missing in X: catalog role settings: testuser in this database: work_mem=5MB"),
    ),
    (
        "a column type",
        "CREATE TABLE public.t (a int, b text);",
        "CREATE TABLE public.t (a bigint, b text);",
        Some("TABLE public.t: X has `a integer,`, Z has `a bigint,`"),
    ),
    (
        "an object too many",
        "CREATE SEQUENCE public.s;",
        "",
        Some("left in X: SEQUENCE public.s"),
    ),
    (
        "an explicit ACL equal to the default",
        "CREATE TABLE public.t (a int); GRANT ALL ON public.t TO testuser; \
         REVOKE ALL ON public.t FROM testuser;",
        "CREATE TABLE public.t (a int);",
        None,
    ),
    (
        "grants in another order",
        "CREATE TABLE public.t (a int); GRANT SELECT ON public.t TO testuser; \
         GRANT SELECT ON public.t TO app_user;",
        "CREATE TABLE public.t (a int); GRANT SELECT ON public.t TO app_user; \
         GRANT SELECT ON public.t TO testuser;",
        None,
    ),
];

pub fn comparator_sees_differences() -> Result<(), String> {
    let server = server();
    let mut wrong = Vec::new();
    for (what, x_sql, z_sql, expected) in CASES {
        let dbs = Databases::create(&server);
        let mut snapshots = Vec::new();
        for (i, sql) in [x_sql, z_sql].into_iter().enumerate() {
            if !sql.is_empty() {
                psql(&server.bin_dir, &dbs.url(i), &["-c", sql])?;
            }
            snapshots.push(compare::snapshot(
                &server.bin_dir,
                &dbs.url(i),
                &dbs.names[i],
            )?);
        }
        let found = compare::first_difference(&snapshots[0], &snapshots[1]);
        let ok = match (expected, &found) {
            (None, None) => true,
            (Some(want), Some(got)) => got.contains(want),
            _ => false,
        };
        if !ok {
            wrong.push(format!("{what}: expected {expected:?}, found {found:?}"));
        }
        // Column order alone is told apart from every other difference.
        let reordered = compare::differs_only_in_column_order(&snapshots[0], &snapshots[1]);
        if reordered != (*what == "column order") {
            wrong.push(format!("{what}: differs only in column order: {reordered}"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}
