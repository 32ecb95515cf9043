//! Maps byte offsets of a condition to byte offsets of the YAML file it was written in, for
//! plain, quoted, literal (`|`) and folded (`>`) scalars: the condition's characters are
//! aligned with the raw scalar's, skipping indentation, quotes and escapes.

/// Offsets of a condition inside a file.
#[derive(Clone, Debug)]
pub struct SpanMap {
    /// For each byte offset of the condition (and one past its end), the file offset.
    map: Vec<usize>,
}

impl SpanMap {
    /// Aligns `cond` (the scalar's value) with `raw` (its text in the file, starting at byte `raw_start`).
    pub fn new(cond: &str, raw: &str, raw_start: usize) -> Self {
        let mut map = vec![raw_start; cond.len() + 1];
        let raw_chars: Vec<(usize, char)> = raw.char_indices().collect();
        let mut j = 0usize; // index into raw_chars
        let mut last = raw_start; // file offset just past the last matched char
        for (i, c) in cond.char_indices() {
            if c.is_whitespace() {
                fill(&mut map, i, c.len_utf8(), last);
                continue;
            }
            // Find c in raw from j on; give up on this char if it is not found nearby.
            let found = raw_chars.iter().skip(j).take(64).position(|&(_, r)| r == c);
            match found {
                Some(k) => {
                    let (off, rc) = raw_chars.get(j + k).copied().unwrap_or((0, c));
                    fill(&mut map, i, c.len_utf8(), raw_start + off);
                    last = raw_start + off + rc.len_utf8();
                    j += k + 1;
                }
                None => fill(&mut map, i, c.len_utf8(), last),
            }
        }
        if let Some(end) = map.last_mut() {
            *end = last;
        }
        SpanMap { map }
    }

    /// The file span of condition span `start..end`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self
            .map
            .get(start)
            .copied()
            .unwrap_or_else(|| self.map.last().copied().unwrap_or(0));
        if end <= start {
            return (s, s);
        }
        // End: just past the last byte of the span.
        let last = self.map.get(end - 1).copied().unwrap_or(s);
        (s, (last + 1).max(s))
    }
}

fn fill(map: &mut [usize], at: usize, len: usize, value: usize) {
    for k in at..at + len {
        if let Some(slot) = map.get_mut(k) {
            *slot = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str, cond: &str, raw_start: usize, span: (usize, usize), expect: &str) {
        let raw = &yaml[raw_start..];
        let m = SpanMap::new(cond, raw, raw_start);
        let (s, e) = m.span(span.0, span.1);
        assert_eq!(&yaml[s..e], expect);
    }

    #[test]
    fn plain_literal_folded_quoted() {
        let y = "Condition: a == b and c\n";
        check(y, "a == b and c", 11, (5, 6), "b");
        let y = "Condition: |\n  a == 1\n  and b is_nul\n";
        check(y, "a == 1\nand b is_nul\n", 15, (13, 19), "is_nul");
        let y = "Condition: >\n  a == 1\n  and b is_nul\n";
        check(y, "a == 1 and b is_nul\n", 15, (13, 19), "is_nul");
        let y = "Condition: \"a == \\\"x\\\"\"\n";
        check(y, "a == \"x\"", 11, (5, 8), "\"x\\\"");
    }
}
