#![no_main]
//! See `pounce_fuzz::eval`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| pounce_fuzz::eval(data));
