//! The shift-left model (DESIGN §13) over an array of units: admissions avoided, beds
//! and money released, the settlement that follows, and the inverse questions.

use std::ffi::c_char;

use localcare::money::decimal_text;
use localcare::rust_decimal::Decimal;
use localcare::shift::{Reduction, ReductionAnswer, ShiftError, ShiftInput};
use localcare_tables::shift::{self as table_shift, ShiftBenchmark};

use crate::LC_NO_VALUE;
use crate::allocate::decimal;
use crate::error::{Error, Result, lc_status};
use crate::guard::ffi_call;
use crate::ruleset::lc_ruleset;
use crate::settle::{lc_settlement, settlement_out};
use crate::text::{
    copy_out, lc_str, opt_slice_arg, opt_str_arg, out_slice, ref_arg, slice_arg, str_arg,
    write_text,
};

impl From<ShiftError> for Error {
    fn from(e: ShiftError) -> Self {
        Error::new(lc_status::LC_SHIFT_ERROR, e.to_string())
    }
}

/// One unit's year, for the shift-left model. Every parameter left out (an `lc_str`
/// with a NULL `ptr`, or `LC_NO_VALUE` pence) takes the ruleset's `[shift]` default.
/// The strings are the caller's, read during the call; decimals are text such as
/// `"0.30"`, read exactly.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_shift_input {
    /// The unit's id (UTF-8; named in messages).
    pub unit_id: lc_str,
    /// Emergency admissions a year (0 or more).
    pub emergency_admissions: i64,
    /// Share of emergency admissions that could be avoided, in [0, 1].
    pub avoidable_share: lc_str,
    /// The reduction as a share of all admissions, in [0, avoidable share]; not with
    /// `avoided_share`.
    pub reduction: lc_str,
    /// The reduction as a share of the avoidable admissions, in [0, 1]; not with
    /// `reduction`.
    pub avoided_share: lc_str,
    /// Bed days per emergency admission (0 or more).
    pub bed_days_per_admission: lc_str,
    /// Cost of one acute bed day, pence; `LC_NO_VALUE` for the default.
    pub bed_day_cost_pence: i64,
    /// Cost of the community care replacing one admission, pence; `LC_NO_VALUE` for the
    /// default.
    pub replacement_cost_pence: i64,
    /// Yearly fixed cost, pence; `LC_NO_VALUE` for the default (0 when the ruleset has
    /// none).
    pub fixed_cost_pence: i64,
    /// Bed occupancy in (0, 1].
    pub occupancy: lc_str,
}

/// A unit's benchmark, for the settlement that follows its shift.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_shift_benchmark {
    /// Benchmark expenditure, pence (positive).
    pub benchmark_pence: i64,
    /// Assigned population.
    pub assigned_population: u64,
    /// Quality score in [0, 1] as decimal text, such as `"0.90"` (exact); the
    /// settlement needs it (a NULL `ptr` is then `LC_SHIFT_ERROR`).
    pub quality: lc_str,
}

/// The outcome of the model for one unit. Quantities to two decimal places are given
/// exactly in hundredths; rates in billionths are rounded, for showing.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct lc_shift_outcome {
    /// The reduction of all admissions used, in billionths, rounded half away from zero.
    pub reduction_ppb: i64,
    /// Admissions avoided a year, in hundredths (exact: the model rounds to 2 places).
    pub admissions_avoided_hundredths: i64,
    /// Bed days released a year, in hundredths.
    pub bed_days_released_hundredths: i64,
    /// Beds released, in hundredths.
    pub beds_released_hundredths: i64,
    /// Bed days released × bed-day cost, pence.
    pub gross_savings_pence: i64,
    /// Money reinvested in the community care, pence (gross − net).
    pub reinvestment_pence: i64,
    /// Gross savings − reinvestment, pence (negative when replacement costs more).
    pub net_savings_pence: i64,
    /// With benchmarks: benchmark − net savings, pence; `LC_NO_VALUE` without.
    pub expected_actual_pence: i64,
    /// Whether `settlement` holds the settlement that follows (benchmarks given).
    pub settled: bool,
    /// With benchmarks: the settlement of the year at the expected actual spend; all
    /// zero without.
    pub settlement: lc_settlement,
}

fn hundredths(d: Decimal, what: &str) -> Result<i64> {
    use localcare::rust_decimal::prelude::ToPrimitive;
    (d * Decimal::ONE_HUNDRED)
        .to_i64()
        .ok_or_else(|| Error::input(format!("{what} {d} does not fit in hundredths")))
}

/// # Safety
///
/// `s`'s bytes must be readable as for `lc_str`.
unsafe fn opt_decimal(s: lc_str, at: &str) -> Result<Option<Decimal>> {
    // SAFETY: caller's contract.
    match unsafe { opt_str_arg(s, at) }? {
        Some(t) => decimal(t, &|| at.to_string()).map(Some),
        None => Ok(None),
    }
}

fn opt_pence(p: i64) -> Option<i64> {
    (p != LC_NO_VALUE).then_some(p)
}

/// # Safety
///
/// `i`'s strings must be readable as documented on `lc_shift_input`.
unsafe fn read_input(i: &lc_shift_input, at: &str) -> Result<ShiftInput> {
    // SAFETY: caller's contract (for every string below).
    unsafe {
        let unit_id = str_arg(i.unit_id.ptr, i.unit_id.len, &format!("{at}.unit_id"))?;
        let reduction = Reduction::from_columns(
            unit_id,
            opt_decimal(i.reduction, &format!("{at}.reduction"))?,
            opt_decimal(i.avoided_share, &format!("{at}.avoided_share"))?,
        )?;
        Ok(ShiftInput {
            unit_id: unit_id.to_string(),
            emergency_admissions: i.emergency_admissions,
            avoidable_share: opt_decimal(i.avoidable_share, &format!("{at}.avoidable_share"))?,
            reduction,
            bed_days_per_admission: opt_decimal(
                i.bed_days_per_admission,
                &format!("{at}.bed_days_per_admission"),
            )?,
            bed_day_cost_pence: opt_pence(i.bed_day_cost_pence),
            replacement_cost_pence: opt_pence(i.replacement_cost_pence),
            fixed_cost_pence: opt_pence(i.fixed_cost_pence),
            occupancy: opt_decimal(i.occupancy, &format!("{at}.occupancy"))?,
        })
    }
}

/// # Safety
///
/// `inputs` must point to `n` readable inputs.
unsafe fn read_inputs(inputs: *const lc_shift_input, n: usize) -> Result<Vec<ShiftInput>> {
    // SAFETY: caller's contract.
    let ins = unsafe { slice_arg(inputs, n, "inputs") }?;
    ins.iter()
        .enumerate()
        // SAFETY: caller's contract.
        .map(|(k, i)| unsafe { read_input(i, &format!("inputs[{k}]")) })
        .collect()
}

/// # Safety
///
/// `b`'s quality must be readable.
unsafe fn read_benchmark(b: &lc_shift_benchmark, at: &str) -> Result<ShiftBenchmark> {
    Ok(ShiftBenchmark {
        benchmark_pence: b.benchmark_pence,
        assigned_population: b.assigned_population,
        // SAFETY: caller's contract.
        quality: unsafe { opt_decimal(b.quality, &format!("{at}.quality")) }?,
    })
}

/// Runs the shift-left model for `n` units, every parameter a unit leaves out taken
/// from the ruleset's `[shift]` table; with `benchmarks`, each unit's year is then
/// settled with actual spend = benchmark − net savings.
///
/// - `inputs`: `n` units; `benchmarks`: NULL, or `n` benchmarks in the same order;
///   `out`: `n` caller-owned slots, written only when every unit succeeds.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (a decimal that does
/// not parse), `LC_SHIFT_ERROR` (no shift policy, an input out of range, both
/// `reduction` and `avoided_share`, a settlement that cannot follow; named with its
/// row). Nothing is written on error.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `inputs` must point to `n` readable inputs;
/// `benchmarks` NULL or `n` readable benchmarks; `out` to `n` writable outcomes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift(
    ruleset: *const lc_ruleset,
    inputs: *const lc_shift_input,
    n: usize,
    benchmarks: *const lc_shift_benchmark,
    out: *mut lc_shift_outcome,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let out = unsafe { out_slice(out, n, "out") }?;
        // SAFETY: caller's contract.
        let core = unsafe { read_inputs(inputs, n) }?;
        // SAFETY: caller's contract.
        let bench = match unsafe { opt_slice_arg(benchmarks, n, "benchmarks") }? {
            Some(b) => Some(
                b.iter()
                    .enumerate()
                    // SAFETY: caller's contract.
                    .map(|(k, b)| unsafe { read_benchmark(b, &format!("benchmarks[{k}]")) })
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
        let run = table_shift::run(&r.rs, &core, bench.as_deref())?;
        let results = run
            .rows
            .iter()
            .map(|row| {
                let o = &row.outcome;
                Ok(lc_shift_outcome {
                    reduction_ppb: crate::settle::ppb(o.reduction),
                    admissions_avoided_hundredths: hundredths(
                        o.admissions_avoided,
                        "admissions avoided",
                    )?,
                    bed_days_released_hundredths: hundredths(
                        o.bed_days_released,
                        "bed days released",
                    )?,
                    beds_released_hundredths: hundredths(o.beds_released, "beds released")?,
                    gross_savings_pence: o.gross_savings_pence,
                    reinvestment_pence: o.reinvestment_pence,
                    net_savings_pence: o.net_savings_pence,
                    expected_actual_pence: row.expected_actual_pence.unwrap_or(LC_NO_VALUE),
                    settled: row.settlement.is_some(),
                    settlement: match &row.settlement {
                        Some(s) => settlement_out(s)?,
                        None => lc_settlement::default(),
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        copy_out(out, &results);
        Ok(())
    })
}

/// Writes an answer's reduction as exact decimal text (`"0.333334"`), or `""` when
/// the condition is not reachable even at the avoidable share.
///
/// # Safety
///
/// As for [`write_text`].
unsafe fn write_answer(
    a: &ReductionAnswer,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<()> {
    let text = a.reduction.map(decimal_text).unwrap_or_default();
    // SAFETY: caller's contract.
    unsafe { write_text(&text, buf, len, needed) }
}

/// The smallest reduction of all the unit's admissions, in steps of one millionth, at
/// which its net savings are 0 or more, as exact decimal text (see "Text out"); `""`
/// when not reachable even at its avoidable share. The unit's own reduction is ignored.
///
/// Errors: as for `lc_shift`, and `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `input` a readable input; `buf` NULL or `len`
/// writable bytes; `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift_break_even(
    ruleset: *const lc_ruleset,
    input: *const lc_shift_input,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let i = unsafe { read_input(ref_arg(input, "input")?, "input") }?;
        let a = r.rs.break_even_reduction(&i)?;
        // SAFETY: caller's contract.
        unsafe { write_answer(&a, buf, len, needed) }
    })
}

/// The smallest reduction at which the unit's net savings, taken off `benchmark_pence`,
/// meet the settlement policy's minimum savings rate for `assigned_population`, as
/// exact decimal text; `""` when not reachable. Errors and conventions as for
/// `lc_shift_break_even`.
///
/// # Safety
///
/// As for `lc_shift_break_even`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift_minimum_savings_rate(
    ruleset: *const lc_ruleset,
    input: *const lc_shift_input,
    benchmark_pence: i64,
    assigned_population: u64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let i = unsafe { read_input(ref_arg(input, "input")?, "input") }?;
        let a =
            r.rs.reduction_for_minimum_savings_rate(&i, benchmark_pence, assigned_population)?;
        // SAFETY: caller's contract.
        unsafe { write_answer(&a, buf, len, needed) }
    })
}

/// The smallest reduction, the same in every one of the `n` units, at which their total
/// net savings reach `target_pence`, as exact decimal text; `""` when not reachable
/// even at the smallest avoidable share among them. Errors and conventions as for
/// `lc_shift_break_even` (`LC_SHIFT_ERROR` for no units).
///
/// # Safety
///
/// `inputs` must point to `n` readable inputs; otherwise as for `lc_shift_break_even`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift_target(
    ruleset: *const lc_ruleset,
    inputs: *const lc_shift_input,
    n: usize,
    target_pence: i64,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let core = unsafe { read_inputs(inputs, n) }?;
        let a = r.rs.reduction_for_target(&core, target_pence)?;
        // SAFETY: caller's contract.
        unsafe { write_answer(&a, buf, len, needed) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::lc;

    fn none() -> lc_str {
        lc_str {
            ptr: std::ptr::null(),
            len: 0,
        }
    }

    fn input(id: &'static str, admissions: i64) -> lc_shift_input {
        lc_shift_input {
            unit_id: lc(id),
            emergency_admissions: admissions,
            avoidable_share: none(),
            reduction: none(),
            avoided_share: none(),
            bed_days_per_admission: none(),
            bed_day_cost_pence: LC_NO_VALUE,
            replacement_cost_pence: LC_NO_VALUE,
            fixed_cost_pence: LC_NO_VALUE,
            occupancy: none(),
        }
    }

    #[test]
    fn shifts_settles_and_answers_through_the_abi() {
        let mut rs: *mut lc_ruleset = std::ptr::null_mut();
        let name = "kent-medway-2017";
        // SAFETY: valid pointers for the call.
        let s = unsafe { crate::lc_ruleset_builtin(name.as_ptr().cast(), name.len(), &mut rs) };
        assert_eq!(s, lc_status::LC_OK);
        let ins = [
            input("ACO1", 50_000),
            lc_shift_input {
                reduction: lc("0.40"),
                ..input("ACO2", 50_000)
            },
        ];
        let b = lc_shift_benchmark {
            benchmark_pence: 50_000_000_000,
            assigned_population: 500_000,
            quality: lc("0.9"),
        };
        let mut out = [lc_shift_outcome::default(); 2];
        // SAFETY: two inputs, two benchmarks, two slots.
        let s = unsafe { lc_shift(rs, ins.as_ptr(), 2, [b, b].as_ptr(), out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_OK, "{}", crate::guard::last_error());
        assert_eq!(out[0].net_savings_pence, 900_000_000);
        assert_eq!(out[0].reduction_ppb, 300_000_000);
        assert_eq!(out[0].beds_released_hundredths, 24_174);
        assert_eq!(out[1].expected_actual_pence, 48_800_000_000);
        assert!(out[1].settled);
        assert_eq!(out[1].settlement.final_pence, 540_000_000);
        // Without benchmarks: no settlement.
        // SAFETY: as above.
        let s = unsafe { lc_shift(rs, ins.as_ptr(), 2, std::ptr::null(), out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_OK);
        assert!(!out[0].settled && out[0].expected_actual_pence == LC_NO_VALUE);
        // Refused: named with its row, nothing written.
        let bad = [input("ACO1", 1), input("ACO2", -1)];
        let before = out[0].net_savings_pence;
        // SAFETY: as above.
        let s = unsafe { lc_shift(rs, bad.as_ptr(), 2, std::ptr::null(), out.as_mut_ptr()) };
        assert_eq!(s, lc_status::LC_SHIFT_ERROR);
        assert!(crate::guard::last_error().contains("row 1: ACO2: `emergency_admissions` is -1"));
        assert_eq!(out[0].net_savings_pence, before);
        // The inverse questions, as exact text.
        let four = [input("A", 200_000); 4];
        let mut buf = [0 as c_char; 32];
        let mut needed = 0usize;
        // SAFETY: four inputs; a 32-byte buffer.
        let s = unsafe {
            lc_shift_target(
                rs,
                four.as_ptr(),
                4,
                16_000_000_000,
                buf.as_mut_ptr(),
                buf.len(),
                &mut needed,
            )
        };
        assert_eq!(s, lc_status::LC_OK);
        // SAFETY: NUL-terminated on LC_OK.
        let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "0.333334");
        assert_eq!(needed, 8);
        // SAFETY: one input.
        let s =
            unsafe { lc_shift_break_even(rs, &ins[0], buf.as_mut_ptr(), buf.len(), &mut needed) };
        assert_eq!(s, lc_status::LC_OK);
        // SAFETY: as above.
        let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "0.000000");
        // SAFETY: NULL ruleset is refused, not dereferenced.
        let s = unsafe {
            lc_shift(
                std::ptr::null(),
                ins.as_ptr(),
                2,
                std::ptr::null(),
                out.as_mut_ptr(),
            )
        };
        assert_eq!(s, lc_status::LC_NULL_ARGUMENT);
        // SAFETY: made above, freed once.
        unsafe { crate::lc_ruleset_free(rs) };
    }
}
