//! Reading documents: a file holding one JSON value is one document; otherwise every non-blank
//! line is one (NDJSON). Bad records are returned as errors with their line, never dropped.

use serde_json::Value;

/// A record that is not valid JSON.
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
#[error("{source_name}:{line}: {message}")]
#[diagnostic(code(pounce::E0301))]
pub struct RecordError {
    /// The file (or `-` for standard input).
    pub source_name: String,
    /// 1-based line of the record.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// One document and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 1-based line where the document starts.
    pub line: usize,
    /// The document.
    pub value: Value,
}

/// Splits `text` into documents, in order. `name` names the source in errors.
pub fn read_documents(name: &str, text: &str) -> Vec<Result<Record, RecordError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Vec::new();
    }
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let line = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0) + 1;
        return vec![Ok(Record { line, value })];
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<Value>(l)
                .map(|value| Record { line: i + 1, value })
                .map_err(|e| RecordError {
                    source_name: name.to_string(),
                    line: i + 1,
                    message: format!("invalid JSON: {}", strip_position(&e.to_string())),
                })
        })
        .collect()
}

/// One record's text as a document: its JSON value, which must be an object (else the reason,
/// as `pounce eval` words it).
pub fn parse_record(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => match not_an_object(&v) {
            Some(why) => Err(why),
            None => Ok(v),
        },
        Err(e) => Err(json_error(&e)),
    }
}

/// Why a value is not a record (only objects are), or `None` for an object.
pub fn not_an_object(v: &Value) -> Option<String> {
    let what = match v {
        Value::Object(_) => return None,
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    };
    Some(format!(
        "not a JSON object but {what}: a record is an object"
    ))
}

/// A JSON error of one record of a stream, as `pounce eval` reports it: serde_json's message
/// without its position, the column kept (the line is the record's); nesting beyond serde's
/// limit is said in words.
pub fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("recursion limit exceeded") {
        return format!(
            "invalid JSON: more than 127 nested arrays and objects (column {})",
            e.column()
        );
    }
    match msg.rfind(" at line ") {
        Some(i) => format!(
            "invalid JSON: {} (column {})",
            msg.get(..i).unwrap_or(&msg),
            e.column()
        ),
        None => format!("invalid JSON: {msg}"),
    }
}

/// serde_json appends "at line 1 column N": keep the column, the line is ours.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line 1 column ") {
        Some(i) => format!(
            "{} (column {})",
            msg.get(..i).unwrap_or(msg),
            msg.get(i + 18..).unwrap_or("")
        ),
        None => msg.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn one_value_or_lines() {
        let one = read_documents("f", "{\n \"a\": 1\n}\n");
        assert_eq!(one.len(), 1);
        let lines = read_documents("f", "{\"a\":1}\n\n{\"a\":2}\n{bad\n");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].as_ref().map(|r| r.line).ok(), Some(3));
        let err = lines[2]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("f:4: invalid JSON"), "{err}");
    }

    #[test]
    fn bom_and_crlf() {
        let docs = read_documents("f", "\u{feff}{\"a\":1}\r\n{\"a\":2}\r\n");
        assert_eq!(docs.len(), 2);
        assert!(docs.iter().all(Result::is_ok));
    }
}
