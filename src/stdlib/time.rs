//! Functions over timestamps: reading them (`timestamp`), the evaluation clock (`now`,
//! `age_seconds`) and exact differences (`timestamp_diff`). They read the clock from the
//! evaluation environment (`Env::now`), never from the system, so tests are repeatable.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "timestamp",
        1,
        1,
        "seconds since the Unix epoch of an RFC 3339 / ISO 8601 timestamp string (a number is taken as epoch seconds)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| a.get(0).and_then(to_epoch).map(Value::from).ok_or_else(|| NativeError("not a timestamp".into())),
    ));
    r.register(Native::new(
        "age_seconds",
        1,
        1,
        "seconds from a timestamp to now (negative for a future time); undefined when it is not a timestamp",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let t = a.get(0).and_then(to_epoch).ok_or_else(|| NativeError("not a timestamp".into()))?;
            let age = ctx.now - t;
            ctx.note(format_args!("now - {} = {age} s ({:.1} days)", a.get(0).map(Value::to_string).unwrap_or_default(), age as f64 / 86400.0));
            Ok(Value::from(age))
        },
    ));
    r.register(Native::new(
        "now",
        0,
        0,
        "the evaluation clock, as seconds since the Unix epoch",
        |_: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::from(ctx.now)),
    ));
    r.register(Native::new(
        "timestamp_diff",
        2,
        2,
        "A minus B in seconds, fractions of a second included, for two timestamps (strings as `timestamp` reads them, or epoch numbers); undefined unless both are timestamps",
        timestamp_diff,
    ));
}

fn to_epoch(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => parse_timestamp(s),
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
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

/// Seconds since the Unix epoch of a timestamp, with its fraction of a second: a string read as
/// [`parse_timestamp`] reads it plus the digits after `HH:MM:SS.`, or a number taken as epoch
/// seconds.
fn exact_epoch(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s = s.trim();
            let whole = parse_timestamp(s)? as f64;
            let frac = match (s.as_bytes().get(16), s.get(19..)) {
                (Some(b':'), Some(rest)) if rest.starts_with('.') => {
                    let digits: String = rest
                        .chars()
                        .skip(1)
                        .take_while(char::is_ascii_digit)
                        .collect();
                    format!("0.{digits}").parse::<f64>().unwrap_or(0.0)
                }
                _ => 0.0,
            };
            Some(whole + frac)
        }
        _ => None,
    }
}

/// `timestamp_diff(a, b)`: `a - b` in seconds, as a number that keeps fractions of a second
/// (`2019-01-01T00:00:07Z` minus `2019-01-01T00:00:00.500Z` is 6.5). Strings are read as
/// `timestamp` reads them (RFC 3339 / ISO 8601, no offset = UTC); numbers are epoch seconds.
/// Undefined when either argument is missing, null, empty or not a timestamp.
fn timestamp_diff(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (Some(x), Some(y)) = (
        a.get(0).and_then(exact_epoch),
        a.get(1).and_then(exact_epoch),
    ) else {
        return Err(NativeError("not a timestamp".into()));
    };
    let d = x - y;
    ctx.note(format_args!("difference: {d} s"));
    serde_json::Number::from_f64(d)
        .map(Value::Number)
        .ok_or_else(|| NativeError("not a finite difference".into()))
}
