//! The engine: running a pack of loaded rules over streams of records. [`input`] reads
//! documents, [`stream`] reads records in bounded chunks and evaluates them in parallel in
//! input order, [`project`] parses a record only as far as the pack reads it, [`pack`]
//! routes each record to the rules of its type through a candidate index, and [`evaluate`]
//! turns one record's text into verdicts and alerts.
//!
//! It builds on the Panther host (loaded [`Rule`](crate::panther::Rule)s) and the language;
//! lint, reports and the command line build on it.

pub mod evaluate;
pub mod ids;
pub mod input;
pub mod pack;
pub mod project;
mod source;
pub mod stream;

pub use ids::{ID_FIELDS, IdFields};
pub use pack::{Pack, RecordResult, TYPE_FIELDS};
