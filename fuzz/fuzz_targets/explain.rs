#![no_main]
//! See `pounce_fuzz::explain`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| pounce_fuzz::explain(data));
