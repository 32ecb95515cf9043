#![no_main]
//! See `pounce_fuzz::condition`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| pounce_fuzz::condition(data));
