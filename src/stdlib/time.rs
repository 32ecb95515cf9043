//! Functions over timestamps: reading them (`timestamp`, fractions of a second kept) and the
//! evaluation clock (`now`). An age is `now() - timestamp(x)`, a difference
//! `timestamp(a) - timestamp(b)`. The clock comes from the evaluation environment (`Env::now`),
//! never from the system, so tests are repeatable.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "timestamp",
        1,
        1,
        "seconds since the Unix epoch of an RFC 3339 / ISO 8601 timestamp string, fractions of a second kept (a number is taken as epoch seconds)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| a.get(0).and_then(epoch_value).ok_or_else(|| NativeError("not a timestamp".into())),
    ));
    r.register(Native::new(
        "now",
        0,
        0,
        "the evaluation clock, as seconds since the Unix epoch",
        |_: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::from(ctx.now)),
    ));
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:]MM`
/// offset (no offset = UTC), into seconds since the Unix epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86400;
    let mut rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(secs);
    }
    if !(rest.starts_with('T') || rest.starts_with(' ') || rest.starts_with('t')) {
        return None;
    }
    rest = rest.get(1..)?;
    let hh: i64 = rest.get(0..2)?.parse().ok()?;
    if rest.get(2..3)? != ":" {
        return None;
    }
    let mm: i64 = rest.get(3..5)?.parse().ok()?;
    rest = rest.get(5..)?;
    let mut ss = 0i64;
    if let Some(r) = rest.strip_prefix(':') {
        ss = r.get(0..2)?.parse().ok()?;
        rest = r.get(2..)?;
        if let Some(r) = rest.strip_prefix('.') {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            rest = r.get(digits..)?;
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    secs += hh * 3600 + mm * 60 + ss;
    match rest {
        "" | "Z" | "z" => Some(secs),
        off => {
            let sign = match off.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = off.get(1..)?.replace(':', "");
            if o.len() != 4 {
                return None;
            }
            let (oh, om): (i64, i64) = (o.get(0..2)?.parse().ok()?, o.get(2..4)?.parse().ok()?);
            Some(secs - sign * (oh * 3600 + om * 60))
        }
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Seconds since the Unix epoch of a timestamp string read as [`parse_timestamp`] reads it,
/// with the fraction of a second written after `HH:MM:SS.` (the decimal text is parsed as one
/// number, so `…14.916Z` is the double nearest to `….916`).
fn exact_epoch(s: &str) -> Option<f64> {
    let s = s.trim();
    let whole = parse_timestamp(s)?;
    let digits: String = match (s.as_bytes().get(16), s.get(19..)) {
        (Some(b':'), Some(rest)) if rest.starts_with('.') => rest
            .chars()
            .skip(1)
            .take_while(char::is_ascii_digit)
            .collect(),
        _ => String::new(),
    };
    if digits.is_empty() {
        return Some(whole as f64);
    }
    if whole >= 0 {
        format!("{whole}.{digits}").parse().ok()
    } else {
        Some(whole as f64 + format!("0.{digits}").parse::<f64>().ok()?)
    }
}

/// `timestamp(x)`: a string as [`exact_epoch`] reads it, as an integer when it has no fraction
/// of a second (`2000-01-01T00:00:00Z` → 946684800, `…00:00:00.5Z` → 946684800.5); a number as
/// it is; `None` for anything else or text that is not a timestamp.
fn epoch_value(v: &Value) -> Option<Value> {
    match v {
        Value::Number(n) => Some(Value::Number(n.clone())),
        Value::String(s) => {
            let secs = exact_epoch(s)?;
            if secs.fract() == 0.0 {
                parse_timestamp(s).map(Value::from)
            } else {
                serde_json::Number::from_f64(secs).map(Value::Number)
            }
        }
        _ => None,
    }
}
