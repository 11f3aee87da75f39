//! Declared renames of views, routines, triggers, composite and range types and
//! collations (`Catalog.renamed_from`), the counterpart of `rename.rs` for the kinds
//! declared in `.sql` files: which renames apply (the old name exists live, the new one
//! does not, and the old name is not itself declared: the table semantics), and the live
//! catalog rewritten as it will read once they are done, so that every other kind
//! compares against the new names and nothing is re-created because of a name.
//!
//! The rewrite moves each renamed object to its new name and follows the names where
//! the server prints them: the relations views read and the routines they call, trigger
//! functions, type and collation names of columns, attributes, domains and ranges,
//! routine signatures, and the SQL text the server deparses (view definitions, column
//! defaults, checks, index and policy expressions, `BEGIN ATOMIC` bodies) at the tokens
//! `schema.old` (and, in view definitions, a renamed view's name as a column
//! qualifier). A string body (`AS $$…$$`) is stored as written and is not rewritten.

use super::rename::{Found, find_live};
use crate::model::*;
use std::collections::BTreeMap;

/// One rename; `plan` makes one step of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRename {
    /// The object under its new name.
    pub object: ObjectRef,
    /// Its previous name: same schema (same table for a trigger, same argument types for
    /// a routine).
    pub from: String,
    pub kind: RenamedKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenamedKind {
    /// Its output columns (what reads them waits for the rename).
    View {
        materialized: bool,
        columns: Vec<String>,
    },
    Routine {
        procedure: bool,
    },
    Trigger,
    /// A range type's multirange renamed with it: (old, new).
    Type {
        multirange: Option<(String, String)>,
    },
    Collation,
}

/// `schema.old` → new name, for the text rewrite.
type Names = BTreeMap<(String, String), String>;

/// The renames that apply, and the live catalog as it reads after them (`None`: none).
pub(super) fn object_renames(
    desired: &Catalog,
    live: &Catalog,
) -> (Vec<ObjectRename>, Option<Catalog>) {
    let mut out = Vec::new();
    for (object, old) in &desired.renamed_from {
        if let Some(r) = applies(desired, live, object, old) {
            out.push(r);
        }
    }
    if out.is_empty() {
        return (out, None);
    }
    let mut c = live.clone();
    let mut names = Names::new();
    let mut views = BTreeMap::new();
    for r in &out {
        move_object(desired, live, &mut c, r, &mut names, &mut views);
    }
    rewrite(&mut c, &names, &views, &out);
    (out, Some(c))
}

fn qn(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

/// The rename declared for `object`, when it applies.
fn applies(
    desired: &Catalog,
    live: &Catalog,
    object: &ObjectRef,
    old: &str,
) -> Option<ObjectRename> {
    let schema = match object {
        ObjectRef::Relation { name, .. }
        | ObjectRef::Type { name, .. }
        | ObjectRef::Collation { name } => &name.schema,
        ObjectRef::Function { id } => &id.schema,
        ObjectRef::TablePart { table, .. } => &table.schema,
        _ => return None,
    };
    if !desired.schemas.contains_key(schema) {
        return None;
    }
    let rename = |kind| {
        Some(ObjectRename {
            object: object.clone(),
            from: old.to_string(),
            kind,
        })
    };
    match object {
        ObjectRef::Relation { name, .. } => {
            let before = qn(&name.schema, old);
            if !desired.views.contains_key(name)
                || live.relations.contains_key(name)
                || desired.views.contains_key(&before)
                || desired.relations.contains_key(&before)
            {
                return None;
            }
            let have = live.views.get(&before)?;
            rename(RenamedKind::View {
                materialized: have.materialized,
                columns: have.column_names(),
            })
        }
        ObjectRef::Function { id } => {
            let before = FunctionId {
                name: old.to_string(),
                ..id.clone()
            };
            if !desired.functions.contains_key(id)
                || live.functions.contains_key(id)
                || desired.functions.contains_key(&before)
            {
                return None;
            }
            let have = live.functions.get(&before)?;
            rename(RenamedKind::Routine {
                procedure: have.is_procedure,
            })
        }
        ObjectRef::TablePart {
            part: TablePart::Trigger,
            table,
            name,
        } => {
            let want_t = desired.tables.get(table)?;
            let have_t = match find_live(want_t, desired, live) {
                Found::Same(t) | Found::Renamed(t) => t,
                Found::New => return None,
            };
            if !want_t.triggers.contains_key(name)
                || want_t.triggers.contains_key(old)
                || have_t.triggers.contains_key(name)
                || !have_t.triggers.contains_key(old)
            {
                return None;
            }
            rename(RenamedKind::Trigger)
        }
        ObjectRef::Type { name, .. } => {
            let before = qn(&name.schema, old);
            let taken = |c: &Catalog, n: &QualifiedName| {
                c.composite_types.contains_key(n)
                    || c.range_types.contains_key(n)
                    || c.enums.contains_key(n)
                    || c.domains.contains_key(n)
            };
            if taken(live, name) || taken(desired, &before) {
                return None;
            }
            if desired.composite_types.contains_key(name)
                && live.composite_types.contains_key(&before)
            {
                return rename(RenamedKind::Type { multirange: None });
            }
            let (want, have) = (
                desired.range_types.get(name)?,
                live.range_types.get(&before)?,
            );
            let multirange = (want.multirange != have.multirange
                && want.multirange.schema == have.multirange.schema
                && !taken(live, &want.multirange))
            .then(|| (have.multirange.name.clone(), want.multirange.name.clone()));
            rename(RenamedKind::Type { multirange })
        }
        ObjectRef::Collation { name } => {
            let before = qn(&name.schema, old);
            if !desired.collations.contains_key(name)
                || live.collations.contains_key(name)
                || desired.collations.contains_key(&before)
                || !live.collations.contains_key(&before)
            {
                return None;
            }
            rename(RenamedKind::Collation)
        }
        _ => None,
    }
}

/// Moves one renamed object to its new name in `c` and records the names to rewrite.
fn move_object(
    desired: &Catalog,
    live: &Catalog,
    c: &mut Catalog,
    r: &ObjectRename,
    names: &mut Names,
    views: &mut BTreeMap<String, String>,
) {
    match &r.object {
        ObjectRef::Relation { name, .. } => {
            let before = qn(&name.schema, &r.from);
            if let Some(mut v) = c.views.remove(&before) {
                v.name = name.clone();
                c.views.insert(name.clone(), v);
            }
            if let Some(mut rel) = c.relations.remove(&before) {
                rel.name = name.clone();
                c.relations.insert(name.clone(), rel);
            }
            names.insert((name.schema.clone(), r.from.clone()), name.name.clone());
            views.insert(r.from.clone(), name.name.clone());
        }
        ObjectRef::Function { id } => {
            let before = FunctionId {
                name: r.from.clone(),
                ..id.clone()
            };
            if let Some(mut f) = c.functions.remove(&before) {
                f.id = id.clone();
                c.functions.insert(id.clone(), f);
            }
            names.insert((id.schema.clone(), r.from.clone()), id.name.clone());
        }
        ObjectRef::TablePart { table, name, .. } => {
            let Some(want_t) = desired.tables.get(table) else {
                return;
            };
            let (Found::Same(have_t) | Found::Renamed(have_t)) = find_live(want_t, desired, live)
            else {
                return;
            };
            if let Some(t) = c.tables.get_mut(&have_t.name)
                && let Some(mut tr) = t.triggers.remove(&r.from)
            {
                tr.name = name.clone();
                t.triggers.insert(name.clone(), tr);
            }
        }
        ObjectRef::Type { name, .. } => {
            let before = qn(&name.schema, &r.from);
            if let Some(mut t) = c.composite_types.remove(&before) {
                t.name = name.clone();
                c.composite_types.insert(name.clone(), t);
            }
            if let Some(mut t) = c.range_types.remove(&before) {
                t.name = name.clone();
                if let RenamedKind::Type {
                    multirange: Some((old, new)),
                } = &r.kind
                {
                    t.multirange.name = new.clone();
                    names.insert((name.schema.clone(), old.clone()), new.clone());
                }
                c.range_types.insert(name.clone(), t);
            }
            names.insert((name.schema.clone(), r.from.clone()), name.name.clone());
        }
        ObjectRef::Collation { name } => {
            let before = qn(&name.schema, &r.from);
            if let Some(mut x) = c.collations.remove(&before) {
                x.name = name.clone();
                c.collations.insert(name.clone(), x);
            }
            names.insert((name.schema.clone(), r.from.clone()), name.name.clone());
        }
        _ => {}
    }
}

/// Every name the server prints for what was renamed, as it prints it after the renames.
fn rewrite(
    c: &mut Catalog,
    names: &Names,
    views: &BTreeMap<String, String>,
    renames: &[ObjectRename],
) {
    let none = BTreeMap::new();
    let text = |s: &mut String| *s = rename_names(s, names, &none);
    let opt = |s: &mut Option<String>| {
        if let Some(s) = s {
            *s = rename_names(s, names, &none);
        }
    };
    let relation = |n: &mut QualifiedName| {
        if let Some(new) = names.get(&(n.schema.clone(), n.name.clone())) {
            n.name = new.clone();
        }
    };
    let routine = |id: &FunctionId| -> FunctionId {
        let mut id = id.clone();
        let renamed = renames.iter().any(|r| {
            matches!(&r.object, ObjectRef::Function { id: new }
                if new.schema == id.schema && r.from == id.name && new.arguments == id.arguments)
        });
        if renamed && let Some(new) = names.get(&(id.schema.clone(), id.name.clone())) {
            id.name = new.clone();
        }
        id.arguments = rename_names(&id.arguments, names, &none);
        id
    };
    for t in c.tables.values_mut() {
        for col in &mut t.columns {
            text(&mut col.type_name);
            opt(&mut col.collation);
            opt(&mut col.default);
            opt(&mut col.generated);
        }
        for con in t.constraints.values_mut() {
            if let ConstraintKind::Check { expression, .. } = &mut con.kind {
                text(expression);
            }
        }
        for i in t.indexes.values_mut() {
            for k in &mut i.keys {
                opt(&mut k.expression);
                opt(&mut k.collation);
            }
            opt(&mut i.predicate);
        }
        for p in t.policies.values_mut() {
            opt(&mut p.using);
            opt(&mut p.with_check);
        }
        for tr in t.triggers.values_mut() {
            relation(&mut tr.function);
            opt(&mut tr.when);
        }
    }
    for ct in c.composite_types.values_mut() {
        for a in &mut ct.attributes {
            text(&mut a.type_name);
            opt(&mut a.collation);
        }
    }
    for d in c.domains.values_mut() {
        text(&mut d.base_type);
        opt(&mut d.collation);
        opt(&mut d.default);
        d.checks.values_mut().for_each(text);
    }
    for r in c.range_types.values_mut() {
        text(&mut r.subtype);
        opt(&mut r.collation);
    }
    for v in c.views.values_mut() {
        v.definition = rename_names(&v.definition, names, views);
        v.columns
            .iter_mut()
            .for_each(|col| text(&mut col.type_name));
        v.indexes.values_mut().for_each(text);
        for (r, _) in &mut v.reads {
            relation(r);
        }
        v.calls = v.calls.iter().map(routine).collect();
        for tr in v.triggers.values_mut() {
            relation(&mut tr.function);
            opt(&mut tr.when);
        }
    }
    let functions = std::mem::take(&mut c.functions);
    for (_, mut f) in functions {
        f.id = routine(&f.id);
        if let Some(d) = &mut f.definition {
            text(&mut d.text);
            text(&mut d.arguments);
            opt(&mut d.result);
        }
        c.functions.insert(f.id.clone(), f);
    }
}

/// `text` with every `schema.old` of `names` (as tokens) written `schema.new`, and, for
/// view definitions, every `old.` of `qualifiers` (a relation name qualifying a column,
/// not preceded by a dot) written `new.`. Text that does not scan is returned as it is.
pub(super) fn rename_names(
    text: &str,
    names: &Names,
    qualifiers: &BTreeMap<String, String>,
) -> String {
    use pg_query::protobuf::{KeywordKind, Token};
    let Ok(scan) = pg_query::scan(text) else {
        return text.to_string();
    };
    let tokens = &scan.tokens;
    let is_dot = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.token == Token::Ascii46 as i32)
    };
    let name_at = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        let is_name =
            t.token == Token::Ident as i32 || t.keyword_kind != KeywordKind::NoKeyword as i32;
        if !is_name {
            return None;
        }
        let raw = text.get(t.start as usize..t.end as usize)?;
        Some(
            match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                Some(q) => q.replace("\"\"", "\""),
                None => raw.to_lowercase(),
            },
        )
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for i in 0..tokens.len() {
        let Some(first) = name_at(i) else { continue };
        if i > 0 && is_dot(i - 1) {
            continue;
        }
        if is_dot(i + 1)
            && let Some(second) = name_at(i + 2)
            && let Some(new) = names.get(&(first.clone(), second))
        {
            let t = &tokens[i + 2];
            edits.push((
                t.start as usize,
                t.end as usize,
                crate::sql::quote_ident(new),
            ));
        } else if is_dot(i + 1)
            && let Some(new) = qualifiers.get(&first)
        {
            let t = &tokens[i];
            edits.push((
                t.start as usize,
                t.end as usize,
                crate::sql::quote_ident(new),
            ));
        }
    }
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, &new);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_and_view_qualifiers_follow_their_renames() {
        let names: Names = [(("app".into(), "old_v".into()), "v".into())].into();
        let views: BTreeMap<String, String> = [("old_v".into(), "v".into())].into();
        assert_eq!(
            rename_names(
                "SELECT old_v.a, x.old_v FROM app.old_v JOIN other.old_v x ON true",
                &names,
                &views
            ),
            "SELECT v.a, x.old_v FROM app.v JOIN other.old_v x ON true"
        );
        let names: Names = [(("app".into(), "Old T".into()), "new t".into())].into();
        assert_eq!(
            rename_names("'x'::app.\"Old T\"[]", &names, &BTreeMap::new()),
            "'x'::app.\"new t\"[]"
        );
        assert_eq!(
            rename_names("'app.\"Old T\"'::text", &names, &BTreeMap::new()),
            "'app.\"Old T\"'::text"
        );
    }
}
