//! Syntax errors in words: what was expected, and the operator that was probably meant.

use super::{KEYWORDS, Rule};
use crate::ast::Span;
use crate::error::{ConditionError, ErrorCode};
use crate::suggest::nearest;

/// Words (and symbols) that may stand after an operand, for did-you-mean hints.
const OPERATOR_WORDS: &[&str] = &[
    "and",
    "or",
    "in",
    "not in",
    "contains",
    "not contains",
    "starts_with",
    "not starts_with",
    "ends_with",
    "not ends_with",
    "matches",
    "not matches",
    "in_cidr",
    "not in_cidr",
    "is_null",
    "not is_null",
    "is_empty",
    "not is_empty",
    "exists",
    "not exists",
];

pub(super) fn syntax_error(src: &str, e: pest::error::Error<Rule>) -> ConditionError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let positives = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => vec![],
    };
    let rest = src.get(pos..).unwrap_or("");
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let word = rest.get(..word_len).unwrap_or("");
    let after_dot = src.get(..pos).is_some_and(|b| b.ends_with('.'));
    let expected = if after_dot && !positives.contains(&Rule::EOI) {
        "a key".to_string()
    } else {
        describe_expected(&positives)
    };
    let wants_operator = positives.iter().any(|r| {
        matches!(
            r,
            Rule::cmp_op
                | Rule::and_op
                | Rule::or_op
                | Rule::test
                | Rule::test_word
                | Rule::word_cmp
                | Rule::sym_cmp
                | Rule::EOI
        )
    });
    let after_not = positives
        .iter()
        .all(|r| matches!(r, Rule::test_word | Rule::word_cmp));

    if rest.trim().is_empty() {
        return end_of_condition(src, pos, &expected, wants_operator);
    }
    // `x is null`: the test is one word.
    if wants_operator && word == "is" {
        let after = rest.get(2..).unwrap_or("");
        let next = after.trim_start();
        let gap = after.len() - next.len();
        for (w, test) in [("null", "is_null"), ("empty", "is_empty")] {
            if gap > 0
                && next.starts_with(w)
                && !next.get(w.len()..).unwrap_or("").starts_with(is_ident_char)
            {
                let span = Span::new(pos, pos + 2 + gap + w.len());
                return ConditionError::new(
                    ErrorCode::E0002,
                    span,
                    format!("unknown operator `is {w}`"),
                    "not an operator or test",
                )
                .with_help(format!("did you mean `{test}`?"))
                .with_fix(test);
            }
        }
    }
    // A word, then an operator: a second operand where an operator was expected, e.g. a
    // missing `and` (`x == 1 y == 2`) or a key with a space (`bucket name == 1`).
    if wants_operator
        && !word.is_empty()
        && !after_not
        && starts_operator(rest.get(word.len()..).unwrap_or(""))
    {
        let before = src.get(..pos).unwrap_or("").trim_end();
        let prev = before
            .rfind(|c: char| !is_ident_char(c))
            .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
        let mut help = "join the two conditions with `and` or `or`".to_string();
        let prev_is_key = prev.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && !KEYWORDS.contains(&prev);
        if prev_is_key && before.len() < pos {
            help.push_str(&format!(
                "; if `{prev} {word}` is one key, quote it with backticks: `` `{prev} {word}` ``"
            ));
        }
        return ConditionError::new(
            ErrorCode::E0001,
            Span::new(pos, pos + word.len()),
            format!("missing operator before `{word}`"),
            "a new operand starts here",
        )
        .with_help(help);
    }
    // `let x = a not in b in …`: the value of a `let` ends at the first `in`.
    if (word == "in" || word == "not") && open_let(src, pos) {
        return ConditionError::new(
            ErrorCode::E0001,
            Span::new(pos, pos + word.len()),
            format!("unexpected `{word}` in the value of `let`"),
            "the value ends at the first `in`",
        )
        .with_help("to bind a membership test, put it in parentheses: `let x = (a in b) in …`");
    }
    // A word where an operator was expected: an unknown operator, probably a typo.
    if wants_operator && !word.is_empty() {
        let span = Span::new(pos, pos + word.len());
        let mut err = ConditionError::new(
            ErrorCode::E0002,
            span,
            format!("unknown operator `{word}`"),
            "not an operator or test",
        );
        let candidates = OPERATOR_WORDS
            .iter()
            .copied()
            .filter(|w| !after_not || !w.contains(' ') && *w != "and" && *w != "or");
        let near = nearest(word, candidates);
        err = match near.first() {
            Some(n) => err.with_help(format!("did you mean `{n}`?")).with_fix(*n),
            None => err.with_help(format!(
                "expected {expected}; a key with spaces or symbols is quoted with backticks, e.g. `` `{word} ...` ``"
            )),
        };
        return err;
    }
    // Symbols from other languages. The parser may have consumed the start of the run (`<` of
    // `<>`), so the run is taken whole around the error position.
    let is_sym = |c: char| "=!<>~&|".contains(c);
    let head = src.get(..pos).unwrap_or("").trim_end_matches(is_sym).len();
    let tail = rest.find(|c: char| !is_sym(c)).unwrap_or(rest.len());
    let run = src.get(head..pos + tail).unwrap_or("");
    let sym_hint = [
        ("===", "=="),
        ("!==", "!="),
        ("=~", "matches"),
        ("~=", "matches"),
        ("&&", "and"),
        ("&", "and"),
        ("||", "or"),
        ("|", "or"),
        ("<>", "!="),
        ("=<", "<="),
        ("=>", ">="),
        ("=", "=="),
        ("!", "not"),
    ]
    .iter()
    .find(|(s, _)| *s == run);
    if let Some((s, r)) = sym_hint {
        // The fix lets the parse go on, so that the errors after it are reported too.
        return ConditionError::new(
            ErrorCode::E0002,
            Span::new(head, head + s.len()),
            format!("unknown operator `{s}`"),
            "not an operator of this language",
        )
        .with_help(format!("did you mean `{r}`?"))
        .with_fix(format!(" {r} "));
    }
    // A string in single quotes: the same string in double quotes.
    if rest.starts_with('\'')
        && let Some(close) = rest.get(1..).and_then(|r| r.find(['\'', '\n']))
        && rest.get(close + 1..close + 2) == Some("'")
    {
        let inner = rest.get(1..close + 1).unwrap_or("");
        let fixed = serde_json::to_string(inner).unwrap_or_default();
        return ConditionError::new(
            ErrorCode::E0001,
            Span::new(pos, pos + close + 2),
            format!("unexpected `'`, expected {expected}"),
            "a string in single quotes",
        )
        .with_help(format!("strings use double quotes: {fixed}"))
        .with_fix(fixed);
    }
    // Unterminated or invalid strings and backtick keys.
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '`') {
        let closed = if q == '`' {
            rest.get(1..).and_then(|r| r.find('`')).map(|i| i + 2)
        } else {
            string_end(rest)
        };
        let what = if q == '"' { "string" } else { "backtick key" };
        // A complete, non-empty backtick key in the wrong place is handled below.
        let misplaced_key = q == '`' && closed.is_some_and(|len| len > 2);
        if !misplaced_key {
            return match closed {
            None => ConditionError::new(
                ErrorCode::E0001,
                Span::new(pos, pos + 1),
                format!("unterminated {what}"),
                format!("the {what} starts here"),
            )
            .with_help(if q == '"' {
                "close the string with `\"`"
            } else {
                "close the key with a backtick"
            }),
            Some(len) if q == '"' => ConditionError::new(
                ErrorCode::E0004,
                Span::new(pos, pos + len),
                "invalid string literal",
                "not a JSON string",
            )
            .with_help("strings follow JSON: write control characters as `\\n`, `\\t` or `\\uXXXX`; the only escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`"),
            Some(_) => ConditionError::new(
                ErrorCode::E0001,
                Span::new(pos, pos + 2),
                "empty backtick key",
                "nothing between the backticks",
            )
            .with_help("write the key between the backticks, e.g. `` `@timestamp` ``"),
            };
        }
    }
    let key_len = rest
        .strip_prefix('`')
        .and_then(|r| r.find('`'))
        .map(|i| i + 2);
    let found_len = match key_len {
        Some(n) if word.is_empty() => n,
        _ if word.is_empty() => rest.chars().next().map(char::len_utf8).unwrap_or(0),
        _ => word.len(),
    };
    let found = rest.get(..found_len).unwrap_or("");
    let shown = if found.contains('`') {
        format!("`` {found} ``")
    } else {
        format!("`{found}`")
    };
    let err = ConditionError::new(
        ErrorCode::E0001,
        Span::new(pos, pos + found_len),
        format!("unexpected {shown}, expected {expected}"),
        format!("expected {expected}"),
    );
    let prev_char = src.get(..pos).and_then(|b| b.chars().next_back());
    let digits = rest.trim_start_matches('-');
    let help = if (word == "if" || word == "let") && !wants_operator {
        format!(
            "`{word}` binds loosest: as an operand of an operator, put it in parentheses: `({word} …)`"
        )
    } else if KEYWORDS.contains(&word) {
        format!(
            "`{word}` is a keyword; to name a key `{word}`, quote it with backticks: `` `{word}` ``"
        )
    } else if found == "'" {
        "strings use double quotes: \"...\"".to_string()
    } else if digits.starts_with('0')
        && digits
            .get(1..)
            .unwrap_or("")
            .starts_with(|c: char| c.is_ascii_digit())
    {
        "numbers follow JSON: no leading zeros".to_string()
    } else if found == "."
        && rest
            .get(1..)
            .unwrap_or("")
            .starts_with(|c: char| c.is_ascii_digit())
    {
        "numbers follow JSON: write `0.5`, not `.5`".to_string()
    } else if rest.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        "a key that starts with a digit is quoted with backticks, e.g. `` `2fa` ``".to_string()
    } else if found.trim().is_empty() && matches!(prev_char, Some('.' | '[')) {
        "paths have no spaces: write the key right after `.` (or `[`)".to_string()
    } else if !wants_operator
        && open_brackets(src, pos).last().is_some_and(|&(at, b, _)| {
            b == b'[' && !src.get(..at).unwrap_or("").ends_with(is_ident_char)
        })
    {
        "lists hold literals only (strings, numbers, `true`, `false`, `null`, lists); to compare with paths, use `==` with `or`".to_string()
    } else if found == ")" && !wants_operator {
        "an operand is missing before `)`".to_string()
    } else if found == ")" {
        match open_brackets(src, pos).last() {
            Some(&(at, b'(', 0)) if quantifier_before(src, at) => format!(
                "`{}` takes a list and a condition: `{}(LIST, COND)`",
                quantifier_before_name(src, at),
                quantifier_before_name(src, at)
            ),
            None => "remove this `)`, or add the `(` it closes".to_string(),
            _ => format!("expected {expected}"),
        }
    } else if wants_operator {
        "join conditions with `and`/`or`, or compare with an operator such as `==`, `in` or `contains`"
            .to_string()
    } else {
        "write a path, a literal, a function call or a parenthesised condition here".to_string()
    };
    err.with_help(help)
}

/// True when a `let NAME =` before `pos` has not reached its `in` yet (at the same bracket
/// depth as `pos`).
fn open_let(src: &str, pos: usize) -> bool {
    let before = src.get(..pos).unwrap_or("");
    let depth = open_brackets(src, pos).len();
    let mut open = 0usize;
    let mut word_start = None;
    for (i, c) in before
        .char_indices()
        .chain(std::iter::once((before.len(), ' ')))
    {
        match (is_ident_char(c), word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(start)) => {
                word_start = None;
                if open_brackets(src, start).len() != depth {
                    continue;
                }
                match before.get(start..i) {
                    Some("let") => open += 1,
                    Some("in") => open = open.saturating_sub(1),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    open > 0
}

/// The error at the end of the condition: points at its last character (miette cannot underline
/// past the end of the source).
fn end_of_condition(src: &str, pos: usize, expected: &str, wants_operator: bool) -> ConditionError {
    let end = src.trim_end().len().min(pos.max(src.trim_end().len()));
    // The last token: a word, a run of operator symbols, or one character.
    let body = src.get(..end).unwrap_or("");
    let is_sym = |c: char| "=!<>~&|+-*/.".contains(c);
    let start = match body.chars().next_back() {
        Some(c) if is_ident_char(c) => body.trim_end_matches(is_ident_char).len(),
        Some(c) if is_sym(c) => body.trim_end_matches(is_sym).len(),
        Some(c) => end - c.len_utf8(),
        None => end,
    };
    let open = open_brackets(src, src.len());
    let help = match open.last() {
        Some(&(at, b'(', 0)) if quantifier_before(src, at) => format!(
            "`{0}` takes a list and a condition: `{0}(LIST, COND)`",
            quantifier_before_name(src, at)
        ),
        Some((_, b'(', _)) => "close the `(` with `)`".to_string(),
        Some(_) => "close the `[` with `]`".to_string(),
        None if wants_operator => "complete the condition".to_string(),
        None => {
            let last = src.get(start..end).unwrap_or("");
            let what = if last.ends_with('.') {
                "a key"
            } else {
                "an operand"
            };
            format!("add {what} after `{last}`")
        }
    };
    ConditionError::new(
        ErrorCode::E0001,
        Span::new(start, end),
        format!("unexpected end of condition, expected {expected}"),
        "the condition ends here",
    )
    .with_help(help)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// True when `rest` (after a word) starts with a comparison or a test.
fn starts_operator(rest: &str) -> bool {
    let r = rest.trim_start();
    if r.len() == rest.len() && !r.starts_with(['=', '!', '<', '>']) {
        return false;
    }
    if r.starts_with("==") || r.starts_with("!=") || r.starts_with(['<', '>']) {
        return true;
    }
    let w: String = r.chars().take_while(|c| is_ident_char(*c)).collect();
    matches!(
        w.as_str(),
        "in" | "contains"
            | "starts_with"
            | "ends_with"
            | "matches"
            | "in_cidr"
            | "is_null"
            | "is_empty"
            | "exists"
    )
}

/// Length of the string literal at the start of `s` (which starts with `"`), quotes included.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The brackets still open at byte `end`: (position, `(` or `[`, commas seen at that level).
fn open_brackets(src: &str, end: usize) -> Vec<(usize, u8, usize)> {
    let mut stack: Vec<(usize, u8, usize)> = Vec::new();
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, b) in src.bytes().enumerate().take(end) {
        if comment {
            comment = b != b'\n';
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q != b'`' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'`' | b'\'' => quote = Some(b),
                b'#' => comment = true,
                b'(' | b'[' => stack.push((i, b, 0)),
                b')' | b']' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(top) = stack.last_mut() {
                        top.2 += 1;
                    }
                }
                _ => {}
            }
        }
    }
    stack
}

/// The quantifier word right before the `(` at `at`, if any.
fn quantifier_before_name(src: &str, at: usize) -> &str {
    let before = src.get(..at).unwrap_or("").trim_end();
    let start = before
        .rfind(|c: char| !is_ident_char(c))
        .map_or(0, |i| i + 1);
    before.get(start..).unwrap_or("")
}

fn quantifier_before(src: &str, at: usize) -> bool {
    matches!(quantifier_before_name(src, at), "any" | "all" | "none")
}

/// serde_json appends "at line 1 column N"; the span already says where.
pub(super) fn strip_serde_position(msg: &str) -> String {
    msg.rfind(" at line ")
        .map_or(msg, |i| msg.get(..i).unwrap_or(msg))
        .to_string()
}

fn describe_expected(positives: &[Rule]) -> String {
    let operand = "an operand (path, literal, function call or `(`)";
    let only_words = !positives.is_empty()
        && positives
            .iter()
            .all(|r| matches!(r, Rule::test_word | Rule::word_cmp));
    let mut out: Vec<&str> = Vec::new();
    for r in positives {
        let s = match r {
            Rule::EOI => "the end of the condition",
            Rule::expr
            | Rule::primary
            | Rule::paren
            | Rule::path
            | Rule::literal
            | Rule::string
            | Rule::number
            | Rule::list
            | Rule::call
            | Rule::quantifier
            | Rule::ident
            | Rule::not_op
            | Rule::neg_op
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_null
            | Rule::current
            | Rule::jsonpath
            | Rule::quoted => operand,
            _ if only_words => "a word operator or test (`in`, `contains`, `is_null`, ...)",
            Rule::cmp_op
            | Rule::sym_cmp
            | Rule::word_cmp
            | Rule::test
            | Rule::test_word
            | Rule::and_op
            | Rule::or_op
            | Rule::add_op
            | Rule::sub_op
            | Rule::mul_op
            | Rule::div_op => "an operator",
            Rule::list_item => "a literal",
            Rule::index | Rule::wildcard => "an index or `*`",
            _ => continue,
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    // The end of the condition reads best last.
    out.sort_by_key(|s| *s == "the end of the condition");
    match out.split_last() {
        None => "an expression".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}
