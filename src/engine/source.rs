//! The byte source under the record stream: a look-ahead buffer over any reader (gzip is
//! decoded transparently), that knows the line and byte column of the next byte, reads lines
//! up to a limit, and copies one JSON value out of a JSON array without parsing it.

use std::io::Read;

/// The gzip magic number: a stream that starts with it is decoded (`.json.gz`, S3 deliveries).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How much is read from the underlying reader at a time.
const READ_BYTES: usize = 64 << 10;

/// A reader with a look-ahead buffer and the position of its next byte.
pub(super) struct Source<'a> {
    r: Box<dyn Read + 'a>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// 1-based line of the next byte.
    pub(super) line: usize,
    /// 1-based byte column of the next byte.
    pub(super) col: usize,
}

/// What [`Source::copy_value`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Copied {
    /// The whole value, kept in the output.
    Whole,
    /// The whole value was read but it is longer than the limit: nothing kept.
    TooLong,
    /// The input ended inside the value (what was read is kept when within the limit).
    Truncated,
}

impl<'a> Source<'a> {
    /// A source over `r`; a gzip stream (by its magic number) is decoded, every member of it.
    pub(super) fn new<R: Read + 'a>(r: R) -> std::io::Result<Source<'a>> {
        let mut s = Source::plain(Box::new(r));
        if s.peek(2)?.starts_with(&GZIP_MAGIC) {
            let head = std::mem::take(&mut s.buf);
            let rest = std::io::Cursor::new(head).chain(s.r);
            return Ok(Source::plain(Box::new(flate2::read::MultiGzDecoder::new(
                rest,
            ))));
        }
        Ok(s)
    }

    fn plain(r: Box<dyn Read + 'a>) -> Source<'a> {
        Source {
            r,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            line: 1,
            col: 1,
        }
    }

    /// The bytes read and not consumed yet.
    pub(super) fn available(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Reads more into the buffer; false at the end of the input.
    fn refill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let have = self.buf.len();
        self.buf.resize(have + READ_BYTES, 0);
        let n = loop {
            match self.r.read(self.buf.get_mut(have..).unwrap_or(&mut [])) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(have);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(have + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// At least `n` bytes ahead (fewer only at the end of the input).
    pub(super) fn peek(&mut self, n: usize) -> std::io::Result<&[u8]> {
        while self.available().len() < n && self.refill()? {}
        Ok(self.available())
    }

    /// Consumes `n` available bytes, following lines and columns.
    pub(super) fn consume(&mut self, n: usize) {
        let n = n.min(self.available().len());
        let taken = self.buf.get(self.pos..self.pos + n).unwrap_or(&[]);
        match memchr::memrchr(b'\n', taken) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', taken).count();
                self.col = n - last;
            }
            None => self.col += n,
        }
        self.pos += n;
    }

    /// Puts `bytes` back in front of what is left, at line `line` (column 1).
    pub(super) fn unread(&mut self, bytes: Vec<u8>, line: usize) {
        let rest = self.buf.split_off(self.pos);
        self.buf = bytes;
        self.buf.extend_from_slice(&rest);
        self.pos = 0;
        self.line = line;
        self.col = 1;
    }

    /// Skips spaces, tabs, carriage returns and newlines; false at the end of the input.
    pub(super) fn skip_whitespace(&mut self) -> std::io::Result<bool> {
        loop {
            let a = self.available();
            let n = a
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(a.len());
            let all = n == a.len();
            self.consume(n);
            if !all {
                return Ok(true);
            }
            if !self.refill()? {
                return Ok(false);
            }
        }
    }

    /// Appends one line (with its `\n`) to `out`, keeping at most `max` bytes of it; returns
    /// (bytes consumed, true when the line, `\n` included, was longer than `max`: then only
    /// its first `max` bytes are kept).
    pub(super) fn read_line(
        &mut self,
        out: &mut Vec<u8>,
        max: usize,
    ) -> std::io::Result<(usize, bool)> {
        let (mut consumed, mut kept, mut too_long) = (0usize, 0usize, false);
        loop {
            if self.available().is_empty() && !self.refill()? {
                return Ok((consumed, too_long));
            }
            let a = self.available();
            let (n, done) = match memchr::memchr(b'\n', a) {
                Some(i) => (i + 1, true),
                None => (a.len(), false),
            };
            let take = n.min(max.saturating_sub(kept));
            too_long |= take < n;
            out.extend_from_slice(a.get(..take).unwrap_or(&[]));
            kept += take;
            consumed += n;
            self.consume(n);
            if done {
                return Ok((consumed, too_long));
            }
        }
    }

    /// Copies the JSON value that starts here (an object, an array, a string or a bare
    /// scalar) into `out`, finding its end by brackets and quotes alone; a value longer than
    /// `max` is read to its end but not kept.
    pub(super) fn copy_value(&mut self, out: &mut Vec<u8>, max: usize) -> std::io::Result<Copied> {
        let start = out.len();
        let mut scan = Scan::default();
        let mut kept = 0usize;
        let mut too_long = false;
        loop {
            if self.available().is_empty() && !self.refill()? {
                // A bare scalar ends with the input; anything else is cut short.
                return Ok(match (scan.bare, too_long) {
                    (true, false) => Copied::Whole,
                    (true, true) => Copied::TooLong,
                    (false, _) => {
                        if too_long {
                            out.truncate(start);
                        }
                        Copied::Truncated
                    }
                });
            }
            let a = self.available();
            let (n, done) = scan.advance(a);
            if !too_long {
                if kept + n > max {
                    too_long = true;
                    out.truncate(start);
                } else {
                    out.extend_from_slice(a.get(..n).unwrap_or(&[]));
                    kept += n;
                }
            }
            self.consume(n);
            if done {
                return Ok(if too_long {
                    Copied::TooLong
                } else {
                    Copied::Whole
                });
            }
        }
    }
}

impl Source<'_> {
    /// Skips to the end of the object or array `depth` levels up (strings aside): after it, or
    /// at the end of the input.
    pub(super) fn skip_to_close(&mut self, depth: usize) -> std::io::Result<()> {
        let mut scan = Scan {
            started: true,
            depth,
            ..Scan::default()
        };
        loop {
            if self.available().is_empty() && !self.refill()? {
                return Ok(());
            }
            let (n, done) = scan.advance(self.available());
            self.consume(n);
            if done {
                return Ok(());
            }
        }
    }
}

/// Where a scan of one JSON value is: bracket depth, inside a string, after a backslash.
#[derive(Default)]
struct Scan {
    started: bool,
    bare: bool,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Scan {
    /// Scans `a`: (bytes that belong to the value, true when it ended there).
    fn advance(&mut self, a: &[u8]) -> (usize, bool) {
        let mut i = 0;
        while let Some(&b) = a.get(i) {
            if !self.started {
                self.started = true;
                match b {
                    b'{' | b'[' => self.depth = 1,
                    b'"' => self.in_string = true,
                    _ => self.bare = true,
                }
                i += 1;
                continue;
            }
            if self.bare {
                if b.is_ascii_whitespace() || matches!(b, b',' | b']' | b'}') {
                    return (i, true);
                }
                i += 1;
                continue;
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // The string's end or an escape: jump there.
                match memchr::memchr2(b'"', b'\\', a.get(i..).unwrap_or(&[])) {
                    Some(k) => {
                        i += k;
                        if a.get(i) == Some(&b'\\') {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                            if self.depth == 0 {
                                return (i + 1, true);
                            }
                        }
                        i += 1;
                    }
                    None => return (a.len(), false),
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return (i + 1, true);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        (a.len(), false)
    }
}

/// True when `a` (from a `{`) opens a `Records` envelope: `{`, whitespace, `"Records"`,
/// whitespace, `:`, whitespace, `[`. Returns the length through the `[`.
pub(super) fn envelope_prefix(a: &[u8]) -> Option<usize> {
    let mut i = 1;
    let ws = |a: &[u8], mut i: usize| {
        while a.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    if a.first() != Some(&b'{') {
        return None;
    }
    i = ws(a, i);
    let key = b"\"Records\"";
    if a.get(i..i + key.len()) != Some(&key[..]) {
        return None;
    }
    i = ws(a, i + key.len());
    if a.get(i) != Some(&b':') {
        return None;
    }
    i = ws(a, i + 1);
    (a.get(i) == Some(&b'[')).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(input: &str, max: usize) -> Vec<(String, Copied)> {
        let mut s =
            Source::new(input.as_bytes()).unwrap_or_else(|_| Source::plain(Box::new(&[][..])));
        let mut out = Vec::new();
        loop {
            if !s.skip_whitespace().unwrap_or(false) {
                return out;
            }
            let mut v = Vec::new();
            let c = s.copy_value(&mut v, max).unwrap_or(Copied::Truncated);
            out.push((String::from_utf8_lossy(&v).into_owned(), c));
            let _ = s.skip_whitespace();
            if s.peek(1).map(|a| a.first() == Some(&b',')).unwrap_or(false) {
                s.consume(1);
            }
        }
    }

    #[test]
    fn values_end_at_their_bracket_or_quote() {
        let got = values(
            r#"{"a":"}\"]"}, [1,[2]], "x\\", 12.5e3, true ,{"b":{}}"#,
            1 << 20,
        );
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                r#"{"a":"}\"]"}"#,
                "[1,[2]]",
                r#""x\\""#,
                "12.5e3",
                "true",
                r#"{"b":{}}"#
            ]
        );
        assert!(got.iter().all(|(_, c)| *c == Copied::Whole));
        let cut = values("{\"a\": [1", 1 << 20);
        assert_eq!(cut, vec![("{\"a\": [1".to_string(), Copied::Truncated)]);
        let long = values("[1,2,3,4,5], 7", 5);
        assert_eq!(
            long,
            vec![
                (String::new(), Copied::TooLong),
                ("7".to_string(), Copied::Whole)
            ]
        );
    }

    #[test]
    fn lines_and_columns_follow_consumed_bytes() {
        let mut s =
            Source::new(&b"ab\ncd\n\nef"[..]).unwrap_or_else(|_| Source::plain(Box::new(&[][..])));
        let _ = s.peek(100);
        s.consume(4);
        assert_eq!((s.line, s.col), (2, 2));
        s.consume(3);
        assert_eq!((s.line, s.col), (4, 1));
    }

    #[test]
    fn envelopes() {
        assert_eq!(envelope_prefix(b"{\"Records\":[{}]}"), Some(12));
        assert_eq!(envelope_prefix(b"{\n  \"Records\" : [\n"), Some(17));
        assert_eq!(envelope_prefix(b"{\"Records\":{}}"), None);
        assert_eq!(envelope_prefix(b"{\"eventName\":\"x\"}"), None);
    }

    #[test]
    fn gzip_is_decoded_member_after_member() {
        use std::io::Write;
        let mut gz = Vec::new();
        for part in ["{\"a\":1}\n", "{\"a\":2}\n"] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = e.write_all(part.as_bytes());
            gz.extend(e.finish().unwrap_or_default());
        }
        let mut s = Source::new(&gz[..]).unwrap_or_else(|_| Source::plain(Box::new(&[][..])));
        let mut out = Vec::new();
        while s.read_line(&mut out, 1 << 20).map(|r| r.0).unwrap_or(0) > 0 {}
        assert_eq!(out, b"{\"a\":1}\n{\"a\":2}\n");
    }
}
