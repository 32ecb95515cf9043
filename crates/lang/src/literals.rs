//! Literals built at compile time: regexes for `matches` and CIDR blocks for `in_cidr`. The
//! checker and the compiler share these builders, so what checks also builds.

use ipnet::IpNet;
use regex::Regex;

/// Largest compiled size of a `matches` regex, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a regex literal with pounce's size limit.
pub fn build_regex(src: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(src)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::Syntax(s) => s
                .lines()
                .last()
                .unwrap_or("syntax error")
                .trim()
                .trim_start_matches("error: ")
                .to_string(),
            regex::Error::CompiledTooBig(n) => format!("regex larger than {n} bytes when compiled"),
            other => other.to_string(),
        })
}

/// Parses a CIDR literal `addr/prefix` (host bits allowed).
pub fn parse_cidr_literal(s: &str) -> Result<IpNet, String> {
    if !s.contains('/') {
        return Err("missing `/prefix`".to_string());
    }
    s.parse::<IpNet>()
        .map_err(|_| "not an `address/prefix` block".to_string())
}
