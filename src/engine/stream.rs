//! Streaming input: records read in chunks with bounded memory, evaluated in parallel, results
//! delivered in input order. A file whose first record line is not a complete JSON value but
//! starts one (`{` or `[` cut at the line end) is read whole as one document.

use rayon::prelude::*;
use std::io::{BufRead, Read};

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

/// Records read into one buffer: (line number, start, end, too long) per record.
struct Chunk {
    buf: Vec<u8>,
    spans: Vec<(usize, usize, usize, bool)>,
    eof: bool,
}

impl Chunk {
    fn new() -> Self {
        Chunk {
            buf: Vec::with_capacity(CHUNK_BYTES + 4096),
            spans: Vec::new(),
            eof: false,
        }
    }
}

/// Where the reader is: the last line number read, and whether the first record is still to
/// come (and with it the test for a document spread over several lines).
struct Position {
    line_no: usize,
    first: bool,
}

/// What filling a chunk found.
enum Filled {
    /// Records (possibly none, at the end of the input).
    Records,
    /// The first record opens a document spread over several lines: the rest of the input, from
    /// that line (its number) on, read up to one byte past the record limit.
    Document(usize, Vec<u8>),
}

/// Reads records into `c` until it holds about [`CHUNK_BYTES`] or the input ends.
fn fill<R: BufRead>(
    r: &mut R,
    c: &mut Chunk,
    max_record_bytes: usize,
    at: &mut Position,
) -> std::io::Result<Filled> {
    c.buf.clear();
    c.spans.clear();
    c.eof = false;
    while c.buf.len() < CHUNK_BYTES {
        let start = c.buf.len();
        let n = read_line_limited(r, &mut c.buf, max_record_bytes)?;
        if n.0 == 0 {
            c.eof = true;
            break;
        }
        at.line_no += 1;
        let mut end = c.buf.len();
        while end > start && matches!(c.buf.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        let mut s = start;
        if at.first && c.buf.get(s..s + 3) == Some(&[0xEF, 0xBB, 0xBF][..]) {
            s += 3;
        }
        let blank = c
            .buf
            .get(s..end)
            .is_none_or(|l| l.iter().all(u8::is_ascii_whitespace));
        if blank && !n.1 {
            c.buf.truncate(start);
            continue;
        }
        if at.first {
            at.first = false;
            // A document spread over several lines: read it all as one. (Not when the line was
            // cut at the size limit: that record is rejected as too large.)
            let line = c.buf.get(s..end).unwrap_or(&[]);
            if !n.1 && starts_multiline_document(line) {
                let mut whole: Vec<u8> = c.buf.get(s..).unwrap_or(&[]).to_vec();
                let room = max_record_bytes
                    .saturating_sub(whole.len())
                    .saturating_add(1);
                Read::take(&mut *r, u64::try_from(room).unwrap_or(u64::MAX))
                    .read_to_end(&mut whole)?;
                return Ok(Filled::Document(at.line_no, whole));
            }
        }
        c.spans.push((at.line_no, s, end, n.1));
    }
    Ok(Filled::Records)
}

/// Calls `each` on every record of `c`, in parallel; the results in input order.
fn evaluate<T, F>(c: &Chunk, max_record_bytes: usize, each: &F) -> Vec<(usize, T)>
where
    T: Send,
    F: Fn(usize, RawRecord<'_>) -> T + Sync,
{
    c.spans
        .par_iter()
        .map(|&(ln, s, e, too_long)| {
            let raw: RawRecord<'_> = if too_long {
                Err(too_large(max_record_bytes))
            } else {
                match std::str::from_utf8(c.buf.get(s..e).unwrap_or(&[])) {
                    Ok(t) => Ok(t),
                    Err(err) => Err(format!("invalid UTF-8 at byte {}", err.valid_up_to())),
                }
            };
            (ln, each(ln, raw))
        })
        .collect()
}

/// Reads and evaluates chunk by chunk, overlapped: while the thread pool evaluates chunk N,
/// the calling thread hands the results of chunk N-1 to `sink` and reads chunk N+1 (the reader
/// and the sink stay on the calling thread, so neither needs to be `Send`).
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
    let mut at = Position {
        line_no: line_offset,
        first: detect,
    };
    let mut cur = Chunk::new();
    if let Filled::Document(first_line, whole) = fill(&mut r, &mut cur, max_record_bytes, &mut at)?
    {
        let text = String::from_utf8_lossy(&whole);
        if whole.len() > max_record_bytes {
            let err = serde_json::from_str::<serde::de::IgnoredAny>(&text).err();
            if err.is_some_and(|e| e.is_eof()) {
                // Still one unfinished document at the limit: reject it, skip the rest.
                std::io::copy(&mut r, &mut std::io::sink())?;
                let t = each(first_line, Err(too_large(max_record_bytes)));
                sink(first_line, t);
                return Ok(1);
            }
        } else if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
            // Invalid UTF-8 rejects the document rather than mending it.
            let raw = match std::str::from_utf8(&whole) {
                Ok(_) => Ok(text.as_ref()),
                Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
            };
            let t = each(first_line, raw);
            sink(first_line, t);
            return Ok(1);
        }
        // Not one document after all: fall back to one record per line (boxed: the reader type
        // must not grow with each level of this recursion).
        let rest: Box<dyn BufRead + '_> = Box::new(std::io::Cursor::new(whole).chain(r));
        return run_inner(rest, max_record_bytes, each, sink, first_line - 1, false);
    }
    let mut next = Chunk::new();
    let mut pending: Vec<(usize, T)> = Vec::new();
    let mut count = 0usize;
    loop {
        count += cur.spans.len();
        let mut results: Vec<(usize, T)> = Vec::new();
        let mut read = Ok(Filled::Records);
        rayon::in_place_scope(|scope| {
            let (chunk, out) = (&cur, &mut results);
            scope.spawn(move |_| *out = evaluate(chunk, max_record_bytes, each));
            for (ln, t) in pending.drain(..) {
                sink(ln, t);
            }
            if !cur.eof {
                read = fill(&mut r, &mut next, max_record_bytes, &mut at);
            }
        });
        pending = results;
        // `at.first` is false past the first chunk: no document is found here.
        if read.is_err() || cur.eof {
            for (ln, t) in pending.drain(..) {
                sink(ln, t);
            }
            return read.map(|_| count);
        }
        std::mem::swap(&mut cur, &mut next);
    }
}

/// Why a record over the size limit is rejected.
fn too_large(max: usize) -> String {
    format!("record larger than {max} bytes (see --max-record-bytes)")
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
/// (bytes consumed, true when the line was longer than `max`). The line end is found with the
/// standard library's `read_until` / `skip_until` (a word-at-a-time `memchr`).
fn read_line_limited<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let kept = std::io::Read::take(&mut *r, limit).read_until(b'\n', buf)?;
    if (kept > 0 && buf.last() == Some(&b'\n')) || kept < max {
        // The whole line (or the input's last one, without `\n`).
        return Ok((kept, false));
    }
    // `max` bytes kept and no line end yet: drop the rest of the line, if any.
    let dropped = r.skip_until(b'\n')?;
    Ok((kept + dropped, dropped > 0))
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

    #[test]
    fn a_too_long_first_line_is_not_taken_for_a_multiline_document() {
        let got = collect("{\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}\n{\"a\":1}\n", 16);
        assert_eq!(got.len(), 2);
        assert!(
            got.first()
                .is_some_and(|g| g.0 == 1 && g.1.as_ref().is_err_and(|e| e.contains("larger")))
        );
        assert_eq!(got.get(1), Some(&(2, Ok("{\"a\":1}".to_string()))));
    }

    /// The byte-at-a-time reader this module used before `read_until`: the reference.
    fn read_line_bytewise<R: BufRead>(
        r: &mut R,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> std::io::Result<(usize, bool)> {
        let (mut consumed, mut kept, mut too_long) = (0, 0, false);
        loop {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                return Ok((consumed, too_long));
            }
            let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (avail.get(..=i).unwrap_or(avail), true),
                None => (avail, false),
            };
            let take = chunk.len().min(max.saturating_sub(kept));
            too_long |= take < chunk.len();
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

    #[test]
    fn line_limits_match_the_bytewise_reader() {
        let inputs = [
            "",
            "\n",
            "a",
            "ab\n",
            "abc\nde\n",
            "abcd\n\nxy",
            "abcdef\nabcdefg\nab\r\n",
            "\n\n\nabcde",
        ];
        for input in inputs {
            for max in 0..8 {
                for cap in [1, 2, 3, 64] {
                    let mut a = std::io::BufReader::with_capacity(cap, input.as_bytes());
                    let mut b = std::io::BufReader::with_capacity(cap, input.as_bytes());
                    let (mut ba, mut bb) = (Vec::new(), Vec::new());
                    loop {
                        let ra = read_line_limited(&mut a, &mut ba, max).unwrap_or((0, false));
                        let rb = read_line_bytewise(&mut b, &mut bb, max).unwrap_or((0, false));
                        assert_eq!(ra, rb, "{input:?} max {max} cap {cap}");
                        assert_eq!(ba, bb, "{input:?} max {max} cap {cap}");
                        if ra.0 == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn many_chunks_in_order_on_any_pool() {
        // About three chunks of records, some too long, some blank.
        let mut input = String::new();
        let mut expect = Vec::new();
        let mut line = 0;
        while input.len() < 3 * CHUNK_BYTES + 1000 {
            line += 1;
            let rec = match line % 97 {
                0 => String::new(),
                1 => format!("{{\"pad\":\"{}\"}}", "x".repeat(300)),
                _ => format!("{{\"n\":{line}}}"),
            };
            if !rec.is_empty() {
                expect.push((line, rec.len() <= 64));
            }
            input.push_str(&rec);
            input.push('\n');
        }
        let run_once = || {
            let mut got = Vec::new();
            let n = run(
                std::io::Cursor::new(input.as_bytes()),
                64,
                |_, raw| raw.is_ok(),
                |ln, ok| got.push((ln, ok)),
            );
            (n.ok(), got)
        };
        let want = (Some(expect.len()), expect.clone());
        assert_eq!(run_once(), want, "outside a pool");
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
            let got = pool.map(|p| p.install(run_once)).ok();
            assert_eq!(got.as_ref(), Some(&want), "{threads} thread(s)");
        }
    }

    /// A reader that fails after `ok` bytes.
    struct Failing<'a> {
        data: &'a [u8],
        ok: usize,
    }

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.ok == 0 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = out.len().min(self.ok).min(self.data.len());
            out.get_mut(..n)
                .unwrap_or(&mut [])
                .copy_from_slice(self.data.get(..n).unwrap_or(&[]));
            self.data = self.data.get(n..).unwrap_or(&[]);
            self.ok -= n;
            Ok(n)
        }
    }

    #[test]
    fn read_errors_are_returned_after_the_records_before_them() {
        let line = "{\"a\":1}\n";
        let data = line.repeat(2 * CHUNK_BYTES / line.len());
        // Fails in the second chunk: the first chunk's records all reach the sink.
        let r = std::io::BufReader::new(Failing {
            data: data.as_bytes(),
            ok: CHUNK_BYTES + 3 * line.len() + 2,
        });
        let mut seen = Vec::new();
        let res = run(
            r,
            1 << 20,
            |_, raw| raw.is_ok(),
            |ln, ok| seen.push((ln, ok)),
        );
        assert!(res.is_err());
        assert!(seen.len() >= CHUNK_BYTES / line.len());
        assert!(
            seen.iter()
                .enumerate()
                .all(|(i, &(ln, ok))| ln == i + 1 && ok)
        );
    }
}
