//! A catalog fingerprint computed with plain SQL, independent of pgrecon's own
//! introspection, so "nothing changed" is proven by something other than the code
//! under test.

use tokio_postgres::Client;

const QUERY: &str = r#"
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
  SELECT format('role %s %s %s %s %s %s %s %s %s %s %s', rolname, rolsuper, rolinherit,
                rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
                rolconnlimit, rolvaliduntil, md5(coalesce(rolpassword, ''))) AS line
    FROM pg_authid
  UNION ALL
  SELECT format('member %s %s %s', r.rolname, m.rolname, am.admin_option)
    FROM pg_auth_members am JOIN pg_authid r ON r.oid = am.roleid
    JOIN pg_authid m ON m.oid = am.member
  UNION ALL
  SELECT format('setting %s %s %s', coalesce(d.datname, '*'), coalesce(r.rolname, '*'), s.setconfig)
    FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
    LEFT JOIN pg_authid r ON r.oid = s.setrole
  UNION ALL
  SELECT format('database %s %s %s', datname, datdba::regrole, datacl) FROM pg_database
  UNION ALL
  SELECT format('schema %s %s %s', nspname, nspowner::regrole, nspacl) FROM pg_namespace
  UNION ALL
  SELECT format('class %s.%s %s %s %s', n.nspname, c.relname, c.relkind, c.relowner::regrole, c.relacl)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL
  SELECT format('proc %s %s %s', p.oid::regprocedure, p.proowner::regrole, p.proacl)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT format('defacl %s %s %s %s', defaclrole::regrole, defaclnamespace, defaclobjtype, defaclacl)
    FROM pg_default_acl
  UNION ALL
  SELECT format('comment %s %s %s', classoid::regclass, objoid, description) FROM pg_description
   WHERE classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass)
  UNION ALL
  SELECT format('shcomment %s %s %s', classoid::regclass, objoid, description) FROM pg_shdescription
) lines
"#;

/// Everything pgrecon may change, as one sorted text.
pub async fn fingerprint(client: &Client) -> String {
    let row = client
        .query_one(QUERY, &[])
        .await
        .expect("fingerprint query");
    row.get::<_, Option<String>>(0).unwrap_or_default()
}
