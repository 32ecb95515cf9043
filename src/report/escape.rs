//! Escaping, in one place, for every format pounce writes: HTML, XML (JUnit), Markdown,
//! GitHub workflow commands, and the file names of a site. Everything a rule file provides
//! goes through here before it reaches one of them.

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn html(s: &str) -> String {
    markup(s, "&#39;", false)
}

/// Escapes text for XML element content and double- or single-quoted attribute values: as
/// [`html`], with `'` as `&apos;`, and control characters other than tab, line feed and
/// carriage return as character references (`&#27;`).
pub fn xml(s: &str) -> String {
    markup(s, "&apos;", true)
}

/// The markup escaper behind [`html`] and [`xml`]: `&`, `<`, `>`, `"` always, `'` as `apos`,
/// and with `controls` the C0 control characters other than `\t`, `\n`, `\r`.
fn markup(s: &str, apos: &str, controls: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apos),
            c if controls && (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a GitHub Actions workflow command: `%`, CR and LF always, and in a
/// property (`file=`, `title=`) also `:` and `,`.
pub fn github_command(s: &str, property: bool) -> String {
    let mut o = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        o = o.replace(':', "%3A").replace(',', "%2C");
    }
    o
}

/// One line of Markdown text from a rule file (a title, a runbook): runs of whitespace and
/// line breaks become one space; `<` becomes `\<` and an `&` that would start an entity
/// (`&lt;`) becomes `\&`, so nothing is read as raw HTML and no text disappears. Emphasis
/// characters are left alone: at worst they format, they never hide text.
pub fn md_text(s: &str) -> String {
    md_line(s, false)
}

/// Text for one cell of a Markdown (GFM) table: as [`md_text`], and `|` becomes `\|`.
pub fn md_cell(s: &str) -> String {
    md_line(s, true)
}

fn md_line(s: &str, cell: bool) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let s = words.join(" ");
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '|' if cell => out.push_str("\\|"),
            '<' => out.push_str("\\<"),
            '&' if starts_entity(s.get(i + 1..).unwrap_or("")) => out.push_str("\\&"),
            c => out.push(c),
        }
    }
    out
}

/// True when the text after an `&` reads as an HTML entity (`amp;`, `#60;`, `#x3C;`).
fn starts_entity(rest: &str) -> bool {
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && rest.get(name.len()..).is_some_and(|r| r.starts_with(';'))
}

/// One Markdown table row: `| a | b |`, an empty cell written `| |`.
pub fn md_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::from("|");
    for c in cells {
        let c = md_cell(c.as_ref());
        if c.is_empty() {
            out.push_str(" |");
        } else {
            out.push(' ');
            out.push_str(&c);
            out.push_str(" |");
        }
    }
    out
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// A fenced Markdown code block around `text`; the fence is longer than any run of backticks
/// in the text, so the block cannot be closed early.
pub fn md_code_block(info: &str, text: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(text) + 1).max(3));
    let body = text.trim_end_matches(['\n', '\r']);
    format!("{fence}{info}\n{body}\n{fence}\n")
}

/// Inline Markdown code: `` `x` ``, with a longer delimiter when `s` holds backticks; line
/// breaks become spaces. Nothing else is escaped: code spans are literal.
pub fn md_code(s: &str) -> String {
    code_span(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// [`md_code`] for a table cell: `|` becomes `\|` (GFM splits cells before it reads code
/// spans, and drops that backslash).
pub fn md_code_cell(s: &str) -> String {
    code_span(
        &s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('|', "\\|"),
    )
}

fn code_span(s: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(s) + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// Windows device names that cannot be file names, whatever the extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file-name-safe slug of a rule ID: ASCII lower case, letters, digits, `.` and `_` kept,
/// every other run of characters becomes one `-`; no leading or trailing `.`/`-`; at most 100
/// bytes; never empty (`rule`) and never a Windows device name. Distinct IDs can share a slug
/// (`A.B` and `a.b`); [`crate::report::site`] makes the file names unique.
pub fn slug(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut s: String = out
        .trim_matches(|c| c == '-' || c == '.')
        .chars()
        .take(100)
        .collect();
    while s.ends_with(['-', '.']) {
        s.pop();
    }
    if s.is_empty() {
        return "rule".to_string();
    }
    let stem = s.split('.').next().unwrap_or("");
    if RESERVED.contains(&stem) {
        s = format!("rule-{s}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn xml_escapes_quotes_and_control_characters() {
        assert_eq!(
            xml("<a b='c'>\u{1b}[31m & \"x\"\t\n</a>"),
            "&lt;a b=&apos;c&apos;&gt;&#27;[31m &amp; &quot;x&quot;\t\n&lt;/a&gt;"
        );
    }

    #[test]
    fn github_commands() {
        assert_eq!(github_command("a%b\r\nc:d,e", false), "a%25b%0D%0Ac:d,e");
        assert_eq!(github_command("pounce::W0105", true), "pounce%3A%3AW0105");
    }

    #[test]
    fn markdown_cells() {
        assert_eq!(md_cell(" a|b\nc\r\n d "), r"a\|b c d");
        assert_eq!(md_cell("<b> & &amp; &#60;"), r"\<b> & \&amp; \&#60;");
        assert_eq!(md_text("a|b <x>"), r"a|b \<x>");
        assert_eq!(
            md_row(&["IpPermissionsEgress", "is_null", ""]),
            "| IpPermissionsEgress | is_null | |"
        );
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "`a|b`");
        assert_eq!(md_code_cell("a|b"), r"`a\|b`");
        assert_eq!(md_code("<x>"), "`<x>`");
    }

    #[test]
    fn code_blocks_outrun_backticks() {
        assert_eq!(md_code_block("", "a\n"), "```\na\n```\n");
        assert_eq!(
            md_code_block("yaml", "x: ````"),
            "`````yaml\nx: ````\n`````\n"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("AWS.SecurityGroup.RestrictsOutboundTraffic"),
            "aws.securitygroup.restrictsoutboundtraffic"
        );
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("Okta Admin / Login"), "okta-admin-login");
        assert_eq!(slug("..."), "rule");
        assert_eq!(slug(""), "rule");
        assert_eq!(slug("CON"), "rule-con");
        assert_eq!(slug("nul.x"), "rule-nul.x");
        assert_eq!(slug(&"a".repeat(300)).len(), 100);
        assert_eq!(slug("Ünïcode.Rule"), "n-code.rule");
    }
}
