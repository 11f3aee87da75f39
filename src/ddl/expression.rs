//! Expression text as the DDL sends it: the server's deparse is not always read back as
//! the same expression. An array constructor cast to another array type,
//! `(ARRAY['a'::character varying])::text[]` (what `status IN ('a', …)` on a `varchar`
//! column is stored and deparsed as), is parsed again with the cast pushed into every
//! element (`ARRAY[('a'::character varying)::text]`): an equal value, another text, so a
//! plan made from canonical text would never converge. Casting the constructor to the
//! type of its elements first (`ARRAY[…]::character varying[]`) keeps the array whole
//! and the cast outside it, which is what the server stored.

use pg_query::NodeRef;
use pg_query::protobuf::{AArrayExpr, ScanToken, Token, TypeCast, TypeName, node::Node};
use std::borrow::Cow;

const PREFIX: &str = "SELECT ";

/// `expression` written so that the server parses it to what it deparsed it from; the
/// text itself when nothing needs it (or it does not parse: the server will say why).
pub fn reparsable(expression: &str) -> Cow<'_, str> {
    if !expression.to_ascii_lowercase().contains("array") {
        return Cow::Borrowed(expression);
    }
    let sql = format!("{PREFIX}{expression}");
    let (Ok(parsed), Ok(tokens)) = (
        pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT),
        pg_query::scan_tokens(&sql),
    ) else {
        return Cow::Borrowed(expression);
    };
    let mut inserts: Vec<(usize, String)> = parsed
        .protobuf
        .nodes()
        .into_iter()
        .filter_map(|(node, _, _, _)| match node {
            NodeRef::TypeCast(cast) => match cast.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(Node::AArrayExpr(array)) => element_cast(&sql, &tokens, cast, array),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if inserts.is_empty() {
        return Cow::Borrowed(expression);
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = sql;
    for (at, text) in inserts {
        if !out.is_char_boundary(at) {
            return Cow::Borrowed(expression);
        }
        out.insert_str(at, &text);
    }
    Cow::Owned(out[PREFIX.len()..].to_string())
}

/// For `ARRAY[e::T, …]::U[]` with every element cast to the same `T` and `U` not `T`:
/// where `::T[]` goes (after the `]`) and the text.
fn element_cast(
    sql: &str,
    tokens: &[ScanToken],
    cast: &TypeCast,
    array: &AArrayExpr,
) -> Option<(usize, String)> {
    let outer = cast.type_name.as_ref()?;
    let start = usize::try_from(array.list_start).ok()?;
    let end = usize::try_from(array.list_end).ok()?;
    if array.elements.is_empty() || sql.as_bytes().get(end) != Some(&b']') {
        return None;
    }
    // Where each element ends: the commas between them, at their depth.
    let mut ends = Vec::new();
    let mut depth = 0i32;
    for t in tokens {
        let at = usize::try_from(t.start).ok()?;
        if at <= start || at >= end {
            continue;
        }
        match Token::try_from(t.token).ok()? {
            Token::Ascii40 | Token::Ascii91 => depth += 1,
            Token::Ascii41 | Token::Ascii93 => depth -= 1,
            Token::Ascii44 if depth == 0 => ends.push(at),
            _ => {}
        }
    }
    ends.push(end);
    if ends.len() != array.elements.len() {
        return None;
    }
    let mut element: Option<(&TypeName, &str)> = None;
    for (e, to) in array.elements.iter().zip(ends) {
        let Some(Node::TypeCast(c)) = e.node.as_ref() else {
            return None;
        };
        let t = c.type_name.as_ref()?;
        if !t.array_bounds.is_empty() {
            return None;
        }
        let text = type_text(sql, t.location, to)?;
        match element {
            None => element = Some((t, text)),
            Some((_, first)) if first == text => {}
            Some(_) => return None,
        }
    }
    let (t, text) = element?;
    let same = outer.array_bounds.len() == 1
        && outer.typmods.is_empty()
        && t.typmods.is_empty()
        && outer.names == t.names;
    (!same).then(|| (end + 1, format!("::{text}[]")))
}

/// The text of a type name from `location` to the end of its element `to`, without the
/// closing parentheses of the element.
fn type_text(sql: &str, location: i32, to: usize) -> Option<&str> {
    let from = usize::try_from(location).ok()?;
    let mut text = sql.get(from..to)?.trim_end();
    while text.ends_with(')') && text.matches(')').count() > text.matches('(').count() {
        text = text[..text.len() - 1].trim_end();
    }
    (!text.is_empty() && !text.contains('"')).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::reparsable;

    #[test]
    fn an_array_cast_to_another_type_keeps_its_element_type() {
        let deparsed = "((status)::text = ANY ((ARRAY['pending'::character varying, \
                        'shipped'::character varying])::text[]))";
        assert_eq!(
            reparsable(deparsed),
            "((status)::text = ANY ((ARRAY['pending'::character varying, \
             'shipped'::character varying]::character varying[])::text[]))"
        );
        let typmod = "(ARRAY[('a'::character varying(3)), 'b'::character varying(3)])::text[]";
        assert_eq!(
            reparsable(typmod),
            "(ARRAY[('a'::character varying(3)), 'b'::character varying(3)]\
             ::character varying(3)[])::text[]"
        );
    }

    #[test]
    fn other_arrays_are_left_as_they_are() {
        for text in [
            "(x = ANY (ARRAY['a'::text, 'b'::text]))",
            "(ARRAY['a'::text, 'b'::text])::text[]",
            "(ARRAY['a'::text, 'b'])::varchar[]",
            "(ARRAY['a'::text, 'b'::varchar])::name[]",
            "(ARRAY[a, b])::text[]",
            "'{a,b}'::text[]",
            "(ARRAY[ARRAY[1::int8]])::int4[]",
            "x = 'array'",
            "not valid (",
        ] {
            assert_eq!(reparsable(text), text);
        }
    }
}
