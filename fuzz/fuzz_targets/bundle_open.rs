#![no_main]
//! See `ecrf_fuzz::bundle` for the input format and what is checked.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ecrf_fuzz::bundle::open_raw(data);
});
