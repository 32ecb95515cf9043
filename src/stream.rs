//! Streaming input: records read in chunks with bounded memory, evaluated in parallel, results
//! delivered in input order. A file whose first record line is not a complete JSON value but
//! starts one (`{` or `[` cut at the line end) is read whole as one document.

use rayon::prelude::*;
use std::io::BufRead;

/// Default limit of one record, in bytes.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// Target size of a chunk of records handed to the thread pool at once.
const CHUNK_BYTES: usize = 4 << 20;

/// A record's text, or why it was rejected before parsing.
pub type RawRecord<'a> = Result<&'a str, String>;

/// Reads records from `r` and calls `each(line, raw)` in parallel; then `sink(line, result)` in
/// input order. Returns the number of records seen, or an I/O error.
pub fn run<R, T, F, S>(
    r: R,
    max_record_bytes: usize,
    each: F,
    mut sink: S,
) -> std::io::Result<usize>
where
    R: BufRead,
    T: Send,
    F: Fn(usize, RawRecord<'_>) -> T + Sync,
    S: FnMut(usize, T),
{
    run_inner(r, max_record_bytes, &each, &mut sink, 0, true)
}

fn run_inner<R, T, F, S>(
    mut r: R,
    max_record_bytes: usize,
    each: &F,
    sink: &mut S,
    line_offset: usize,
    detect: bool,
) -> std::io::Result<usize>
where
    R: BufRead,
    T: Send,
    F: Fn(usize, RawRecord<'_>) -> T + Sync,
    S: FnMut(usize, T),
{
    let mut line_no = line_offset;
    let mut count = 0usize;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 4096);
    // (line number, start, end, too long)
    let mut spans: Vec<(usize, usize, usize, bool)> = Vec::new();
    let mut first = detect;
    loop {
        buf.clear();
        spans.clear();
        let mut eof = false;
        while buf.len() < CHUNK_BYTES {
            let start = buf.len();
            let n = read_line_limited(&mut r, &mut buf, max_record_bytes)?;
            if n.0 == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            let mut end = buf.len();
            while end > start && matches!(buf.get(end - 1), Some(b'\n' | b'\r')) {
                end -= 1;
            }
            let mut s = start;
            if first && buf.get(s..s + 3) == Some(&[0xEF, 0xBB, 0xBF][..]) {
                s += 3;
            }
            let blank = buf
                .get(s..end)
                .is_none_or(|l| l.iter().all(u8::is_ascii_whitespace));
            if blank && !n.1 {
                buf.truncate(start);
                continue;
            }
            if first {
                first = false;
                // A document spread over several lines: read it all as one.
                let line = buf.get(s..end).unwrap_or(&[]);
                if starts_multiline_document(line) {
                    let first_line = line_no;
                    let mut rest = Vec::new();
                    r.read_to_end(&mut rest)?;
                    let mut whole: Vec<u8> = buf.get(s..).unwrap_or(&[]).to_vec();
                    whole.extend_from_slice(&rest);
                    let text = String::from_utf8_lossy(&whole);
                    if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
                        let t = each(first_line, Ok(&text));
                        sink(first_line, t);
                        return Ok(1);
                    }
                    // Not one document after all: fall back to one record per line.
                    return run_inner(
                        std::io::Cursor::new(whole),
                        max_record_bytes,
                        each,
                        sink,
                        first_line - 1,
                        false,
                    )
                    .map(|c| c + count);
                }
            }
            spans.push((line_no, s, end, n.1));
        }
        count += spans.len();
        let results: Vec<(usize, T)> = spans
            .par_iter()
            .map(|&(ln, s, e, too_long)| {
                let raw: RawRecord<'_> = if too_long {
                    Err(format!(
                        "record larger than {max_record_bytes} bytes (see --max-record-bytes)"
                    ))
                } else {
                    match std::str::from_utf8(buf.get(s..e).unwrap_or(&[])) {
                        Ok(t) => Ok(t),
                        Err(err) => Err(format!("invalid UTF-8 at byte {}", err.valid_up_to())),
                    }
                };
                (ln, each(ln, raw))
            })
            .collect();
        for (ln, t) in results {
            sink(ln, t);
        }
        if eof {
            return Ok(count);
        }
    }
}

/// True when a line opens a JSON object or array that the line does not close.
fn starts_multiline_document(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    if !matches!(trimmed.first(), Some(b'{' | b'[')) {
        return false;
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(trimmed) {
        Ok(_) => false,
        Err(e) => e.is_eof(),
    }
}

/// Appends one line (with its `\n`) to `buf`, keeping at most `max` bytes of it; returns
/// (bytes consumed, true when the line was longer than `max`).
fn read_line_limited<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut kept = 0;
    let mut too_long = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((consumed, too_long));
        }
        let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (avail.get(..=i).unwrap_or(avail), true),
            None => (avail, false),
        };
        let take = chunk.len().min(max.saturating_sub(kept));
        if take < chunk.len() {
            too_long = true;
        }
        buf.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
        kept += take;
        let n = chunk.len();
        consumed += n;
        r.consume(n);
        if done {
            return Ok((consumed, too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &str, max: usize) -> Vec<(usize, Result<String, String>)> {
        let mut out = Vec::new();
        run(
            std::io::Cursor::new(input.as_bytes()),
            max,
            |_, raw| raw.map(String::from),
            |ln, r| out.push((ln, r)),
        )
        .unwrap_or(0);
        out
    }

    #[test]
    fn lines_blank_crlf_bom() {
        let got = collect("\u{feff}{\"a\":1}\r\n\r\n{\"a\":2}\n{bad", 1 << 20);
        assert_eq!(
            got,
            vec![
                (1, Ok("{\"a\":1}".into())),
                (3, Ok("{\"a\":2}".into())),
                (4, Ok("{bad".into()))
            ]
        );
    }

    #[test]
    fn multiline_document() {
        let got = collect("{\n  \"a\": [1,\n 2]\n}\n", 1 << 20);
        assert_eq!(got.len(), 1);
        assert_eq!(got.first().map(|g| g.0), Some(1));
    }

    #[test]
    fn too_long_records_are_rejected_not_dropped() {
        let got = collect(
            "{\"a\":1}\n{\"b\":\"xxxxxxxxxxxxxxxxxxxxxxxx\"}\n{\"c\":3}\n",
            16,
        );
        assert_eq!(got.len(), 3);
        assert!(got.get(1).is_some_and(|g| g.1.is_err()));
        assert!(got.get(2).is_some_and(|g| g.1.is_ok()));
    }
}
