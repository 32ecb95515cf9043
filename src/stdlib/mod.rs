//! The standard library: functions that know nothing of AWS, one file per kind of value they
//! work on. A new function goes in the file of the value it takes (`strings.rs` for text,
//! `collections.rs` for lists and objects, `time.rs` for timestamps, `net.rs` for addresses,
//! `json.rs` for JSON text, `values.rs` for any value); a rule Python decides (truthiness,
//! `str()`, `ipaddress`) goes in `python.rs` and is used from there (`py_str` is registered
//! there). Its cases go in
//! `tests/functions/stdlib/<file>.yaml`, and `pounce natives --format markdown >
//! docs/NATIVES.md` lists it.

pub mod collections;
pub mod json;
pub mod net;
pub mod python;
pub mod strings;
pub mod time;
pub mod values;

#[cfg(test)]
pub(crate) mod test_support;

pub use python::truthy;
pub use strings::fnmatch;
pub use time::parse_timestamp;

use pounce_lang::functions::Registry;

/// Registers every function of the standard library, marked as such (`pounce natives` lists
/// them apart from host natives).
pub fn register(r: &mut Registry) {
    let mut std = Registry::empty();
    collections::register(&mut std);
    json::register(&mut std);
    net::register(&mut std);
    python::register(&mut std);
    strings::register(&mut std);
    time::register(&mut std);
    values::register(&mut std);
    for n in std.iter() {
        r.register(n.clone().standard());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stdlib::test_support::registered;

    #[test]
    fn registers_the_standard_library() {
        assert_eq!(
            registered(register),
            [
                "cidr_is_private",
                "distinct",
                "error",
                "floor",
                "fnmatch",
                "from_entries",
                "ip_address_is_private",
                "is_ip_address",
                "join",
                "keys",
                "now",
                "parse_json",
                "py_str",
                "replace",
                "split",
                "timestamp",
                "to_number",
                "to_string",
                "truthy",
                "type",
                "values",
            ]
        );
    }
}
