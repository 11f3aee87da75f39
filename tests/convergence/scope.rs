//! Out of scope: a pair whose *before* or *after* holds an object of a kind pgrecon does
//! not manage yet (README, "Definitions in SQL": event triggers, aggregates, operators,
//! rules, publications and subscriptions, foreign servers and tables, statistics
//! objects — and the kinds around them: operator classes and families, casts, text
//! search objects, conversions, languages, transforms, access methods, base types,
//! triggers on views). Read from the catalog directly, not through pgrecon; objects that
//! belong to an extension are the extension's and do not count.

use std::path::Path;

/// `kind name` of each unmanaged object in the database, sorted.
pub fn unmanaged(bin_dir: &Path, url: &str) -> Result<Vec<String>, String> {
    let out = super::psql_query(bin_dir, url, UNMANAGED)?;
    Ok(out.lines().map(|l| l.replace('\t', " ")).collect())
}

const UNMANAGED: &str = r#"
WITH user_ns AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
),
ext AS (
  SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
),
found (kind, name, classid, objid) AS (
  SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END,
         u.nspname || '.' || p.proname, 'pg_proc'::regclass, p.oid
  FROM pg_catalog.pg_proc p JOIN user_ns u ON u.oid = p.pronamespace
  WHERE p.prokind IN ('a', 'w')
  UNION ALL
  SELECT 'operator', u.nspname || '.' || o.oprname, 'pg_operator'::regclass, o.oid
  FROM pg_catalog.pg_operator o JOIN user_ns u ON u.oid = o.oprnamespace
  UNION ALL
  SELECT 'operator class', u.nspname || '.' || o.opcname, 'pg_opclass'::regclass, o.oid
  FROM pg_catalog.pg_opclass o JOIN user_ns u ON u.oid = o.opcnamespace
  UNION ALL
  SELECT 'operator family', u.nspname || '.' || o.opfname, 'pg_opfamily'::regclass, o.oid
  FROM pg_catalog.pg_opfamily o JOIN user_ns u ON u.oid = o.opfnamespace
  UNION ALL
  SELECT 'event trigger', e.evtname, 'pg_event_trigger'::regclass, e.oid
  FROM pg_catalog.pg_event_trigger e
  UNION ALL
  SELECT 'rule', u.nspname || '.' || c.relname || '.' || r.rulename, 'pg_rewrite'::regclass, r.oid
  FROM pg_catalog.pg_rewrite r
  JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
  JOIN user_ns u ON u.oid = c.relnamespace
  WHERE r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'publication', p.pubname, 'pg_publication'::regclass, p.oid
  FROM pg_catalog.pg_publication p
  UNION ALL
  SELECT 'subscription', s.subname, 'pg_subscription'::regclass, s.oid
  FROM pg_catalog.pg_subscription s
  WHERE s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
  UNION ALL
  SELECT 'foreign data wrapper', w.fdwname, 'pg_foreign_data_wrapper'::regclass, w.oid
  FROM pg_catalog.pg_foreign_data_wrapper w
  UNION ALL
  SELECT 'foreign server', s.srvname, 'pg_foreign_server'::regclass, s.oid
  FROM pg_catalog.pg_foreign_server s
  UNION ALL
  SELECT 'foreign table', u.nspname || '.' || c.relname, 'pg_class'::regclass, c.oid
  FROM pg_catalog.pg_class c JOIN user_ns u ON u.oid = c.relnamespace
  WHERE c.relkind = 'f'
  UNION ALL
  SELECT 'statistics object', u.nspname || '.' || s.stxname, 'pg_statistic_ext'::regclass, s.oid
  FROM pg_catalog.pg_statistic_ext s JOIN user_ns u ON u.oid = s.stxnamespace
  UNION ALL
  SELECT 'trigger on a foreign table', u.nspname || '.' || c.relname || '.' || t.tgname,
         'pg_trigger'::regclass, t.oid
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN user_ns u ON u.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND c.relkind NOT IN ('r', 'p', 'v')
  UNION ALL
  SELECT 'cast', pg_catalog.format_type(c.castsource, NULL) || ' as '
         || pg_catalog.format_type(c.casttarget, NULL), 'pg_cast'::regclass, c.oid
  FROM pg_catalog.pg_cast c WHERE c.oid >= 16384
  UNION ALL
  SELECT 'text search configuration', u.nspname || '.' || t.cfgname, 'pg_ts_config'::regclass, t.oid
  FROM pg_catalog.pg_ts_config t JOIN user_ns u ON u.oid = t.cfgnamespace
  UNION ALL
  SELECT 'text search dictionary', u.nspname || '.' || t.dictname, 'pg_ts_dict'::regclass, t.oid
  FROM pg_catalog.pg_ts_dict t JOIN user_ns u ON u.oid = t.dictnamespace
  UNION ALL
  SELECT 'text search parser', u.nspname || '.' || t.prsname, 'pg_ts_parser'::regclass, t.oid
  FROM pg_catalog.pg_ts_parser t JOIN user_ns u ON u.oid = t.prsnamespace
  UNION ALL
  SELECT 'text search template', u.nspname || '.' || t.tmplname, 'pg_ts_template'::regclass, t.oid
  FROM pg_catalog.pg_ts_template t JOIN user_ns u ON u.oid = t.tmplnamespace
  UNION ALL
  SELECT 'conversion', u.nspname || '.' || c.conname, 'pg_conversion'::regclass, c.oid
  FROM pg_catalog.pg_conversion c JOIN user_ns u ON u.oid = c.connamespace
  UNION ALL
  SELECT 'language', l.lanname, 'pg_language'::regclass, l.oid
  FROM pg_catalog.pg_language l WHERE l.oid >= 16384
  UNION ALL
  SELECT 'transform', pg_catalog.format_type(t.trftype, NULL), 'pg_transform'::regclass, t.oid
  FROM pg_catalog.pg_transform t
  UNION ALL
  SELECT 'access method', a.amname, 'pg_am'::regclass, a.oid
  FROM pg_catalog.pg_am a WHERE a.oid >= 16384
  UNION ALL
  SELECT 'base type', u.nspname || '.' || t.typname, 'pg_type'::regclass, t.oid
  FROM pg_catalog.pg_type t JOIN user_ns u ON u.oid = t.typnamespace
  WHERE t.typtype = 'b' AND t.typelem = 0
)
SELECT DISTINCT f.kind, f.name FROM found f
WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = f.classid AND ext.objid = f.objid)
ORDER BY 1, 2
"#;
