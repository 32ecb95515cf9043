//! The Panther host: rule files in Panther's YAML format (policies and rules, with their
//! `Tests`) plus a `Condition:` key, the data models `udm(...)` reads, functions files (the
//! pack's user-defined functions and parameters), alert templates, the
//! MITRE ATT&CK catalogue their `Reports` map to, and findings located in those files.
//! Loading reports every problem with its line and column in the YAML file.
//!
//! The language ([`pounce_lang`]) and the functions conditions call sit below this layer; the
//! engine, lint and reports build on it.

pub mod alert;
pub mod attack;
pub mod datamodel;
pub mod diagnostics;
mod discovery;
pub mod functions;
mod load;
mod rule;
mod schema;
pub mod select;
mod span_map;
pub mod testing;
mod yaml;

pub use discovery::{
    FileKind, LoadedPack, PackFiles, SUPPORT_FOLDERS, UNSUPPORTED_TYPES, classify, collect_files,
    collect_files_ignoring, is_ignored, is_rule_file, is_support_file, load_pack, load_paths,
    pack_files, with_data_models, with_data_models_ignoring,
};
pub use load::{load_file, load_file_with, load_str};
pub use rule::{AnalysisType, Rule};
pub use schema::{KNOWN_KEYS, SEVERITIES, TEST_KEYS};
pub use span_map::SpanMap;
pub use testing::{AlertExpectation, TestCase, test_keys};
pub use yaml::{top_keys, yaml_limits};
