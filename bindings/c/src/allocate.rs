//! Allocation of a budget over a footprint held as arrays, into an `lc_allocation`.

use std::collections::BTreeMap;
use std::ffi::c_char;

use localcare::allocate::{Need, Needs};
use localcare::rust_decimal::Decimal;

use crate::error::{Error, Result, lc_status};
use crate::guard::{ffi_call, free_handle};
use crate::ruleset::lc_ruleset;
use crate::text::{
    OwnedText, copy_out, lc_str, opt_slice_arg, opt_str_arg, out_ptr, out_slice, ref_arg,
    slice_arg, str_arg, write_text,
};
use crate::validate::{first_index, lc_footprint, read_footprint};
use crate::{LC_NO_BASELINE, LC_NO_COUNT, LC_NO_VALUE};

/// Need data, aligned with a footprint: entry `i` of each array is for unit `i`. The
/// decimal values are text (`"1.2"`, `"15000"`, `"1.05"`; exact, never rounded through
/// a double) and optional: an array may be NULL (no unit has that value), and an entry
/// with `ptr == NULL` is "not given". Values may only be given for practices (units of
/// the base tier).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_needs {
    /// Need index (1 = average need): `need_wp = population x need_index`. Default 1.
    pub need_index: *const lc_str,
    /// Health-inequalities weighted population; default the need-weighted population.
    pub hi_weighted_population: *const lc_str,
    /// Market forces factor; default the ruleset's.
    pub market_forces_factor: *const lc_str,
    /// Number of age bands in `age_band_ids` (0 for none).
    pub age_band_count: usize,
    /// Age-band ids, keys of the ruleset's `allocation.age_band_weights` (NULL when
    /// `age_band_count` is 0).
    pub age_band_ids: *const lc_str,
    /// Age-band counts, row-major: entry `i * age_band_count + b` is unit `i`'s count in
    /// band `b`, or `LC_NO_COUNT` where not given (NULL when `age_band_count` is 0). A
    /// unit with any count given is weighted `sum(count x weight)` instead of
    /// `population x need_index` (giving both is an error).
    pub age_counts: *const u64,
}

/// Caller-owned output columns for `lc_allocation_copy_columns`: entry `i` is for footprint
/// unit `i` (the order of the arrays given to `lc_allocate`). Each pointer may be NULL
/// when that column is not wanted; a non-NULL one must hold the allocation's unit
/// count of elements.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_allocation_columns {
    /// This year's allocation, pence.
    pub allocation_pence: *mut i64,
    /// What the unit would get at target, pence.
    pub target_pence: *mut i64,
    /// What the unit keeps rather than passes down, pence.
    pub retained_pence: *mut i64,
    /// Weighted population in millionths of a person.
    pub weighted_population_micro: *mut u64,
    /// `(allocation - target) / target` in millionths, rounded half away from zero;
    /// `LC_NO_VALUE` where the target is 0.
    pub distance_from_target_ppm: *mut i64,
}

/// One commissioner pot of an allocation.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_pot {
    /// The pot id, NUL-terminated, borrowed from the allocation.
    pub id: lc_str,
    /// Its allocation, pence.
    pub allocation_pence: i64,
}

struct Pot {
    id: OwnedText,
    pence: i64,
}

/// The result of one allocation: values per unit in the footprint's order, and the
/// commissioner's pots. At every node the children's allocations plus what it retained
/// equal its own allocation, to the penny, and the ACOs plus the pots equal the budget.
/// Made by `lc_allocate`, freed by `lc_allocation_free`; immutable.
pub struct lc_allocation {
    budget: i64,
    aco_pool: i64,
    allocation: Vec<i64>,
    target: Vec<i64>,
    retained: Vec<i64>,
    weighted: Vec<u64>,
    distance: Vec<i64>,
    row_order: Vec<usize>,
    pots: Vec<Pot>,
    /// The core's result, kept to explain a unit on demand (always set once made).
    core: Option<localcare::Allocation>,
}

/// Decimal text read by the core's one rule; errors name the argument `what`.
pub(crate) fn decimal(s: &str, what: &dyn Fn() -> String) -> Result<Decimal> {
    localcare::money::parse_decimal(s)
        .ok_or_else(|| Error::input(format!("{}: `{s}` is not a decimal number", what())))
}

/// Reads one optional need column.
///
/// # Safety
///
/// `col` must be NULL or point to `n` `lc_str` whose non-NULL bytes are readable.
unsafe fn need_column(col: *const lc_str, n: usize, name: &str) -> Result<Vec<Option<Decimal>>> {
    let what = format!("needs.{name}");
    // SAFETY: caller's contract.
    let Some(col) = (unsafe { opt_slice_arg(col, n, &what) })? else {
        return Ok(vec![None; n]);
    };
    let mut out = Vec::with_capacity(n);
    for (i, s) in col.iter().enumerate() {
        let at = || format!("{what}[{i}]");
        // SAFETY: caller's contract.
        let v = unsafe { opt_str_arg(*s, &at()) }?;
        out.push(v.map(|s| decimal(s, &at)).transpose()?);
    }
    Ok(out)
}

/// Reads the age-band columns of `needs`: per unit, the counts given by band id.
///
/// # Safety
///
/// `nd`'s age-band arrays must be as documented on `lc_needs` for `n` units.
unsafe fn age_counts(nd: &lc_needs, n: usize) -> Result<Vec<BTreeMap<String, u64>>> {
    let m = nd.age_band_count;
    let mut out = vec![BTreeMap::new(); n];
    if m == 0 {
        return Ok(out);
    }
    // SAFETY: caller's contract.
    let ids = unsafe { slice_arg(nd.age_band_ids, m, "needs.age_band_ids") }?;
    let mut bands: Vec<&str> = Vec::with_capacity(m);
    for (b, s) in ids.iter().enumerate() {
        let what = format!("needs.age_band_ids[{b}]");
        // SAFETY: caller's contract.
        let id = unsafe { str_arg(s.ptr, s.len, &what) }?;
        if bands.contains(&id) {
            return Err(Error::input(format!("{what}: `{id}` is given twice")));
        }
        bands.push(id);
    }
    let cells = n.checked_mul(m).ok_or_else(|| {
        Error::input(format!(
            "needs.age_counts: {n} units x {m} bands is too large"
        ))
    })?;
    // SAFETY: caller's contract.
    let counts = unsafe { slice_arg(nd.age_counts, cells, "needs.age_counts") }?;
    for (i, row) in out.iter_mut().enumerate() {
        for (b, band) in bands.iter().enumerate() {
            let c = counts[i * m + b];
            if c != LC_NO_COUNT {
                row.insert((*band).to_string(), c);
            }
        }
    }
    Ok(out)
}

/// Need data aligned with a footprint of `n` units whose ids are `ids`, or none.
///
/// # Safety
///
/// `needs` NULL or an `lc_needs` whose non-NULL arrays hold `n` entries.
unsafe fn read_needs(needs: *const lc_needs, n: usize, ids: &[&str]) -> Result<Needs> {
    let mut core_needs = Needs::new();
    if !needs.is_null() {
        // SAFETY: caller's contract.
        let nd = unsafe { ref_arg(needs, "needs") }?;
        // SAFETY (three columns): caller's contract.
        let need_index = unsafe { need_column(nd.need_index, n, "need_index") }?;
        // SAFETY: as above.
        let hi = unsafe { need_column(nd.hi_weighted_population, n, "hi_weighted_population") }?;
        // SAFETY: as above.
        let mff = unsafe { need_column(nd.market_forces_factor, n, "market_forces_factor") }?;
        // SAFETY: caller's contract.
        let ages = unsafe { age_counts(nd, n) }?;
        for (i, age_counts) in ages.into_iter().enumerate() {
            if need_index[i].is_some()
                || hi[i].is_some()
                || mff[i].is_some()
                || !age_counts.is_empty()
            {
                core_needs.push(
                    ids[i],
                    Need {
                        need_index: need_index[i],
                        age_counts,
                        hi_weighted_population: hi[i],
                        market_forces_factor: mff[i],
                    },
                );
            }
        }
    }

    Ok(core_needs)
}

/// Allocates a budget over a footprint: the commissioner's pots, each ACO's target
/// (with pace of change from baselines when given), and down the tree to the
/// practices, exactly: the parts always add up to the whole.
///
/// - `footprint`: the columns (see `lc_footprint`); it must validate without errors.
/// - `needs`: need data aligned with the footprint, or NULL (every practice at need
///   index 1).
/// - `baselines`: last year's allocation in pence, `footprint->len` entries aligned
///   with the footprint, `LC_NO_BASELINE` for units without one (give one for every
///   ACO or for none); or NULL for no baselines.
/// - `budget_pence`: the whole budget, 0 or more.
/// - `out`: receives a new allocation, owned by the caller (`lc_allocation_free`).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_OUT_OF_RANGE` (a parent index),
/// `LC_INPUT_ERROR` (a need that is not a decimal), `LC_ALLOCATION_ERROR` (a footprint
/// with validation errors, needs or baselines out of range, a negative or overflowing
/// budget, an infeasible policy; the message is the core's). Nothing is made on error.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `footprint` must point to an `lc_footprint` as
/// documented; `needs` NULL or an `lc_needs` whose non-NULL arrays hold
/// `footprint->len` entries; `baselines` NULL or `footprint->len` readable values;
/// `out` must point to a writable `lc_allocation *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocate(
    ruleset: *const lc_ruleset,
    footprint: *const lc_footprint,
    needs: *const lc_needs,
    baselines: *const i64,
    budget_pence: i64,
    out: *mut *mut lc_allocation,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let fp = unsafe { ref_arg(footprint, "footprint") }?;
        out_ptr(out, "out")?;
        // SAFETY: caller's contract.
        let cols = unsafe { read_footprint(r, fp) }?;
        let n = fp.len;

        // SAFETY: caller's contract.
        let core_needs = unsafe { read_needs(needs, n, &cols.ids) }?;

        // SAFETY: caller's contract.
        let base = unsafe { opt_slice_arg(baselines, n, "baselines") }?;
        let base: Vec<(String, i64)> = base.map_or_else(Vec::new, |b| {
            (0..n)
                .filter(|&i| b[i] != LC_NO_BASELINE)
                .map(|i| (cols.ids[i].to_string(), b[i]))
                .collect()
        });

        let a =
            r.rs.allocate(&cols.footprint, budget_pence, &core_needs, base)?;

        // A valid footprint has unique ids: each row maps back to one input index.
        let index = first_index(&cols.ids);
        let mut result = lc_allocation {
            core: None,
            budget: a.budget_pence(),
            aco_pool: a.aco_pool_pence(),
            allocation: vec![0; n],
            target: vec![0; n],
            retained: vec![0; n],
            weighted: vec![0; n],
            distance: vec![LC_NO_VALUE; n],
            row_order: Vec::with_capacity(n),
            pots: a
                .pots()
                .iter()
                .map(|p| Pot {
                    id: OwnedText::new(&p.id),
                    pence: p.allocation_pence,
                })
                .collect(),
        };
        for row in a.rows().take(a.unit_count()) {
            let i = *index.get(row.unit_id).ok_or_else(|| {
                Error::new(
                    lc_status::LC_PANIC,
                    format!("internal error: row {} is not a unit given", row.unit_id),
                )
            })?;
            result.allocation[i] = row.allocation_pence;
            result.target[i] = row.target_pence;
            result.retained[i] = row.retained_pence;
            result.weighted[i] = row.weighted_population_micro;
            result.distance[i] = row.distance_from_target_ppm.unwrap_or(LC_NO_VALUE);
            result.row_order.push(i);
        }
        if result.row_order.len() != n {
            return Err(Error::new(
                lc_status::LC_PANIC,
                format!(
                    "internal error: {} rows for {n} units",
                    result.row_order.len()
                ),
            ));
        }
        result.core = Some(a);
        let handle = Box::into_raw(Box::new(result));
        // SAFETY: checked above.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Frees an allocation. NULL is allowed and does nothing.
///
/// # Safety
///
/// `allocation` must be NULL or an allocation from `lc_allocate` not yet freed, which
/// no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_free(allocation: *mut lc_allocation) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(allocation) }
}

/// The number of units (the footprint's `len`).
///
/// # Safety
///
/// `allocation` must be a live allocation; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_unit_count(
    allocation: *const lc_allocation,
    out: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        out_ptr(out, "out")?;
        // SAFETY: checked above.
        unsafe { out.write(a.allocation.len()) };
        Ok(())
    })
}

/// Copies the per-unit results into caller arrays, in the footprint's order.
///
/// - `n`: the number of elements of each non-NULL column; must equal the unit count.
/// - `columns`: the caller's arrays (see `lc_allocation_columns`); NULL members are
///   skipped.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (`n` is not the unit count). Nothing is
/// written on error.
///
/// # Safety
///
/// `allocation` must be a live allocation; `columns` must point to an
/// `lc_allocation_columns` whose non-NULL members point to `n` writable elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_copy_columns(
    allocation: *const lc_allocation,
    n: usize,
    columns: *const lc_allocation_columns,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        // SAFETY: caller's contract.
        let c = unsafe { ref_arg(columns, "columns") }?;
        if n != a.allocation.len() {
            return Err(Error::range(format!(
                "n is {n} but the allocation has {} units",
                a.allocation.len()
            )));
        }
        // Check every column before writing any.
        // SAFETY (five columns): caller's contract; NULL members are skipped.
        let alloc = unsafe { opt_out(c.allocation_pence, n, "columns.allocation_pence") }?;
        // SAFETY: as above.
        let target = unsafe { opt_out(c.target_pence, n, "columns.target_pence") }?;
        // SAFETY: as above.
        let retained = unsafe { opt_out(c.retained_pence, n, "columns.retained_pence") }?;
        // SAFETY: as above.
        let weighted = unsafe {
            opt_out(
                c.weighted_population_micro,
                n,
                "columns.weighted_population_micro",
            )
        }?;
        // SAFETY: as above.
        let distance = unsafe {
            opt_out(
                c.distance_from_target_ppm,
                n,
                "columns.distance_from_target_ppm",
            )
        }?;
        if let Some(o) = alloc {
            copy_out(o, &a.allocation);
        }
        if let Some(o) = target {
            copy_out(o, &a.target);
        }
        if let Some(o) = retained {
            copy_out(o, &a.retained);
        }
        if let Some(o) = weighted {
            copy_out(o, &a.weighted);
        }
        if let Some(o) = distance {
            copy_out(o, &a.distance);
        }
        Ok(())
    })
}

/// # Safety
///
/// `ptr` must be NULL or point to `n` writable elements.
unsafe fn opt_out<'a, T>(ptr: *mut T, n: usize, what: &str) -> Result<Option<&'a mut [T]>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { out_slice(ptr, n, what) }.map(Some)
}

/// The order of the result's rows as every face reports them: ACOs, then their
/// children level by level, by id within each parent. `out_indices[k]` becomes the
/// footprint index of the k-th row.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (`n` is not the unit count).
///
/// # Safety
///
/// `allocation` must be a live allocation; `out_indices` must point to `n` writable
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_row_order(
    allocation: *const lc_allocation,
    out_indices: *mut usize,
    n: usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        if n != a.row_order.len() {
            return Err(Error::range(format!(
                "n is {n} but the allocation has {} units",
                a.row_order.len()
            )));
        }
        // SAFETY: caller's contract.
        let out = unsafe { out_slice(out_indices, n, "out_indices") }?;
        copy_out(out, &a.row_order);
        Ok(())
    })
}

/// The budget and the part of it the ACOs commission (the rest is in the pots), pence.
///
/// # Safety
///
/// `allocation` must be a live allocation; `budget_pence` and `aco_pool_pence` must
/// point to writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_totals(
    allocation: *const lc_allocation,
    budget_pence: *mut i64,
    aco_pool_pence: *mut i64,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        out_ptr(budget_pence, "budget_pence")?;
        out_ptr(aco_pool_pence, "aco_pool_pence")?;
        // SAFETY: both checked above.
        unsafe {
            budget_pence.write(a.budget);
            aco_pool_pence.write(a.aco_pool);
        }
        Ok(())
    })
}

/// The number of commissioner pots.
///
/// # Safety
///
/// `allocation` must be a live allocation; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_pot_count(
    allocation: *const lc_allocation,
    out: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        out_ptr(out, "out")?;
        // SAFETY: checked above.
        unsafe { out.write(a.pots.len()) };
        Ok(())
    })
}

/// Commissioner pot `index`, in the ruleset's order.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `allocation` must be a live allocation; `out` must point to a writable `lc_pot`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_pot(
    allocation: *const lc_allocation,
    index: usize,
    out: *mut lc_pot,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        out_ptr(out, "out")?;
        let p = a.pots.get(index).ok_or_else(|| {
            Error::range(format!(
                "pot index {index} is out of range: the allocation has {} pots",
                a.pots.len()
            ))
        })?;
        // SAFETY: checked above.
        unsafe {
            out.write(lc_pot {
                id: p.id.as_lc_str(),
                allocation_pence: p.pence,
            })
        };
        Ok(())
    })
}

/// Explains one unit's (or commissioner pot's) allocation as text: the chain from the
/// budget to its money, with every number on the way (how its weighted population was
/// formed, the commissioner split, its ACO's target, pace of change, each parent's
/// retained share and pot, its share, the penny of rounding at each split). The text is
/// the same in every face. Text out as in the conventions above.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_ALLOCATION_ERROR` (no such unit or
/// pot), `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `allocation` must be a live allocation; `unit_id.ptr` must point to `unit_id.len`
/// readable bytes; `buf` must be NULL (with `len` 0) or point to `len` writable bytes;
/// `needed` must be NULL or point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocation_explain(
    allocation: *const lc_allocation,
    unit_id: lc_str,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(allocation, "allocation") }?;
        // SAFETY: caller's contract.
        let id = unsafe { str_arg(unit_id.ptr, unit_id.len, "unit_id") }?;
        let core = a
            .core
            .as_ref()
            .ok_or_else(|| Error::new(lc_status::LC_PANIC, "internal error: no result kept"))?;
        let text = core.explain(id)?.to_text();
        // SAFETY: caller's contract.
        unsafe { write_text(&text, buf, len, needed) }
    })
}

/// Runs many budgets on one footprint in one call, over all cores, into caller-owned
/// matrices: entry `s * footprint->len + i` is scenario `s`'s amount for footprint unit
/// `i` (the order of the arrays given), each scenario equal to `lc_allocate` with its
/// budget, to the penny. The commissioner's pots are not included (they are
/// `lc_allocate`'s).
///
/// - `budgets_pence`: `scenario_count` budgets, each 0 or more.
/// - `inequalities_weight`: NULL, or `scenario_count` decimal texts overriding the
///   ruleset's health-inequalities weight per scenario (`ptr == NULL` keeps it).
/// - `allocation_out`: `scenario_count * footprint->len` writable values.
/// - `target_out`: NULL, or as `allocation_out` (targets before pace of change).
///
/// Errors as `lc_allocate`; a scenario's error names its index. Nothing is written on
/// error.
///
/// # Safety
///
/// As `lc_allocate`; the arrays hold the counts above.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lc_sweep(
    ruleset: *const lc_ruleset,
    footprint: *const lc_footprint,
    needs: *const lc_needs,
    scenario_count: usize,
    budgets_pence: *const i64,
    inequalities_weight: *const lc_str,
    allocation_out: *mut i64,
    target_out: *mut i64,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let fp = unsafe { ref_arg(footprint, "footprint") }?;
        // SAFETY: caller's contract.
        let cols = unsafe { read_footprint(r, fp) }?;
        let n = fp.len;
        // SAFETY: caller's contract.
        let core_needs = unsafe { read_needs(needs, n, &cols.ids) }?;
        // SAFETY: caller's contract.
        let budgets = unsafe { slice_arg(budgets_pence, scenario_count, "budgets_pence") }?;
        // SAFETY: caller's contract.
        let h =
            unsafe { opt_slice_arg(inequalities_weight, scenario_count, "inequalities_weight") }?;
        let cells = scenario_count
            .checked_mul(n)
            .ok_or_else(|| Error::input("scenario_count x footprint length overflows"))?;
        // SAFETY: caller's contract.
        let alloc_out = unsafe { out_slice(allocation_out, cells, "allocation_out") }?;
        let base = r.rs.allocation_policy();
        let mut scenarios = Vec::with_capacity(scenario_count);
        for (s, &b) in budgets.iter().enumerate() {
            let mut sc = localcare::Scenario::budget(b);
            if let Some(h) = h {
                let at = || format!("inequalities_weight[{s}]");
                // SAFETY: caller's contract.
                if let Some(text) = unsafe { opt_str_arg(h[s], &at()) }? {
                    let mut p = base
                        .ok_or_else(|| {
                            Error::input(format!("{}: the ruleset has no allocation policy", at()))
                        })?
                        .clone();
                    p.inequalities_weight = decimal(text, &at)?;
                    sc = sc.with_policy(p);
                }
            }
            scenarios.push(sc);
        }
        let prepared = r.rs.prepare(&cols.footprint, &core_needs)?;
        let sw = prepared.sweep(&scenarios)?;
        // Rows top down back to the caller's order: a valid footprint has unique ids.
        let index = first_index(&cols.ids);
        let to: Vec<usize> = sw.unit_ids().iter().map(|id| index[id.as_str()]).collect();
        let w = sw.width();
        let fill = |out: &mut [i64], m: &[i64]| {
            for s in 0..scenario_count {
                for (q, &i) in to.iter().enumerate() {
                    out[s * n + i] = m[s * w + q];
                }
            }
        };
        if !target_out.is_null() {
            // SAFETY: caller's contract.
            let t_out = unsafe { out_slice(target_out, cells, "target_out") }?;
            fill(t_out, sw.target_pence());
        }
        fill(alloc_out, sw.allocation_pence());
        Ok(())
    })
}
