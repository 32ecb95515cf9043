#![no_main]
//! See `pounce_fuzz::rule_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| pounce_fuzz::rule_file(data));
