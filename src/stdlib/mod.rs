//! The standard library: functions that know nothing of AWS, one file per kind of value they
//! work on. A new function goes in the file of the value it takes (`strings.rs` for text,
//! `collections.rs` for lists and objects, `time.rs` for timestamps, `net.rs` for addresses,
//! `json.rs` for JSON text, `values.rs` for any value); a rule Python decides (truthiness,
//! `str()`, `ipaddress`) goes in `python.rs` and is used from there. Its cases go in
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

/// Registers every function of the standard library.
pub fn register(r: &mut Registry) {
    collections::register(r);
    json::register(r);
    net::register(r);
    strings::register(r);
    time::register(r);
    values::register(r);
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
                "age_seconds",
                "cidr_is_private",
                "coalesce",
                "deep_walk",
                "deep_walk_list",
                "default_if_absent",
                "first_where",
                "fnmatch",
                "hour_floor",
                "if_else",
                "ip_address_is_private",
                "is_ip_address",
                "keys",
                "make_object",
                "now",
                "object_from",
                "object_get",
                "or_else",
                "parse_json",
                "set_union",
                "split_part",
                "text_concat",
                "text_replace",
                "timestamp",
                "timestamp_diff",
                "truthy",
                "value_at",
            ]
        );
    }
}
