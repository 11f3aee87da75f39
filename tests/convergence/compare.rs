//! The independent comparator: what a database holds, as `pg_dump --schema-only` prints
//! it (normalised) plus catalog queries for roles, memberships, role settings, ACLs and
//! default ACLs. Nothing here goes through pgrecon's own introspection, so the two cannot
//! share a blind spot.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// A database's schema as comparable blocks: one per object of the dump (keyed by its
/// `-- Name: …; Type: …; Schema: …` header, without the owner) and one per catalog row
/// group, each holding its normalised lines.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// In dump order; duplicate keys get a `#n` suffix.
    blocks: Vec<(String, Vec<String>)>,
}

/// `pg_dump --schema-only` of `url` (owners and privileges included) plus the catalog.
pub fn snapshot(bin_dir: &Path, url: &str, dbname: &str) -> Result<Snapshot, String> {
    let out = Command::new(bin_dir.join("pg_dump"))
        .args(["--schema-only", "--no-password", "-d", url])
        .output()
        .map_err(|e| format!("pg_dump does not run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut blocks = dump_blocks(&String::from_utf8_lossy(&out.stdout), dbname);
    let catalog = super::psql_query(bin_dir, url, CATALOG)?;
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in catalog.lines() {
        let (key, value) = line.split_once('\t').unwrap_or((line, ""));
        grouped
            .entry(format!("catalog {key}"))
            .or_default()
            .push(value.to_owned());
    }
    blocks.extend(grouped);
    Ok(Snapshot {
        blocks: dedup_keys(blocks),
    })
}

/// Whether X and Z differ only in the order of some tables' columns, which PostgreSQL
/// cannot change in place (a column is always added last): equal once the lines of each
/// table's definition are sorted, without their trailing commas.
pub fn differs_only_in_column_order(x: &Snapshot, z: &Snapshot) -> bool {
    x != z && x.columns_unordered() == z.columns_unordered()
}

impl Snapshot {
    fn columns_unordered(&self) -> Snapshot {
        let blocks = self.blocks.iter().map(|(key, lines)| {
            let mut lines = lines.clone();
            if key.starts_with("TABLE ") {
                for line in &mut lines {
                    if let Some(cut) = line.strip_suffix(',') {
                        *line = cut.to_owned();
                    }
                }
                lines.sort();
            }
            (key.clone(), lines)
        });
        Snapshot {
            blocks: blocks.collect(),
        }
    }
}

/// The dump cut at its object headers, without comments, `SET` lines, blank lines and
/// psql meta-commands, with the database name replaced by `DB`. The lines of ACL blocks
/// are sorted: the order of the grants in an ACL array carries no meaning.
fn dump_blocks(dump: &str, dbname: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks: Vec<(String, Vec<String>)> = vec![("preamble".to_owned(), Vec::new())];
    for line in dump.lines() {
        if let Some(header) = line.strip_prefix("-- Name: ") {
            blocks.push((header_key(header), Vec::new()));
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.starts_with("--")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config(")
            || line.starts_with('\\')
        {
            continue;
        }
        let line = replace_word(line, dbname, "DB");
        blocks.last_mut().expect("a block").1.push(line);
    }
    for (key, lines) in &mut blocks {
        if key.starts_with("ACL ") || key.starts_with("DEFAULT ACL ") {
            lines.sort();
        }
    }
    blocks.retain(|(_, lines)| !lines.is_empty());
    blocks
}

/// `users; Type: TABLE; Schema: public; Owner: app` → `TABLE public.users`.
fn header_key(header: &str) -> String {
    let mut parts = header.split("; ");
    let name = parts.next().unwrap_or_default();
    let mut kind = "";
    let mut schema = "-";
    for part in parts {
        if let Some(k) = part.strip_prefix("Type: ") {
            kind = k;
        } else if let Some(s) = part.strip_prefix("Schema: ") {
            schema = s;
        }
    }
    match (schema, name.split_once(' ')) {
        ("-", _) => format!("{kind} {name}"),
        // `INDEX i` of a COMMENT, `TABLE t` of an ACL, `t c` of a constraint.
        (schema, Some(_)) => format!("{kind} {name} (schema {schema})"),
        (schema, None) => format!("{kind} {schema}.{name}"),
    }
}

fn dedup_keys(blocks: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    blocks
        .into_iter()
        .map(|(key, lines)| {
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let key = if *n == 1 { key } else { format!("{key} #{n}") };
            (key, lines)
        })
        .collect()
}

/// `text` with every whole-word occurrence of `word` replaced.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The first difference between X (after the apply) and Z (the declared state), as
/// one line: the dump's objects first (in Z's order: an object missing from X, or the
/// first differing line of one both have; then an object left in X), then the catalog
/// rows (a row missing from X or left in X).
pub fn first_difference(x: &Snapshot, z: &Snapshot) -> Option<String> {
    let xs: BTreeMap<&str, &Vec<String>> = x.blocks.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let zs: BTreeMap<&str, &Vec<String>> = z.blocks.iter().map(|(k, v)| (k.as_str(), v)).collect();
    for catalog in [false, true] {
        let in_phase = |key: &str| key.starts_with("catalog ") == catalog;
        for (key, z_lines) in z.blocks.iter().filter(|(k, _)| in_phase(k)) {
            let Some(x_lines) = xs.get(key.as_str()) else {
                return Some(format!("missing in X: {key}: {}", first(z_lines)));
            };
            if *x_lines == z_lines {
                continue;
            }
            return Some(if catalog {
                let missing = z_lines.iter().find(|l| !x_lines.contains(l));
                match missing {
                    Some(line) => format!("{key}: missing in X: `{}`", clip(line)),
                    None => {
                        let left = x_lines.iter().find(|l| !z_lines.contains(l));
                        format!("{key}: left in X: `{}`", clip(left.map_or("", |l| l)))
                    }
                }
            } else {
                format!("{key}: {}", first_line_difference(x_lines, z_lines))
            });
        }
        let left = x
            .blocks
            .iter()
            .filter(|(k, _)| in_phase(k))
            .find(|(key, _)| !zs.contains_key(key.as_str()));
        if let Some((key, lines)) = left {
            return Some(format!("left in X: {key}: {}", first(lines)));
        }
    }
    None
}

fn first(lines: &[String]) -> String {
    clip(lines.first().map_or("", String::as_str))
}

fn first_line_difference(x: &[String], z: &[String]) -> String {
    let i = x.iter().zip(z).take_while(|(a, b)| a == b).count();
    match (x.get(i), z.get(i)) {
        (Some(a), Some(b)) => format!("X has `{}`, Z has `{}`", clip(a), clip(b)),
        (Some(a), None) => format!("X has `{}` more", clip(a)),
        (None, Some(b)) => format!("X lacks `{}`", clip(b)),
        (None, None) => "same lines".to_owned(),
    }
}

/// One line, at most 160 characters.
pub fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// `section<TAB>line` rows, sorted: roles and their attributes, memberships, role
/// settings (cluster-wide and for this database), and the ACLs of this database's
/// objects (column ACLs included) and its default ACLs, each array sorted.
const CATALOG: &str = r#"
WITH user_ns AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
),
-- An ACL that is NULL means the default one; an explicit ACL equal to the default
-- means the same, so both are compared as what they grant.
acls (object, acl, dflt) AS (
  SELECT 'database', d.datacl, pg_catalog.acldefault('d', d.datdba)
  FROM pg_catalog.pg_database d WHERE d.datname = current_database()
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_namespace'::regclass, n.oid, 0), n.nspacl,
         pg_catalog.acldefault('n', n.nspowner)
  FROM pg_catalog.pg_namespace n JOIN user_ns u ON u.oid = n.oid
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_class'::regclass, c.oid, 0), c.relacl,
         pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)
  FROM pg_catalog.pg_class c JOIN user_ns u ON u.oid = c.relnamespace
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_class'::regclass, a.attrelid, a.attnum), a.attacl,
         '{}'::aclitem[]
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN user_ns u ON u.oid = c.relnamespace
  WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_proc'::regclass, p.oid, 0), p.proacl,
         pg_catalog.acldefault('f', p.proowner)
  FROM pg_catalog.pg_proc p JOIN user_ns u ON u.oid = p.pronamespace
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_type'::regclass, t.oid, 0), t.typacl,
         pg_catalog.acldefault('T', t.typowner)
  FROM pg_catalog.pg_type t JOIN user_ns u ON u.oid = t.typnamespace
  UNION ALL
  SELECT pg_catalog.pg_describe_object('pg_language'::regclass, l.oid, 0), l.lanacl,
         pg_catalog.acldefault('l', l.lanowner)
  FROM pg_catalog.pg_language l
)
SELECT section, line FROM (
  SELECT 'roles' AS section,
         r.rolname || ' ' || concat_ws(',', r.rolsuper, r.rolinherit, r.rolcreaterole,
           r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls,
           r.rolconnlimit, r.rolvaliduntil) AS line
  FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_'
  UNION ALL
  SELECT 'memberships', g.rolname || ' > ' || m.rolname || ' admin=' || am.admin_option
  FROM pg_catalog.pg_auth_members am
  JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
  JOIN pg_catalog.pg_roles m ON m.oid = am.member
  WHERE g.rolname !~ '^pg_'
  UNION ALL
  SELECT 'role settings',
         coalesce((SELECT rolname FROM pg_catalog.pg_roles WHERE oid = s.setrole), 'all roles')
         || ' in ' || CASE s.setdatabase WHEN 0 THEN 'all databases' ELSE 'this database' END
         || ': ' || array_to_string(ARRAY(SELECT unnest(s.setconfig) ORDER BY 1), ', ')
  FROM pg_catalog.pg_db_role_setting s
  WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database
                              WHERE datname = current_database()))
  UNION ALL
  SELECT 'acl', acls.object || ' ' || s.have
  FROM acls, LATERAL (
    SELECT array_to_string(ARRAY(SELECT unnest(coalesce(acls.acl, acls.dflt))::text
                                 ORDER BY 1), ',') AS have,
           array_to_string(ARRAY(SELECT unnest(acls.dflt)::text ORDER BY 1), ',') AS dflt
  ) AS s
  WHERE s.have <> s.dflt
  UNION ALL
  SELECT 'default acl',
         (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = da.defaclrole) || ' in '
         || coalesce((SELECT nspname FROM pg_catalog.pg_namespace
                      WHERE oid = da.defaclnamespace), 'all schemas')
         || ' on ' || da.defaclobjtype::text || ': '
         || array_to_string(ARRAY(SELECT unnest(da.defaclacl)::text ORDER BY 1), ',')
  FROM pg_catalog.pg_default_acl da
) AS rows
ORDER BY section, line
"#;
