//! The one escaping rule per output format. PostgreSQL names may hold any character but
//! NUL, and they come from the live catalog as well as from the desired state, so every
//! name or free text that reaches an output goes through one of these:
//!
//! - `text_line`: terminal text (and the rest of a line in any format): no line break,
//!   no control character (so no terminal escape sequence), no bidi override or isolate;
//!   each shows as a visible escape (`\n`, `\u{1b}`, `\u{202e}`).
//! - `sql_comment`: the text of a `--` comment line in a psql script: `text_line`, so the
//!   comment cannot end early and the rest run as SQL.
//! - `md_text`, `md_code`, `md_fence`: Markdown inline text, an inline code span and the
//!   fence of a code block that its content cannot close.
//! - `json_text`: serde_json's output with line separators and bidi controls escaped too.
//! - `slack_text`: one line of Slack mrkdwn (a webhook's `text`): `text_line`, and `&`,
//!   `<`, `>` as entities, so no link or mention can be made.
//! - `toml_key`, `toml_string`: one-line TOML keys and strings that parse back exactly.
//!
//! SQL statements themselves need none of this: identifiers and literals reach them
//! through `sql::quote_ident` / `sql::quote_literal`, inside which psql accepts anything.

use std::borrow::Cow;

/// Characters that must never reach an output raw: every control character (C0, DEL,
/// C1: line breaks, ESC, NUL), the Unicode line and paragraph separators, and the bidi
/// embedding, override, isolate and mark characters that can make text display in an
/// order other than the one it has.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `s` holds a character `is_unsafe` rejects.
pub fn has_unsafe(s: &str) -> bool {
    s.chars().any(is_unsafe)
}

fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// One line of terminal text: every unsafe character as a visible escape. Text without
/// any is returned as it is (backslashes included), so ordinary output is unchanged.
pub fn text_line(s: &str) -> Cow<'_, str> {
    if !has_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The text of a `--` comment in a psql script. psql ends a comment at LF or CR; with
/// neither (nor any other control character) the comment is one line.
pub fn sql_comment(s: &str) -> Cow<'_, str> {
    text_line(s)
}

/// Markdown inline text (a table cell, a list item): one line; `\`, `` ` ``, `*`, `_`,
/// `[`, `]`, `<`, `>`, `|`, `&`, `~`, `$` backslash-escaped (valid CommonMark for any
/// ASCII punctuation), so no emphasis, link, code span, HTML, table cell boundary,
/// strikethrough or math can start. `_` between two alphanumerics cannot open or close
/// emphasis and stays as it is, so `butler_general_app` reads as written.
pub fn md_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '_' => {
                let inner = i > 0
                    && chars[i - 1].is_alphanumeric()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                if !inner {
                    out.push('\\');
                }
                out.push('_');
            }
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown inline code span of one line. Whitespace runs (line breaks included)
/// become one space, other unsafe characters visible escapes; the backtick fence is
/// longer than any backtick run inside, so the content cannot close it.
pub fn md_code(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let content = text_line(&one_line);
    let longest = longest_backtick_run(&content);
    if longest == 0 {
        format!("`{content}`")
    } else {
        // The spaces keep a backtick at either end from joining the fence; CommonMark
        // strips one on each side.
        let fence = "`".repeat(longest + 1);
        format!("{fence} {content} {fence}")
    }
}

/// The fence of a fenced code block holding `content`: backticks, at least three, and
/// more than the longest run inside, so no line of the content can close the block.
pub fn md_fence(content: &str) -> String {
    "`".repeat((longest_backtick_run(content) + 1).max(3))
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// JSON text as serde_json writes it, with the unsafe characters JSON allows raw in
/// strings (line separators, bidi controls) as `\uXXXX` too: the same values, and a
/// terminal or a diff shows them. They can only occur inside strings, so replacing them
/// anywhere is exact.
pub fn json_text(json: String) -> String {
    if !has_unsafe(&json.replace('\n', "")) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// One line of Slack mrkdwn: `text_line`, then `&`, `<` and `>` as `&amp;`, `&lt;` and
/// `&gt;`, Slack's documented escaping: without `<` no link (`<http://x|merge>`), user,
/// channel or `<!channel>` mention can start.
pub fn slack_text(s: &str) -> String {
    let line = text_line(s);
    if !line.contains(['&', '<', '>']) {
        return line.into_owned();
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A TOML key: bare when TOML allows it, else a one-line string (`toml_string`).
pub fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_string()
    } else {
        toml_string(name)
    }
}

/// A TOML string on one line that parses back to exactly `s`: a basic string when
/// nothing needs escaping, a literal one when only backslashes or quotes would (so
/// regular expressions stay readable), else a basic string with `\"`, `\\`, `\n`, `\r`,
/// `\t` and `\uXXXX` for every other unsafe character (bidi controls included, so a
/// reviewer sees them).
pub fn toml_string(s: &str) -> String {
    let unsafe_chars = has_unsafe(s);
    if !unsafe_chars && !s.contains(['"', '\\']) {
        return format!("\"{s}\"");
    }
    if !unsafe_chars && !s.contains('\'') {
        return format!("'{s}'");
    }
    let mut out = String::with_capacity(s.len() + 8);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                // TOML's \u takes four hex digits; every unsafe character is in the BMP.
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "nl\nDROP TABLE public.t; --";

    #[test]
    fn unsafe_characters() {
        for c in [
            '\0', '\n', '\r', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}',
            '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}',
        ] {
            assert!(is_unsafe(c), "{c:?}");
        }
        for c in ['a', ' ', '"', '\\', 'é', '`', '\u{2030}', '\u{2065}'] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }

    #[test]
    fn text_lines_show_control_characters_as_escapes() {
        assert_eq!(text_line(HOSTILE), "nl\\nDROP TABLE public.t; --");
        assert_eq!(text_line("a\rb\u{1b}[31mc\0"), "a\\rb\\u{1b}[31mc\\0");
        assert_eq!(text_line("x\u{202e}y\u{2028}z"), "x\\u{202e}y\\u{2028}z");
        // Ordinary text, backslashes included, is left as it is.
        assert!(matches!(text_line(r"a\d b"), Cow::Borrowed(r"a\d b")));
        assert!(!text_line("\u{85}\u{2069}").chars().any(is_unsafe));
    }

    #[test]
    fn sql_comments_stay_on_one_line() {
        let c = sql_comment("role \"x\rDROP TABLE t; --\ny\"");
        assert!(!c.contains(['\n', '\r']), "{c}");
        assert_eq!(c, "role \"x\\rDROP TABLE t; --\\ny\"");
    }

    #[test]
    fn markdown_text_cannot_start_markup() {
        assert_eq!(md_text("butler_general_app"), "butler_general_app");
        assert_eq!(md_text("general.notes"), "general.notes");
        assert_eq!(md_text("a|b"), "a\\|b");
        assert_eq!(md_text("_x_"), "\\_x\\_");
        assert_eq!(md_text("**No changes**"), "\\*\\*No changes\\*\\*");
        assert_eq!(md_text("</details>"), "\\</details\\>");
        assert_eq!(md_text("[a](http://e)"), "\\[a\\](http://e)");
        assert_eq!(md_text("```"), "\\`\\`\\`");
        assert_eq!(md_text("a\\b"), "a\\\\b");
        assert_eq!(md_text("&amp; ~~x~~ $y$"), "\\&amp; \\~\\~x\\~\\~ \\$y\\$");
        assert_eq!(md_text("a\nb\r\n"), "a\\nb\\r\\n");
        assert!(!md_text(HOSTILE).contains('\n'));
    }

    #[test]
    fn markdown_code_spans_cannot_be_closed() {
        assert_eq!(md_code("no orphan notes"), "`no orphan notes`");
        assert_eq!(md_code("SELECT\n  1"), "`SELECT 1`");
        assert_eq!(md_code("a`b"), "`` a`b ``");
        assert_eq!(md_code("``x```"), "```` ``x``` ````");
        assert_eq!(md_code("e\u{1b}[2J"), "`e\\u{1b}[2J`");
    }

    #[test]
    fn markdown_fences_are_longer_than_any_backtick_run() {
        assert_eq!(md_fence("SELECT 1;"), "```");
        assert_eq!(md_fence("a ` b `` c"), "```");
        assert_eq!(md_fence("CREATE ROLE \"x\n```\n\""), "````");
        assert_eq!(md_fence("``````"), "```````");
    }

    #[test]
    fn json_text_escapes_what_serde_json_leaves_raw() {
        let value = serde_json::json!({ "name": "a\u{202e}b\u{2028}c\nd\u{1b}" });
        let json = json_text(serde_json::to_string_pretty(&value).unwrap());
        assert!(!json.chars().any(|c| c != '\n' && is_unsafe(c)), "{json}");
        assert!(json.contains(r"a\u202eb\u2028c\nd\u001b"), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn slack_text_makes_no_link_and_no_line() {
        assert_eq!(slack_text("create role app"), "create role app");
        assert_eq!(
            slack_text("<!channel> <http://x|merge> a&b"),
            "&lt;!channel&gt; &lt;http://x|merge&gt; a&amp;b"
        );
        assert_eq!(slack_text(HOSTILE), "nl\\nDROP TABLE public.t; --");
        assert!(!slack_text("e\u{1b}[2J\u{202e}").chars().any(is_unsafe));
    }

    #[test]
    fn toml_strings_parse_back_exactly() {
        assert_eq!(toml_string("plain"), "\"plain\"");
        assert_eq!(toml_string(r"^\d+$"), r"'^\d+$'");
        assert_eq!(toml_string("it's \"x\""), r#""it's \"x\"""#);
        assert_eq!(toml_key("app_1"), "app_1");
        assert_eq!(toml_key("a.b"), "\"a.b\"");
        assert_eq!(toml_key(""), "\"\"");
        let nasty = [
            HOSTILE,
            "a\"b\\c'd",
            "\0\u{1}\u{1b}\u{7f}\u{85}\t\r\n",
            "\u{202e}\u{2066}x\u{2028}",
            "\"\"\"\n[roles.x]\nsuperuser = true",
            "é ü 中",
        ];
        for s in nasty {
            let (k, v) = (toml_key(s), toml_string(s));
            assert!(
                !k.contains(['\n', '\r']) && !v.contains(['\n', '\r']),
                "{k} {v}"
            );
            assert!(!k.chars().chain(v.chars()).any(is_unsafe), "{k} {v}");
            let doc = format!("[t.{k}]\nv = {v}\n");
            let parsed: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            let t = parsed["t"].as_table().unwrap();
            assert_eq!(t.keys().next().unwrap(), s);
            assert_eq!(t[s]["v"].as_str().unwrap(), s);
        }
    }
}
