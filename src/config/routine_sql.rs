//! `CREATE FUNCTION` / `CREATE PROCEDURE` statements read offline: where the routine's
//! name is written, and its identity (argument types) as close to the server's
//! `oidvectortypes` text as the parse tree allows. Canonicalisation settles the
//! identity with the server; this one matches `[functions."s.f(args)"]` keys to their
//! statements offline, both sides normalised the same way.

use crate::sql::quote_ident;
use pg_query::NodeEnum;
use pg_query::protobuf::{CreateFunctionStmt, FunctionParameterMode, Token, TypeName};
use std::ops::Range;

/// Byte range of the routine's name (`app.f`, schema included) in the statement, and of
/// its first part (the schema when the name is qualified).
pub(crate) fn name_ranges(text: &str) -> Option<(Range<usize>, Range<usize>)> {
    let scan = pg_query::scan(text).ok()?;
    let tokens = &scan.tokens;
    let keyword = tokens
        .iter()
        .position(|t| t.token == Token::Function as i32 || t.token == Token::Procedure as i32)?;
    let first = tokens.get(keyword + 1)?;
    let open = tokens[keyword + 1..]
        .iter()
        .find(|t| t.token == Token::Ascii40 as i32)?;
    let last = tokens[keyword + 1..]
        .iter()
        .take_while(|t| t.start < open.start)
        .last()?;
    let at = |v: i32| usize::try_from(v).ok();
    Some((
        at(first.start)?..at(last.end)?,
        at(first.start)?..at(first.end)?,
    ))
}

/// The parts of the routine's name as written (`["app", "f"]`).
pub(crate) fn name_parts(stmt: &CreateFunctionStmt) -> Vec<String> {
    stmt.funcname
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// The identity arguments: the types of the `IN`, `INOUT` and `VARIADIC` parameters,
/// `, `-separated, as `oidvectortypes` prints built-in types.
pub(crate) fn identity_arguments(stmt: &CreateFunctionStmt) -> String {
    let mut out = Vec::new();
    for p in &stmt.parameters {
        let Some(NodeEnum::FunctionParameter(p)) = &p.node else {
            continue;
        };
        let mode = p.mode;
        if mode == FunctionParameterMode::FuncParamOut as i32
            || mode == FunctionParameterMode::FuncParamTable as i32
        {
            continue;
        }
        if let Some(t) = &p.arg_type {
            out.push(type_text(t));
        }
    }
    out.join(", ")
}

/// The identity arguments of a `[functions."s.f(args)"]` key, normalised as the
/// statements' are; `None` when they do not parse as a parameter list.
pub(crate) fn key_arguments(arguments: &str) -> Option<String> {
    let sql = format!("CREATE FUNCTION pgrecon_key.f({arguments}) RETURNS void LANGUAGE sql AS ''");
    let parsed = pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT).ok()?;
    let stmt = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    match stmt {
        NodeEnum::CreateFunctionStmt(s) if parsed.protobuf.stmts.len() == 1 => {
            Some(identity_arguments(s))
        }
        _ => None,
    }
}

fn type_text(t: &TypeName) -> String {
    let names: Vec<&str> = t
        .names
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect();
    let base = match names.as_slice() {
        ["pg_catalog", n] | [n] => builtin(n).map_or_else(|| quote_ident(n), str::to_string),
        parts => parts
            .iter()
            .map(|p| quote_ident(p))
            .collect::<Vec<_>>()
            .join("."),
    };
    let mut out = if t.pct_type {
        format!("{base}%TYPE")
    } else {
        base
    };
    for _ in &t.array_bounds {
        out.push_str("[]");
    }
    out
}

/// How `format_type` names the built-in types whose SQL spelling differs from their
/// catalog name (the parser turns `int`, `integer`, `varchar`, … into these).
fn builtin(name: &str) -> Option<&'static str> {
    Some(match name {
        "int2" | "smallint" => "smallint",
        "int4" | "int" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "float4" | "real" => "real",
        "float8" => "double precision",
        "bool" | "boolean" => "boolean",
        "varchar" => "character varying",
        "bpchar" => "character",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        "time" => "time without time zone",
        "timetz" => "time with time zone",
        "varbit" => "bit varying",
        "decimal" | "numeric" => "numeric",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(sql: &str) -> CreateFunctionStmt {
        let parsed = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).unwrap();
        match parsed.protobuf.stmts[0]
            .stmt
            .as_ref()
            .unwrap()
            .node
            .as_ref()
        {
            Some(NodeEnum::CreateFunctionStmt(s)) => (**s).clone(),
            _ => panic!("not a function"),
        }
    }

    #[test]
    fn identity_is_the_input_types_as_the_server_prints_them() {
        let s = stmt(
            "CREATE FUNCTION app.f(a int, b varchar(3)[], OUT c text, VARIADIC d timestamptz[], \
             e app.mood) RETURNS record LANGUAGE sql AS 'select 1'",
        );
        assert_eq!(
            identity_arguments(&s),
            "integer, character varying[], timestamp with time zone[], app.mood"
        );
        assert_eq!(name_parts(&s), ["app", "f"]);
        assert_eq!(
            key_arguments("integer,character varying[] , timestamptz[], app.mood").as_deref(),
            Some("integer, character varying[], timestamp with time zone[], app.mood")
        );
        assert_eq!(
            key_arguments("integer) RETURNS int; DROP TABLE x; --"),
            None
        );
    }

    #[test]
    fn name_ranges_point_at_the_name() {
        let text = "CREATE OR REPLACE PROCEDURE \"My\".p (x int) LANGUAGE sql AS ''";
        let (name, schema) = name_ranges(text).unwrap();
        assert_eq!(&text[name], "\"My\".p");
        assert_eq!(&text[schema], "\"My\"");
    }
}
