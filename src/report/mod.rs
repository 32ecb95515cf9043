//! Reports over rule files, for people: `pounce describe` (one rule as Markdown, HTML or JSON,
//! or a static site for a whole pack) and `pounce coverage` (the pack's MITRE ATT&CK matrix).
//! Everything here turns loaded [`Rule`](crate::panther::Rule)s into text; the command line
//! writes it out. Formats, escaping and the JSON schema: docs/DESCRIBE.md.
//!
//! ```
//! use pounce::{panther, report::RuleDescription};
//! let registry = pounce::standard_registry();
//! let path = std::path::Path::new("policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml");
//! let rule = panther::load_file(path, &registry).unwrap();
//! let page = RuleDescription::new(&rule, &registry).to_markdown();
//! assert!(page.contains("| Exfiltration | [T1567](https://attack.mitre.org/techniques/T1567/) Exfiltration Over Web Service |"));
//! assert!(page.contains("| `IpPermissionsEgress is_null` | — |"));
//! ```

mod attack_map;
mod coverage;
pub mod escape;
pub mod explain;
pub mod findings;
pub mod functions;
mod heatmap;
mod html;
pub mod junit;
mod markdown;
mod model;
pub mod site;
pub mod test_results;

pub use attack_map::{
    AttackRow, TacticRef, TechniqueRef, TechniqueStatus, attack_entries, attack_rows,
};
pub use coverage::{CATALOGUE_NAME, Coverage, TacticColumn, TechniqueCell};
pub use heatmap::RuleHref;
pub use html::Links;
pub use model::{
    ATTACK_KEY, ExclusionRow, FORMAT_VERSION, Logic, NativeNote, ReportMapping, RuleDescription,
    TestRow, canonical_lines, is_attack_key, natives_called,
};

/// A JSON document as pounce prints one: pretty-printed, with a final newline.
pub fn json_document<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// `1 rule`, `2 rules`.
pub(crate) fn counted(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
