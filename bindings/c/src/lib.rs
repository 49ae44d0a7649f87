//! The C ABI of localcare: `#include <localcare.h>`, prefix `lc_`.
//!
//! This crate translates and nothing more: every rule lives in the `localcare` core.
//! The conventions every function keeps are written once, at the top of the generated
//! header (`bindings/c/cbindgen.toml`) and in `bindings/c/README.md`:
//!
//! - every function returns an [`lc_status`] and writes results through out-pointers;
//!   on any status but `LC_OK` nothing is written through them (the one exception, the
//!   `needed` length of text functions on `LC_BUFFER_TOO_SMALL`, is documented there);
//! - NULL where a pointer is required gives `LC_NULL_ARGUMENT`, never a crash;
//! - no panic crosses the boundary: every entry point runs in [`guard::ffi_call`];
//! - the last error message of the calling thread is kept for `lc_last_error_message`;
//! - strings are UTF-8 with explicit lengths ([`lc_str`]); invalid UTF-8 gives
//!   `LC_INVALID_UTF8`;
//! - handles are immutable once made, so one may be read from many threads at once.
// The C names (`lc_ruleset`, `LC_OK`) are the API; Rust's naming lints do not apply.
#![allow(non_camel_case_types)]

mod allocate;
mod appraise;
mod arrow;
mod classify;
mod error;
mod guard;
mod ruleset;
mod settle;
mod shift;
mod text;
mod validate;

pub use allocate::*;
pub use appraise::*;
pub use arrow::*;
pub use classify::*;
pub use error::lc_status;
pub use guard::lc_last_error_message;
pub use ruleset::*;
pub use settle::*;
pub use shift::*;
pub use text::lc_str;
pub use validate::*;

use std::ffi::c_char;

/// Major version of the library this header belongs to.
pub const LC_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const LC_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const LC_VERSION_PATCH: u32 = 0;

/// No parent: the unit sits directly under the strategic commissioner (a
/// `lc_footprint.parents` entry). `SIZE_MAX` in the header (written in cbindgen.toml).
pub const LC_NO_PARENT: usize = usize::MAX;
/// No population given (a `lc_footprint.populations` entry).
pub const LC_NO_POPULATION: i64 = i64::MIN;
/// No baseline given for this unit (an entry of `lc_allocate`'s `baselines`).
pub const LC_NO_BASELINE: i64 = i64::MIN;
/// No count given (an entry of `lc_needs.age_counts`).
pub const LC_NO_COUNT: u64 = u64::MAX;
/// No value: written where a result does not exist, such as the distance from a
/// target of 0 (`lc_allocation_columns.distance_from_target_ppm`).
pub const LC_NO_VALUE: i64 = i64::MIN;
/// No unit: `lc_finding.unit_index` of a finding about the footprint as a whole.
/// `SIZE_MAX` in the header (written in cbindgen.toml).
pub const LC_NO_UNIT: usize = usize::MAX;

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, `"MAJOR.MINOR.PATCH"`: equal to the header's `LC_VERSION`
/// (made from `LC_VERSION_MAJOR`, `_MINOR` and `_PATCH`) when header and library match.
///
/// Ownership: the string is static and NUL-terminated; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn lc_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_agree_with_the_crate() {
        let v = env!("CARGO_PKG_VERSION");
        let parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(
            parts,
            [LC_VERSION_MAJOR, LC_VERSION_MINOR, LC_VERSION_PATCH]
        );
        // SAFETY: lc_version returns a static NUL-terminated string.
        let got = unsafe { std::ffi::CStr::from_ptr(lc_version()) };
        assert_eq!(got.to_str().unwrap(), v);
    }
}
