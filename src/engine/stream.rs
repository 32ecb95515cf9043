//! Streaming input: records read in chunks with bounded memory, evaluated in parallel, results
//! delivered in input order. The input may be gzip (decoded by its magic number). It is read as
//! NDJSON (a record per line), as one document spread over several lines (a first record line
//! that opens `{` or `[` without closing it), or, when it starts with `[` or with an object
//! whose first key is `Records` holding an array (CloudTrail's envelope, as AWS writes it to
//! S3), as that array's elements, one record each, without reading the whole array at once.
//! After such an array the next value is looked at the same way (concatenated envelopes, or one
//! per line). Memory: one chunk of about [`CHUNK_BYTES`] plus one record of at most the limit,
//! twice (the chunk read while the previous one is evaluated).

use super::source::{Copied, Source, envelope_prefix};
use rayon::prelude::*;
use std::io::Read;

/// Default limit of one record, in bytes.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// Target size of a chunk of records handed to the thread pool at once.
const CHUNK_BYTES: usize = 4 << 20;

/// How far ahead a `{` is looked at for the `Records` key of an envelope.
const ENVELOPE_LOOKAHEAD: usize = 4096;

/// A record's text, or why it was rejected before parsing.
pub type RawRecord<'a> = Result<&'a str, String>;

/// Where a record starts in its input: the 1-based line, and, for a record that is an element
/// of a JSON array (or of a `Records` envelope), the 1-based byte column of its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At {
    /// 1-based line.
    pub line: usize,
    /// 1-based byte column, for elements of an array.
    pub column: Option<usize>,
}

impl At {
    /// A record that starts a line.
    pub fn line(line: usize) -> At {
        At { line, column: None }
    }
}

impl std::fmt::Display for At {
    /// `LINE`, or `LINE:COLUMN` for an element of an array.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(c) => write!(f, "{}:{c}", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

/// Reads records from `r` and calls `each(at, raw)` in parallel; then `sink(at, result)` in
/// input order. Returns the number of records seen, or an I/O error (after the records before
/// it reached the sink).
pub fn run<R, T, F, S>(
    r: R,
    max_record_bytes: usize,
    each: F,
    mut sink: S,
) -> std::io::Result<usize>
where
    R: Read,
    T: Send,
    F: Fn(At, RawRecord<'_>) -> T + Sync,
    S: FnMut(At, T),
{
    let src = Source::new(r)?;
    run_inner(src, max_record_bytes, &each, &mut sink)
}

/// Why a record was not handed over as text.
#[derive(Clone, Debug)]
enum Flag {
    /// Its text is in the chunk.
    Text,
    /// Longer than the limit.
    TooLong,
    /// Something else, said in words.
    Error(String),
}

/// Records read into one buffer: (position, start, end, flag) per record.
struct Chunk {
    buf: Vec<u8>,
    spans: Vec<(At, usize, usize, Flag)>,
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
    fn error(&mut self, at: At, msg: impl Into<String>) {
        let n = self.buf.len();
        self.spans.push((at, n, n, Flag::Error(msg.into())));
    }
}

/// How the next records are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// At the start of a top-level value: an array or envelope is expanded, anything else is
    /// read line by line.
    Detect,
    /// A record per line.
    Lines,
    /// Elements of the array opened at `opened`; `envelope` when it is a `Records` envelope's;
    /// `after` when an element was just read (a `,` or `]` comes next).
    Elements {
        opened: At,
        envelope: bool,
        after: bool,
    },
}

/// Where the reader is: the mode, and whether the first record is still to come (and with it
/// the test for a document spread over several lines).
struct State {
    mode: Mode,
    first: bool,
}

/// Reads records into `c` until it holds about [`CHUNK_BYTES`] or the input ends.
fn fill(src: &mut Source<'_>, c: &mut Chunk, max: usize, st: &mut State) -> std::io::Result<()> {
    c.buf.clear();
    c.spans.clear();
    c.eof = false;
    while c.buf.len() < CHUNK_BYTES {
        match st.mode {
            Mode::Detect => {
                if st.first && src.peek(3)?.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    src.consume(3);
                }
                if !src.skip_whitespace()? {
                    c.eof = true;
                    return Ok(());
                }
                let opened = At {
                    line: src.line,
                    column: Some(src.col),
                };
                let head = src.peek(ENVELOPE_LOOKAHEAD)?;
                if head.first() == Some(&b'[') {
                    src.consume(1);
                    st.mode = Mode::Elements {
                        opened,
                        envelope: false,
                        after: false,
                    };
                } else if let Some(n) = envelope_prefix(head) {
                    src.consume(n);
                    st.mode = Mode::Elements {
                        opened,
                        envelope: true,
                        after: false,
                    };
                } else {
                    st.mode = Mode::Lines;
                }
            }
            Mode::Lines => {
                if !read_line_record(src, c, max, st)? {
                    c.eof = true;
                    return Ok(());
                }
            }
            Mode::Elements {
                opened,
                envelope,
                after,
            } => {
                st.first = false;
                read_element(src, c, max, st, opened, envelope, after)?;
            }
        }
    }
    Ok(())
}

/// Reads one line (a record, unless blank) into `c`; false at the end of the input.
fn read_line_record(
    src: &mut Source<'_>,
    c: &mut Chunk,
    max: usize,
    st: &mut State,
) -> std::io::Result<bool> {
    let line = src.line;
    let start = c.buf.len();
    let (n, too_long) = src.read_line(&mut c.buf, max)?;
    if n == 0 {
        return Ok(false);
    }
    let mut end = c.buf.len();
    while end > start && matches!(c.buf.get(end - 1), Some(b'\n' | b'\r')) {
        end -= 1;
    }
    let mut s = start;
    if st.first && c.buf.get(s..s + 3) == Some(&[0xEF, 0xBB, 0xBF][..]) {
        s += 3;
    }
    let blank = c
        .buf
        .get(s..end)
        .is_none_or(|l| l.iter().all(u8::is_ascii_whitespace));
    if blank && !too_long {
        c.buf.truncate(start);
        return Ok(true);
    }
    if st.first {
        st.first = false;
        // A document spread over several lines: read it all as one. (Not when the line was cut
        // at the size limit: that record is rejected as too large.)
        if !too_long && starts_multiline_document(c.buf.get(s..end).unwrap_or(&[])) {
            let whole: Vec<u8> = c.buf.get(s..).unwrap_or(&[]).to_vec();
            c.buf.truncate(start);
            document(src, c, max, line, whole)?;
            return Ok(true);
        }
    }
    let flag = if too_long { Flag::TooLong } else { Flag::Text };
    c.spans.push((At::line(line), s, end, flag));
    Ok(true)
}

/// The first record opens a document over several lines: `whole` holds its first line. Reads
/// the rest (up to one byte past the limit); one document becomes one record, else the lines
/// are put back to be read one by one.
fn document(
    src: &mut Source<'_>,
    c: &mut Chunk,
    max: usize,
    line: usize,
    mut whole: Vec<u8>,
) -> std::io::Result<()> {
    while whole.len() <= max {
        let a = src.peek(1)?;
        if a.is_empty() {
            break;
        }
        let n = a.len().min(max + 1 - whole.len());
        whole.extend_from_slice(a.get(..n).unwrap_or(&[]));
        src.consume(n);
    }
    let text = String::from_utf8_lossy(&whole);
    if whole.len() > max {
        let err = serde_json::from_str::<serde::de::IgnoredAny>(&text).err();
        if err.is_some_and(|e| e.is_eof()) {
            // Still one unfinished document at the limit: reject it, skip the rest.
            while !src.peek(1)?.is_empty() {
                let n = src.available().len();
                src.consume(n);
            }
            let at = c.buf.len();
            c.spans.push((At::line(line), at, at, Flag::TooLong));
            return Ok(());
        }
    } else if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
        let at = c.buf.len();
        c.buf.extend_from_slice(&whole);
        c.spans.push((At::line(line), at, c.buf.len(), Flag::Text));
        return Ok(());
    }
    // Not one document after all: one record per line, from that line on.
    src.unread(whole, line);
    Ok(())
}

/// Reads the next element of an array (or the `,`, `]` and the envelope's `}` around it).
#[allow(clippy::too_many_arguments)]
fn read_element(
    src: &mut Source<'_>,
    c: &mut Chunk,
    max: usize,
    st: &mut State,
    opened: At,
    envelope: bool,
    after: bool,
) -> std::io::Result<()> {
    let what = if envelope {
        "the `Records` array"
    } else {
        "the array"
    };
    let here = |src: &Source<'_>| At {
        line: src.line,
        column: Some(src.col),
    };
    if !src.skip_whitespace()? {
        c.error(
            here(src),
            format!("the input ends inside {what} opened at {opened} (a truncated file?)"),
        );
        st.mode = Mode::Detect;
        return Ok(());
    }
    let b = src.peek(1)?.first().copied();
    match (b, after) {
        (Some(b']'), _) => {
            src.consume(1);
            st.mode = Mode::Detect;
            if envelope {
                close_envelope(src, c)?;
            }
        }
        (Some(b','), true) => {
            src.consume(1);
            st.mode = Mode::Elements {
                opened,
                envelope,
                after: false,
            };
        }
        (_, true) => {
            // No `,` between two records: say so, and read on as if it were there.
            c.error(
                here(src),
                format!("expected `,` or `]` after a record of {what}"),
            );
            st.mode = Mode::Elements {
                opened,
                envelope,
                after: false,
            };
        }
        (_, false) => {
            let at = here(src);
            let start = c.buf.len();
            let flag = match src.copy_value(&mut c.buf, max)? {
                Copied::Whole => Flag::Text,
                Copied::TooLong => Flag::TooLong,
                Copied::Truncated => {
                    c.buf.truncate(start);
                    Flag::Error(format!(
                        "the input ends inside this record of {what} opened at {opened} (a truncated file?)"
                    ))
                }
            };
            let end = c.buf.len();
            c.spans.push((at, start, end, flag));
            st.mode = Mode::Elements {
                opened,
                envelope,
                after: true,
            };
        }
    }
    Ok(())
}

/// After the `Records` array: the envelope's `}`. Other keys after it are reported, not read.
fn close_envelope(src: &mut Source<'_>, c: &mut Chunk) -> std::io::Result<()> {
    let at = |src: &Source<'_>| At {
        line: src.line,
        column: Some(src.col),
    };
    if !src.skip_whitespace()? {
        c.error(
            at(src),
            "the input ends inside the `Records` envelope (a truncated file?)",
        );
        return Ok(());
    }
    match src.peek(1)?.first() {
        Some(b'}') => src.consume(1),
        _ => {
            // `, "other": …}`: skip to the envelope's end.
            let here = at(src);
            src.skip_to_close(1)?;
            c.error(
                here,
                "the `Records` envelope has keys after `Records`: they are not records and were not read",
            );
        }
    }
    Ok(())
}

/// Calls `each` on every record of `c`, in parallel; the results in input order.
fn evaluate<T, F>(c: &Chunk, max_record_bytes: usize, each: &F) -> Vec<(At, T)>
where
    T: Send,
    F: Fn(At, RawRecord<'_>) -> T + Sync,
{
    c.spans
        .par_iter()
        .map(|(at, s, e, flag)| {
            let raw: RawRecord<'_> = match flag {
                Flag::TooLong => Err(too_large(max_record_bytes)),
                Flag::Error(m) => Err(m.clone()),
                Flag::Text => match std::str::from_utf8(c.buf.get(*s..*e).unwrap_or(&[])) {
                    Ok(t) => Ok(t),
                    Err(err) => Err(format!("invalid UTF-8 at byte {}", err.valid_up_to())),
                },
            };
            (*at, each(*at, raw))
        })
        .collect()
}

/// Reads and evaluates chunk by chunk, overlapped: while the thread pool evaluates chunk N,
/// the calling thread hands the results of chunk N-1 to `sink` and reads chunk N+1 (the reader
/// and the sink stay on the calling thread, so neither needs to be `Send`).
fn run_inner<T, F, S>(
    mut src: Source<'_>,
    max_record_bytes: usize,
    each: &F,
    sink: &mut S,
) -> std::io::Result<usize>
where
    T: Send,
    F: Fn(At, RawRecord<'_>) -> T + Sync,
    S: FnMut(At, T),
{
    let mut st = State {
        mode: Mode::Detect,
        first: true,
    };
    let mut cur = Chunk::new();
    fill(&mut src, &mut cur, max_record_bytes, &mut st)?;
    let mut next = Chunk::new();
    let mut pending: Vec<(At, T)> = Vec::new();
    let mut count = 0usize;
    loop {
        count += cur.spans.len();
        let mut results: Vec<(At, T)> = Vec::new();
        let mut read = Ok(());
        rayon::in_place_scope(|scope| {
            let (chunk, out) = (&cur, &mut results);
            scope.spawn(move |_| *out = evaluate(chunk, max_record_bytes, each));
            for (at, t) in pending.drain(..) {
                sink(at, t);
            }
            if !cur.eof {
                read = fill(&mut src, &mut next, max_record_bytes, &mut st);
            }
        });
        pending = results;
        if read.is_err() || cur.eof {
            for (at, t) in pending.drain(..) {
                sink(at, t);
            }
            return read.map(|()| count);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    fn collect(input: &str, max: usize) -> Vec<(usize, Result<String, String>)> {
        let mut out = Vec::new();
        run(
            std::io::Cursor::new(input.as_bytes()),
            max,
            |_, raw| raw.map(String::from),
            |at: At, r| out.push((at.line, r)),
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

    /// A byte-at-a-time line reader: the reference for [`Source::read_line`].
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
    #[allow(clippy::panic)]
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
                    let Ok(mut a) =
                        Source::new(std::io::BufReader::with_capacity(cap, input.as_bytes()))
                    else {
                        panic!("a source over memory");
                    };
                    let mut b = std::io::BufReader::with_capacity(cap, input.as_bytes());
                    let (mut ba, mut bb) = (Vec::new(), Vec::new());
                    loop {
                        let ra = a.read_line(&mut ba, max).unwrap_or((0, false));
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
                |at: At, ok| got.push((at.line, ok)),
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
            |at: At, ok| seen.push((at.line, ok)),
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
