#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| localcare_checks::bridge(data));
