//! Classification of units held as plain arrays: the hot path, kept beside the Arrow
//! entry point (`lc_classify_arrow`) because a C caller classifying millions of units
//! holds two arrays, not a table.

use std::ffi::c_char;

use localcare::{CapabilitySet, Population, Unit};

use crate::error::{Error, lc_status};
use crate::ruleset::lc_ruleset;
use crate::text::{lc_str, out_slice, slice_arg, str_arg};

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

/// The population at `populations[i]` as exact people: decimal text with at most 9
/// places (`"8843.471177"`, `"200000"`).
///
/// # Safety
///
/// `s` must be a `lc_str` whose `ptr` is NULL (with `len` 0) or `len` readable bytes.
unsafe fn people_arg(s: &lc_str, what: &str) -> crate::error::Result<Population> {
    // SAFETY: the caller's contract.
    let text = unsafe { str_arg(s.ptr, s.len, what) }?;
    text.parse::<Population>().map_err(|e| {
        Error::new(
            lc_status::LC_INPUT_ERROR,
            format!("`{what}`: population {e}"),
        )
    })
}

/// [`lc_classify`] for exact, possibly fractional, populations (NHS England's adjusted
/// populations have up to 9 decimal places): `populations[i]` is decimal text such as
/// `"8843.471177"` or `"200000"`, read exactly (never through a float). Bands compare
/// exactly: `"19999.5"` is below a 20,000 minimum.
///
/// Errors: `LC_NULL_ARGUMENT`; `LC_INVALID_UTF8`; `LC_INPUT_ERROR` when a population
/// is empty, not a number, negative or has more than 9 decimal places (the message
/// names `populations[i]`); `LC_OUT_OF_RANGE` as for [`lc_classify`]. On error
/// `out_tiers` is untouched.
///
/// # Safety
///
/// As [`lc_classify`], with `populations` `n` readable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_exact(
    ruleset: *const lc_ruleset,
    populations: *const lc_str,
    capabilities: *const u64,
    n: usize,
    out_tiers: *mut u8,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        // SAFETY: caller's contract.
        let texts = unsafe { slice_arg(populations, n, "populations") }?;
        // SAFETY: caller's contract.
        let out = unsafe { out_slice(out_tiers, n, "out_tiers") }?;
        let pops = texts
            .iter()
            .enumerate()
            // SAFETY: caller's contract, for each entry.
            .map(|(i, s)| unsafe { people_arg(s, &format!("populations[{i}]")) })
            .collect::<crate::error::Result<Vec<Population>>>()?;
        let caps = if capabilities.is_null() {
            vec![0u64; n]
        } else {
            // SAFETY: caller's contract.
            let c = unsafe { slice_arg(capabilities, n, "capabilities") }?;
            for (i, &bits) in c.iter().enumerate() {
                r.check_bits(bits, &|| format!("capabilities[{i}]"))?;
            }
            c.to_vec()
        };
        let mut tiers = vec![0u8; n];
        r.rs.classify_batch_exact(&pops, &caps, &mut tiers)?;
        out.copy_from_slice(&tiers);
    }
}

/// [`lc_classify_explain`] for an exact, possibly fractional, population given as
/// decimal text (`population_len` bytes, no NUL needed), read as [`lc_classify_exact`]
/// reads it.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (the population),
/// `LC_OUT_OF_RANGE` (an undeclared capability bit), `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `population` `population_len` readable bytes;
/// `buf` NULL or `len` writable bytes; `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_explain_exact(
    ruleset: *const lc_ruleset,
    population: *const c_char,
    population_len: usize,
    capabilities: u64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        let pop = lc_str { ptr: population, len: population_len };
        // SAFETY: caller's contract.
        let pop = unsafe { people_arg(&pop, "population") }?;
        r.check_bits(capabilities, &|| "capabilities".to_string())?;
        let unit = Unit::exact(pop, CapabilitySet::from_bits(capabilities));
        text_out!(&r.rs.classify(&unit).explain(&r.rs), buf, len, needed);
    }
}
