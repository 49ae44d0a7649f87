//! Classification of units held as plain arrays: the hot path, kept beside the Arrow
//! entry point (`lc_classify_arrow`) because a C caller classifying millions of units
//! holds two arrays, not a table.

use std::ffi::c_char;

use localcare::{CapabilitySet, Unit};

use crate::error::lc_status;
use crate::ruleset::lc_ruleset;
use crate::text::{out_slice, slice_arg};

/// Classifies `n` units: `out_tiers[i]` becomes the tier index of the unit serving
/// `populations[i]` people with capability set `capabilities[i]` (the highest tier
/// whose band holds the population and whose required capabilities it has).
///
/// - `populations`: `n` values; `capabilities`: `n` sets, or NULL for "no capabilities"
///   for every unit; `out_tiers`: `n` caller-owned slots. Arrays may be NULL when `n`
///   is 0.
///
/// Errors: `LC_NULL_ARGUMENT`; `LC_OUT_OF_RANGE` when a set has a bit the ruleset does
/// not declare (the message names the index and the bit). On error `out_tiers` is
/// untouched.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `populations` and `capabilities` (when not NULL)
/// must point to `n` readable values; `out_tiers` to `n` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify(
    ruleset: *const lc_ruleset,
    populations: *const u64,
    capabilities: *const u64,
    n: usize,
    out_tiers: *mut u8,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        // SAFETY: caller's contract.
        let pops = unsafe { slice_arg(populations, n, "populations") }?;
        // SAFETY: caller's contract.
        let out = unsafe { out_slice(out_tiers, n, "out_tiers") }?;
        let zeros;
        let caps = if capabilities.is_null() {
            zeros = vec![0u64; n];
            &zeros[..]
        } else {
            // SAFETY: caller's contract.
            let c = unsafe { slice_arg(capabilities, n, "capabilities") }?;
            for (i, &bits) in c.iter().enumerate() {
                r.check_bits(bits, &|| format!("capabilities[{i}]"))?;
            }
            c
        };
        let mut tiers = vec![0u8; n];
        r.rs.classify_batch(pops, caps, &mut tiers)?;
        out.copy_from_slice(&tiers);
    }
}

/// The classification of one unit explained in words, one line per tier above its
/// own; the same text as every other face. Text out as in the conventions above.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (an undeclared capability bit),
/// `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `buf` NULL or `len` writable bytes; `needed` NULL
/// or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_explain(
    ruleset: *const lc_ruleset,
    population: u64,
    capabilities: u64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        r.check_bits(capabilities, &|| "capabilities".to_string())?;
        let unit = Unit::new(population, CapabilitySet::from_bits(capabilities));
        text_out!(&r.rs.classify(&unit).explain(&r.rs), buf, len, needed);
    }
}
