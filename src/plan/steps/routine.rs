//! Functions and procedures: create (the server's canonical statement), replace in
//! place, drop.

use crate::diff::RoutineChange;
use crate::model::*;
use crate::plan::builder::{Builder, user_type};
use crate::plan::{Action, HazardKind, Key, Node, phase};

pub(super) fn routine(change: &RoutineChange) -> Node {
    match change {
        RoutineChange::Create { function, rebuilt } => create(function, *rebuilt),
        RoutineChange::Replace { function, from } => replace(function, from),
        RoutineChange::Drop {
            function,
            rebuilt,
            rebuilds,
        } => drop(function, *rebuilt, rebuilds),
    }
}

fn what(f: &Function) -> &'static str {
    if f.is_procedure {
        "procedure"
    } else {
        "function"
    }
}

fn object(f: &Function) -> ObjectRef {
    ObjectRef::Function { id: f.id.clone() }
}

/// The statement, and what ordering needs of it: its schema, the user types of its
/// signature and result, and the tables a `BEGIN ATOMIC` body reads (a string body is not
/// checked when created: `check_function_bodies` is off for it).
fn definition(b: &mut Builder, f: &Function) {
    let Some(d) = &f.definition else {
        return;
    };
    if d.language == "sql" && d.text.contains("\nAS ") {
        // A string body may read tables this plan creates after the function (a
        // `BEGIN ATOMIC` body is always checked: it waits for them, see below).
        b.sql("SET LOCAL check_function_bodies = off".into());
    }
    b.sql(d.text.trim_end().to_string());
    b.requires.push(Key::Schema(f.id.schema.clone()));
    signature(b, f);
    for name in body_tables(&d.text) {
        b.requires.push(Key::Relation(name));
    }
    // Routines its parameter defaults (or a `BEGIN ATOMIC` body) call, which the server
    // resolves at creation; a string body is resolved only when it runs.
    let own = QualifiedName::new(&f.id.schema, &f.id.name);
    for name in called_routines(d) {
        if name != own {
            b.requires.push(Key::FunctionName(name));
        }
    }
    b.details.push(format!("language: {}", d.language));
    if let Some(r) = &d.result {
        b.details.push(format!("returns: {r}"));
    }
    if d.security_definer {
        b.details
            .push("SECURITY DEFINER: runs with its owner's privileges".into());
    }
}

/// The user types of a routine's signature and result, or the relations whose row types
/// they are: created before the routine, dropped after it.
fn signature(b: &mut Builder, f: &Function) {
    let mut types: Vec<&str> = split_types(&f.id.arguments);
    if let Some(r) = f.definition.as_ref().and_then(|d| d.result.as_ref()) {
        let r = r.strip_prefix("SETOF ").unwrap_or(r);
        if !r.starts_with("TABLE(") {
            types.push(r);
        }
    }
    for t in types {
        // A type, or a table's or view's row type.
        b.require_type(t);
        if let Some(name) = user_type(t) {
            b.requires.push(Key::Relation(name));
        }
    }
}

/// The tables a SQL-standard body (`BEGIN ATOMIC … END` or `RETURN …`) reads, from the
/// canonical text, where every name is qualified. A string body is not looked into.
fn body_tables(text: &str) -> Vec<QualifiedName> {
    let Some(body) = crate::model::sql_body(text) else {
        return Vec::new();
    };
    let Ok(parsed) = pg_query::parse(&body, pg_query::ParserOptions::DEFAULT) else {
        return Vec::new();
    };
    let mut tables: Vec<QualifiedName> = parsed
        .tables()
        .iter()
        .filter_map(|t| QualifiedName::parse(t))
        .collect();
    tables.sort();
    tables
}

/// Argument types split at their top-level commas.
fn split_types(arguments: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    for (i, c) in arguments.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(arguments[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = arguments[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

fn create(f: &Function, rebuilt: bool) -> Node {
    let mut b = Builder::default();
    let object = object(f);
    definition(&mut b, f);
    b.owned_by(&object, f.owner.as_ref());
    b.comment(&object, f.comment.as_ref());
    b.creates.push(Key::Function(f.id.clone()));
    // Triggers name their function without its arguments.
    b.creates.push(Key::FunctionName(name_of(f)));
    let again = if rebuilt { " again" } else { "" };
    b.finish(
        phase::FUNCTION,
        Action::Create,
        object,
        format!("create {} {}{again}", what(f), f.id),
    )
}

fn replace(f: &Function, from: &str) -> Node {
    let mut b = Builder::default();
    let object = object(f);
    definition(&mut b, f);
    if from.trim_end() != f.definition.as_ref().map_or("", |d| d.text.trim_end()) {
        b.details
            .push("definition: replaced in place (CREATE OR REPLACE)".into());
    }
    b.require_object(&object);
    b.finish(
        phase::FUNCTION,
        Action::Alter,
        object,
        format!("replace {} {}", what(f), f.id),
    )
}

fn drop(f: &Function, rebuilt: bool, rebuilds: &[ObjectRef]) -> Node {
    let mut b = Builder::default();
    let keyword = if f.is_procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    b.sql(format!(
        "DROP {keyword} {}({})",
        crate::sql::qualified(&f.id.schema, &f.id.name),
        f.id.arguments
    ));
    if !rebuilds.is_empty() {
        let names: Vec<String> = rebuilds.iter().map(ToString::to_string).collect();
        b.details.push(format!(
            "dropped before it and created again after it, in the same transaction: {}",
            names.join(", ")
        ));
        b.hazard(
            HazardKind::AccessExclusiveLock,
            format!(
                "its arguments or result change, which CREATE OR REPLACE cannot do: the {} \
                 is dropped and created again, and what calls it ({}) with it; they are \
                 unavailable until the transaction commits",
                what(f),
                names.join(", ")
            ),
        );
    } else if rebuilt {
        b.hazard(
            HazardKind::AccessExclusiveLock,
            format!(
                "its arguments or result change, which CREATE OR REPLACE cannot do: the {} \
                 is dropped and created again, and objects that depend on it make the drop \
                 fail",
                what(f)
            ),
        );
    } else {
        b.hazard(
            HazardKind::DeletesData,
            format!(
                "drops {} {} with its definition, grants and comment",
                what(f),
                f.id
            ),
        );
    }
    b.requires.push(Key::Schema(f.id.schema.clone()));
    // Dropped before the types and relations of its signature.
    signature(&mut b, f);
    // Dropped before the routines it calls at creation (a parameter default, a SQL
    // body), which PostgreSQL keeps while it exists.
    if let Some(d) = &f.definition {
        let own = name_of(f);
        for name in called_routines(d) {
            if name != own {
                b.requires.push(Key::FunctionName(name));
            }
        }
    }
    b.drops.push(Key::Function(f.id.clone()));
    b.drops.push(Key::FunctionName(name_of(f)));
    let (phase, then) = if rebuilt {
        (phase::FUNCTION, " to create it again")
    } else {
        (phase::DROP_FUNCTION, "")
    };
    b.finish(
        phase,
        Action::Drop,
        object(f),
        format!("drop {} {}{then}", what(f), f.id),
    )
}

/// Schema-qualified user routines the server resolves when the routine is created:
/// those its parameter defaults call (`pg_get_function_arguments`), and those a
/// `BEGIN ATOMIC` or `RETURN` body calls (a string body is resolved only when it runs).
/// As the server prints them, every name outside `pg_catalog` is qualified.
fn called_routines(d: &RoutineDefinition) -> Vec<QualifiedName> {
    let mut sources: Vec<String> = Vec::new();
    let defaults: Vec<&str> = top_level_parts(&d.arguments)
        .into_iter()
        .filter_map(|p| p.split_once(" DEFAULT ").map(|(_, e)| e))
        .collect();
    if !defaults.is_empty() {
        sources.push(format!("SELECT {}", defaults.join(", ")));
    }
    sources.extend(d.sql_body());
    let mut names = Vec::new();
    for source in sources {
        let Ok(parsed) = pg_query::parse(&source, pg_query::ParserOptions::DEFAULT) else {
            continue;
        };
        for (node, _, _, _) in parsed.protobuf.nodes() {
            if let pg_query::NodeRef::FuncCall(call) = node {
                let parts: Vec<&str> = call
                    .funcname
                    .iter()
                    .filter_map(|n| match &n.node {
                        Some(pg_query::NodeEnum::String(s)) => Some(s.sval.as_str()),
                        _ => None,
                    })
                    .collect();
                if let [schema, name] = parts.as_slice()
                    && *schema != "pg_catalog"
                {
                    names.push(QualifiedName::new(*schema, *name));
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// `text` split at its top-level commas (outside parentheses and quotes).
fn top_level_parts(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text[start..].trim());
    out
}

fn name_of(f: &Function) -> QualifiedName {
    QualifiedName::new(&f.id.schema, &f.id.name)
}

#[cfg(test)]
mod tests {
    use super::{body_tables, split_types};
    use crate::model::QualifiedName;

    #[test]
    fn sql_standard_bodies_name_the_tables_they_read() {
        let atomic = "CREATE OR REPLACE FUNCTION app.f()\n RETURNS SETOF text\n LANGUAGE sql\n\
                      BEGIN ATOMIC\n SELECT items.name\n    FROM app.items\n  JOIN app.tags \
                      USING (id);\n INSERT INTO app.log DEFAULT VALUES;\nEND\n";
        assert_eq!(
            body_tables(atomic),
            ["app.items", "app.log", "app.tags"].map(|t| QualifiedName::parse(t).unwrap())
        );
        let ret = "CREATE OR REPLACE FUNCTION app.g()\n RETURNS bigint\n LANGUAGE sql\n\
                   RETURN (SELECT count(*) AS count FROM app.items)\n";
        assert_eq!(
            body_tables(ret),
            [QualifiedName::parse("app.items").unwrap()]
        );
        let string = "CREATE OR REPLACE FUNCTION app.h()\n RETURNS bigint\n LANGUAGE sql\n\
                      AS $function$SELECT count(*) FROM app.items$function$\n";
        assert!(body_tables(string).is_empty());
    }

    #[test]
    fn argument_types_split_at_top_level_commas() {
        assert_eq!(
            split_types("integer, \"a,b\".t, numeric(10,2)[]"),
            ["integer", "\"a,b\".t", "numeric(10,2)[]"]
        );
        assert!(split_types("").is_empty());
    }
}
