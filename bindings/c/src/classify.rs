//! Classification of units held as arrays.

use std::ffi::c_char;

use localcare::{BandStatus, Unit};

use crate::error::lc_status;
use crate::guard::ffi_call;
use crate::ruleset::lc_ruleset;
use crate::text::{
    copy_out, lc_str, opt_slice_arg, out_ptr, out_slice, ref_arg, slice_arg, write_text,
};

/// Where a population sits against the bands of the tiers above the base tier.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_band_status {
    /// Inside exactly one band, or below every band (a practice-sized population).
    LC_BAND_IN_BAND = 0,
    /// Inside two or more bands: capabilities decide between them.
    LC_BAND_OVERLAP = 1,
    /// Inside no band, though at or above the lowest band's minimum.
    LC_BAND_GAP = 2,
    /// Outside the advisory band ("usually", "around") of the unit's tier: a warning,
    /// not a reason to classify it lower.
    LC_BAND_OUTSIDE_ADVISORY_BAND = 3,
}

impl From<BandStatus> for lc_band_status {
    fn from(b: BandStatus) -> Self {
        match b {
            BandStatus::InBand => lc_band_status::LC_BAND_IN_BAND,
            BandStatus::Overlap => lc_band_status::LC_BAND_OVERLAP,
            BandStatus::Gap => lc_band_status::LC_BAND_GAP,
            BandStatus::OutsideAdvisoryBand => lc_band_status::LC_BAND_OUTSIDE_ADVISORY_BAND,
        }
    }
}

/// The classification of one unit.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_classification {
    /// Index of the unit's tier (`lc_ruleset_tier_id` gives its id).
    pub tier: usize,
    /// The tier's id, borrowed from the ruleset (valid until `lc_ruleset_free`).
    pub tier_id: lc_str,
    /// In band, overlap or gap.
    pub band_status: lc_band_status,
}

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
    ffi_call(|| {
        // SAFETY (all four): caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: as above.
        let pops = unsafe { slice_arg(populations, n, "populations") }?;
        // SAFETY: as above.
        let caps = unsafe { opt_slice_arg(capabilities, n, "capabilities") }?;
        // SAFETY: as above.
        let out = unsafe { out_slice(out_tiers, n, "out_tiers") }?;
        let zeros;
        let caps = match caps {
            Some(c) => {
                for (i, &bits) in c.iter().enumerate() {
                    r.check_bits(bits, &|| format!("capabilities[{i}]"))?;
                }
                c
            }
            None => {
                zeros = vec![0u64; n];
                &zeros[..]
            }
        };
        let mut tiers = vec![0u8; n];
        r.rs.classify_batch(pops, caps, &mut tiers)?;
        copy_out(out, &tiers);
        Ok(())
    })
}

/// Classifies one unit, with its band status.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (an undeclared capability bit).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable
/// `lc_classification`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_unit(
    ruleset: *const lc_ruleset,
    population: u64,
    capabilities: u64,
    out: *mut lc_classification,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        out_ptr(out, "out")?;
        r.check_bits(capabilities, &|| "capabilities".to_string())?;
        let c = r.rs.classify(&Unit::new(
            population,
            localcare::CapabilitySet::from_bits(capabilities),
        ));
        let result = lc_classification {
            tier: c.tier(),
            tier_id: r.tier_id(c.tier()),
            band_status: c.band_status().into(),
        };
        // SAFETY: checked above.
        unsafe { out.write(result) };
        Ok(())
    })
}

enum Text {
    Reasons,
    Explain,
}

/// # Safety
///
/// As for `lc_classify_reasons`.
unsafe fn classify_text(
    ruleset: *const lc_ruleset,
    population: u64,
    capabilities: u64,
    kind: Text,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        r.check_bits(capabilities, &|| "capabilities".to_string())?;
        let c = r.rs.classify(&Unit::new(
            population,
            localcare::CapabilitySet::from_bits(capabilities),
        ));
        let text = match kind {
            Text::Reasons => c.reasons_line(&r.rs),
            Text::Explain => c.explain(&r.rs),
        };
        // SAFETY: caller's contract.
        unsafe { write_text(&text, buf, len, needed) }
    })
}

/// Why one unit is not in each higher tier, as one line: `mcp_hub: population 30,000
/// below the minimum 50,000, lacks mdt; aco: ...` (empty for the highest tier). The
/// same text as every other face.
///
/// - `buf`: caller-owned, `len` bytes, NULL only when `len` is 0; receives the text
///   NUL-terminated.
/// - `needed`: if not NULL, receives the text's length in bytes excluding the NUL, on
///   `LC_OK` and on `LC_BUFFER_TOO_SMALL` (then `buf` is untouched). Call with
///   `len` 0 to learn it.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `buf` NULL or `len` writable bytes; `needed` NULL
/// or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_reasons(
    ruleset: *const lc_ruleset,
    population: u64,
    capabilities: u64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    // SAFETY: forwarded contract.
    unsafe {
        classify_text(
            ruleset,
            population,
            capabilities,
            Text::Reasons,
            buf,
            len,
            needed,
        )
    }
}

/// The classification of one unit explained in words, one line per tier above its
/// own. Buffer conventions as for `lc_classify_reasons`.
///
/// # Safety
///
/// As for `lc_classify_reasons`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_explain(
    ruleset: *const lc_ruleset,
    population: u64,
    capabilities: u64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    // SAFETY: forwarded contract.
    unsafe {
        classify_text(
            ruleset,
            population,
            capabilities,
            Text::Explain,
            buf,
            len,
            needed,
        )
    }
}
