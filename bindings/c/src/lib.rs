//! The C ABI of localcare: `#include <localcare.h>`, prefix `lc_`.
//!
//! This crate translates and nothing more: every rule lives in the `localcare` core,
//! every table's columns, readers and writers in `localcare-tables`. The C face is on
//! the table model: commands take Arrow C streams ([`lc_builder`] makes one from plain
//! C arrays) and give one [`lc_result`] of named record batches plus text; the one
//! plain-array entry point kept is [`lc_classify`], the hot path.
//!
//! The conventions every function keeps are written once, at the top of the generated
//! header (`bindings/c/cbindgen.toml`) and in `bindings/c/README.md`; the boundary that
//! keeps them (NULL checks, no panic across, out-pointer writes, the thread's last
//! error) is the macros of [`guard`], and every error becomes a status in [`error`].
// The C names (`lc_ruleset`, `LC_OK`) are the API; Rust's naming lints do not apply.
#![allow(non_camel_case_types)]

#[macro_use]
mod guard;
mod arrow;
mod builder;
mod classify;
mod commands;
mod error;
mod result;
mod ruleset;
mod text;

pub use arrow::lc_table_column;
pub use builder::*;
pub use classify::*;
pub use commands::*;
pub use error::lc_status;
pub use guard::{lc_last_error_message, lc_status_name};
pub use result::*;
pub use ruleset::*;
pub use text::lc_str;

use std::ffi::c_char;

/// Major version of the library this header belongs to: the C ABI's, raised on every
/// incompatible change (the shared library is `liblocalcare.so.MAJOR`).
pub const LC_VERSION_MAJOR: u32 = 1;
/// Minor version of the library this header belongs to.
pub const LC_VERSION_MINOR: u32 = 3;
/// Patch version of the library this header belongs to.
pub const LC_VERSION_PATCH: u32 = 0;

/// No value: an `int64_t` cell that is null (`lc_result_i64`), or an `int64_t` given to
/// `lc_builder_i64` that is null, or an amount not given (`lc_shift_arrow`'s
/// `target_pence`).
pub const LC_NO_VALUE: i64 = i64::MIN;

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
