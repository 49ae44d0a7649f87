//! Year-end settlement of an array of ACO results.

use std::ffi::c_char;

use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;

use crate::allocate::decimal;
use crate::error::{Result, lc_status};
use crate::guard::ffi_call;
use crate::ruleset::lc_ruleset;
use crate::text::{copy_out, lc_str, out_slice, ref_arg, slice_arg, str_arg, write_text};

/// One ACO's year, to settle. The strings are the caller's, read during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_settlement_input {
    /// The ACO's id (UTF-8; named in messages).
    pub unit_id: lc_str,
    /// Benchmark expenditure, pence (positive).
    pub benchmark_pence: i64,
    /// Actual expenditure, pence (0 or more).
    pub actual_pence: i64,
    /// Assigned population.
    pub assigned_population: u64,
    /// Quality score in [0, 1] as decimal text, such as `"0.90"` (exact).
    pub quality: lc_str,
    /// The ACO participants' fee-for-service revenue, pence, for a revenue-based loss
    /// limit and low-revenue sharing; `LC_NO_VALUE` when not given.
    pub participant_revenue_pence: i64,
}

/// The outcome of settling one ACO.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct lc_settlement {
    /// Benchmark - actual, pence: positive for savings, negative for a loss.
    pub savings_pence: i64,
    /// Whether the savings (or loss) rate reached the minimum rate.
    pub minimum_rate_met: bool,
    /// Whether quality reached the threshold.
    pub quality_gate_passed: bool,
    /// Amount before the cap, pence.
    pub amount_before_cap_pence: i64,
    /// The cap, pence.
    pub cap_pence: i64,
    /// Whether the cap bound.
    pub capped: bool,
    /// Final amount, pence: positive is paid to the ACO, negative is owed by it.
    pub final_pence: i64,
    /// Savings (or, negative, loss) as a share of the benchmark, in billionths (parts
    /// per billion), rounded half away from zero: `35000000` is 3.5%. For showing; the
    /// pence above come from the exact rate. A rate past what `int64_t` billionths hold
    /// (more than 9.2 billion times the benchmark, possible only with a benchmark of a
    /// few pence) saturates at `INT64_MAX` or `INT64_MIN`; `lc_settle_arrow` gives every
    /// rate as exact text.
    pub savings_rate_ppb: i64,
    /// The minimum savings (or loss) rate that applied, in billionths, rounded as above.
    pub minimum_rate_ppb: i64,
    /// The sharing rate applied (savings or loss), in billionths, rounded as above.
    pub sharing_rate_ppb: i64,
}

/// A rate in billionths, rounded half away from zero, saturating past `i64` (see
/// `lc_settlement.savings_rate_ppb`): a rate for showing never refuses a settlement
/// the other faces make.
pub(crate) fn ppb(rate: Decimal) -> i64 {
    use localcare::rust_decimal::RoundingStrategy;
    use localcare::rust_decimal::prelude::ToPrimitive;
    let saturated = if rate.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    };
    rate.round_dp_with_strategy(9, RoundingStrategy::MidpointAwayFromZero)
        .checked_mul(Decimal::from(1_000_000_000))
        .and_then(|d| d.to_i64())
        .unwrap_or(saturated)
}

/// A core settlement as the C struct.
pub(crate) fn settlement_out(s: &localcare::Settlement) -> Result<lc_settlement> {
    Ok(lc_settlement {
        savings_pence: s.savings_pence,
        minimum_rate_met: s.minimum_rate_met,
        quality_gate_passed: s.quality_gate_passed,
        amount_before_cap_pence: s.amount_before_cap_pence,
        cap_pence: s.cap_pence,
        capped: s.capped,
        final_pence: s.final_pence,
        savings_rate_ppb: ppb(s.savings_rate),
        minimum_rate_ppb: ppb(s.minimum_rate),
        sharing_rate_ppb: ppb(s.sharing_rate),
    })
}

/// # Safety
///
/// `i`'s strings must be readable as documented on `lc_settlement_input`.
unsafe fn read_input(i: &lc_settlement_input, at: &str) -> Result<SettlementInput> {
    // SAFETY: caller's contract.
    let unit_id = unsafe { str_arg(i.unit_id.ptr, i.unit_id.len, &format!("{at}.unit_id")) }?;
    let q_at = format!("{at}.quality");
    // SAFETY: caller's contract.
    let q = unsafe { str_arg(i.quality.ptr, i.quality.len, &q_at) }?;
    let quality = decimal(q, &|| q_at.clone())?;
    Ok(SettlementInput {
        unit_id: unit_id.to_string(),
        benchmark_pence: i.benchmark_pence,
        actual_pence: i.actual_pence,
        assigned_population: i.assigned_population,
        quality,
        participant_revenue_pence: (i.participant_revenue_pence != crate::LC_NO_VALUE)
            .then_some(i.participant_revenue_pence),
    })
}

/// Settles `n` ACOs under the ruleset's settlement policy: savings shared when the
/// minimum savings rate and the quality threshold are met, losses owed in a two-sided
/// arrangement, each capped.
///
/// - `inputs`: `n` results; `out`: `n` caller-owned slots, written only when every
///   input settles.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (a quality that is
/// not a decimal), `LC_SETTLEMENT_ERROR` (no settlement policy; an input out of range,
/// named with its row). Nothing is written on error.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `inputs` must point to `n` readable inputs; `out`
/// to `n` writable `lc_settlement`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_settle(
    ruleset: *const lc_ruleset,
    inputs: *const lc_settlement_input,
    n: usize,
    out: *mut lc_settlement,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let ins = unsafe { slice_arg(inputs, n, "inputs") }?;
        // SAFETY: caller's contract.
        let out = unsafe { out_slice(out, n, "out") }?;
        let mut core = Vec::with_capacity(n);
        for (k, i) in ins.iter().enumerate() {
            // SAFETY: caller's contract.
            core.push(unsafe { read_input(i, &format!("inputs[{k}]")) }?);
        }
        let settled = r.rs.settle_batch(&core)?;
        let results = settled
            .iter()
            .map(settlement_out)
            .collect::<Result<Vec<lc_settlement>>>()?;
        copy_out(out, &results);
        Ok(())
    })
}

/// The settlement of one ACO explained step by step, one line per step. Buffer
/// conventions as for `lc_classify_reasons`.
///
/// Errors: as for `lc_settle`, and `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `input` must point to a readable input; `buf`
/// NULL or `len` writable bytes; `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_settle_explain(
    ruleset: *const lc_ruleset,
    input: *const lc_settlement_input,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let i = unsafe { ref_arg(input, "input") }?;
        // SAFETY: caller's contract.
        let core = unsafe { read_input(i, "input") }?;
        let s = r.rs.settle(&core)?;
        let mut text = s.explanation.join("\n");
        text.push('\n');
        // SAFETY: caller's contract.
        unsafe { write_text(&text, buf, len, needed) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::lc;

    #[test]
    fn settles_the_golden_vector_through_the_abi() {
        let mut rs: *mut lc_ruleset = std::ptr::null_mut();
        let name = "kent-medway-2017";
        // SAFETY: valid pointers for the call.
        let s = unsafe { crate::lc_ruleset_builtin(name.as_ptr().cast(), name.len(), &mut rs) };
        assert_eq!(s, lc_status::LC_OK);
        let input = lc_settlement_input {
            unit_id: lc("ACO1"),
            benchmark_pence: 12_000_000_000,
            actual_pence: 11_580_000_000,
            assigned_population: 12_000,
            quality: lc("0.90"),
            participant_revenue_pence: crate::LC_NO_VALUE,
        };
        let mut out = [lc_settlement::default()];
        // SAFETY: one input, one output slot.
        let s = unsafe { lc_settle(rs, &input, 1, out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_OK);
        assert_eq!(out[0].final_pence, 189_000_000);
        let bad = lc_settlement_input {
            quality: lc("1.5"),
            ..input
        };
        // SAFETY: as above.
        let s = unsafe { lc_settle(rs, &bad, 1, out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_SETTLEMENT_ERROR);
        assert!(crate::guard::last_error().contains("expected a score in [0, 1]"));
        // A benchmark of one penny and an actual of INT64_MAX: the other faces settle it,
        // so C does too; the rate for showing saturates.
        let tiny = lc_settlement_input {
            benchmark_pence: 1,
            actual_pence: i64::MAX,
            ..input
        };
        // SAFETY: as above.
        let s = unsafe { lc_settle(rs, &tiny, 1, out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_OK, "{}", crate::guard::last_error());
        assert_eq!(out[0].savings_rate_ppb, i64::MIN);
        // SAFETY: made above, freed once.
        unsafe { crate::lc_ruleset_free(rs) };
    }
}
