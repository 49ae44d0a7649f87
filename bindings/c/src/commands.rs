//! The commands: Arrow C streams in, one [`lc_result`] out. Each reads its tables with
//! `localcare-tables`' readers, runs the core (or the table model's composition of it)
//! and keeps the batches the table model writes, as every face does; only the
//! translation is here.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use localcare::appraise::AppraisalRequest;
use localcare::rust_decimal::Decimal;
use localcare_tables::appraise::AppraisalTables;
use localcare_tables::run::allocate::{AllocateOptions, AllocateTables, SweepTables};
use localcare_tables::run::classify::ClassifyOptions;
use localcare_tables::run::shift::{Question, ShiftTables};
use localcare_tables::run::{self, appraise::TABLES};
use localcare_tables::spec::Face;

use crate::LC_NO_VALUE;
use crate::arrow::take;
use crate::error::{Error, Result, lc_status};
use crate::guard::give;
use crate::result::lc_result;
use crate::ruleset::lc_ruleset;
use crate::text::{lc_str, slice_arg, str_arg};

/// Hands a result of one table and no text to the caller.
fn one(out: *mut *mut lc_result, name: &str, batch: RecordBatch, text: String) -> Result<()> {
    give(out, lc_result::new(vec![(name, batch)], text))
}

/// Classifies a `units` table (`unit_id` optional, `population`, `capabilities`
/// optional) into a result with the `classification` table (`unit_id`, `population`,
/// `tier`, `band_status`, and `reasons` when `reasons` is true).
///
/// - `units`: an input stream, moved in (released on every status).
/// - `out`: receives a new result on `LC_OK`; free it with `lc_result_free`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INPUT_ERROR` for a table that cannot be read (a
/// missing column, a value of the wrong type, an unknown capability), naming the table,
/// column and row.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `units` points to an `ArrowArrayStream`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_arrow(
    ruleset: *const lc_ruleset,
    units: *mut FFI_ArrowArrayStream,
    reasons: bool,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract.
    let units = unsafe { take(units) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let c = run::classify::classify(rs, &units.table("units")?, ClassifyOptions { reasons })?;
        one(out, "classification", c.table(rs, Face::C), String::new())?;
    }
}

/// Validates a `footprint` table (`unit_id`, `parent_id`, `declared_tier`,
/// `population`, `capabilities`). Validation never stops at the first problem: the
/// result's `findings` table (`code`, `name`, `severity`, `unit_id`, `rule`,
/// `message`; errors first) holds them all, and its text is the report (findings by
/// severity, then the summary line).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INPUT_ERROR` (a table that cannot be read).
///
/// # Safety
///
/// As for `lc_classify_arrow`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_validate_arrow(
    ruleset: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract.
    let footprint = unsafe { take(footprint) };
    entry! {
        let v = run::validate::validate(&try_ref!(ruleset).rs, &footprint.table("footprint")?)?;
        one(out, "findings", v.findings(Face::C), v.text())?;
    }
}

/// Allocates `budget_pence` over a `footprint` table into a result with the
/// `allocation` table (units top down, then the strategic commissioner's pots); at
/// every node the parts add up to the whole, to the penny.
///
/// - `needs`: optional (NULL for none): a `needs` table, moved in.
/// - `baselines`: optional (NULL for none): a `baselines` table, moved in.
/// - `explain`: a unit's (or pot's) id, or `{NULL, 0}`: the result's text is then the
///   chain from the budget to its money, with every number on the way.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (a table that cannot
/// be read), `LC_ALLOCATION_ERROR` (the rules refuse the allocation, or `explain`
/// names no unit).
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s;
/// `explain.ptr` NULL or `explain.len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocate_arrow(
    ruleset: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    budget_pence: i64,
    needs: *mut FFI_ArrowArrayStream,
    baselines: *mut FFI_ArrowArrayStream,
    explain: lc_str,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (footprint, needs, baselines) = unsafe { (take(footprint), take(needs), take(baselines)) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let (footprint, needs) = (footprint.table("footprint")?, needs.opt_table("needs")?);
        let baselines = baselines.opt_table("baselines")?;
        let explain = opt_str!(explain);
        let tables = AllocateTables { footprint: &footprint, needs: needs.as_ref(), baselines: baselines.as_ref() };
        let a = run::allocate::allocate(rs, tables, AllocateOptions { budget_pence, ..Default::default() })?;
        let text = match explain {
            Some(id) => a.explain(id)?.to_text(),
            None => a.text(),
        };
        one(out, "allocation", a.table(rs, None, Face::C), text)?;
    }
}

/// Allocates a budget given in lines over a `footprint` table: line `i` is `lines[i]`
/// (a budget line of the ruleset's `allocation.budget_lines`, such as `england-icb-2024`'s
/// `core`, or a component id) with `pence[i]` pence, each split through the same tree
/// by its component's weighted population (the `needs` table's `wp_<component>`
/// columns, or their aliases). The result's `allocation` table has the total
/// (`allocation_pence`, the sum of the lines) and per line `<line>_target_pence` and
/// `<line>_allocation_pence`; per component `wp_<component>` and
/// `need_index_<component>`. Every line is conserved at every node, to the penny.
///
/// - `lines`, `pence`, `n`: `n` lines (NULL with `n` 0 is none, which is refused).
/// - `needs`, `baselines`, `explain`, `out`: as for `lc_allocate_arrow` (baselines are
///   for single budgets: with lines they are refused).
///
/// Errors: as for `lc_allocate_arrow`; a line the ruleset does not know, a line given
/// twice, or a line whose component the needs do not give is `LC_ALLOCATION_ERROR`.
///
/// # Safety
///
/// As for `lc_allocate_arrow`; `lines` and `pence` point to `n` readable elements
/// (or are NULL with `n` 0), each `lines[i]` valid for `lines[i].len` bytes.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lc_allocate_lines_arrow(
    ruleset: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    lines: *const lc_str,
    pence: *const i64,
    n: usize,
    needs: *mut FFI_ArrowArrayStream,
    baselines: *mut FFI_ArrowArrayStream,
    explain: lc_str,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (footprint, needs, baselines) = unsafe { (take(footprint), take(needs), take(baselines)) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        // SAFETY: caller's contract.
        let (ids, amounts) = unsafe { (slice_arg(lines, n, "lines")?, slice_arg(pence, n, "pence")?) };
        let mut budget_lines = Vec::with_capacity(n);
        for (id, &p) in ids.iter().zip(amounts) {
            // SAFETY: caller's contract.
            let id = unsafe { str_arg(id.ptr, id.len, "lines") }?;
            budget_lines.push((id.to_string(), p));
        }
        if budget_lines.is_empty() {
            return Err(Error::input("lines: no budget lines given; give at least one (or call lc_allocate_arrow with one budget)".to_string()));
        }
        let (footprint, needs) = (footprint.table("footprint")?, needs.opt_table("needs")?);
        let baselines = baselines.opt_table("baselines")?;
        let explain = opt_str!(explain);
        let tables = AllocateTables { footprint: &footprint, needs: needs.as_ref(), baselines: baselines.as_ref() };
        let options = AllocateOptions { lines: budget_lines, ..Default::default() };
        let a = run::allocate::allocate(rs, tables, options)?;
        let text = match explain {
            Some(id) => a.explain(id)?.to_text(),
            None => a.text(),
        };
        one(out, "allocation", a.table(rs, None, Face::C), text)?;
    }
}

/// Runs many scenarios on one footprint in one call, over all cores: a `scenarios`
/// table (`scenario`, `budget_pence` or `budget`, optional overrides
/// `inequalities_weight`, `aco_commissioned_share`, `pace_rate`, `min_growth`,
/// `max_growth`) into a result with one `sweep` table (`scenario`, `unit_id`,
/// `allocation_pence`, `target_pence`, `distance_from_target_ppm`); each scenario's
/// rows equal a single `lc_allocate_arrow`'s, to the penny.
///
/// - `needs`: optional (NULL for none): a `needs` table, moved in.
/// - `baselines`: optional (NULL for none): a `baselines` table, moved in; a row with a
///   `scenario` belongs to that scenario, one without to every scenario without
///   baselines of its own.
///
/// Errors: `LC_INPUT_ERROR` for a table that cannot be read (a duplicate scenario, an
/// unknown column), `LC_ALLOCATION_ERROR` when the rules refuse a scenario (the
/// message names the scenario and its row); no partial result.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_sweep_arrow(
    ruleset: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    needs: *mut FFI_ArrowArrayStream,
    scenarios: *mut FFI_ArrowArrayStream,
    baselines: *mut FFI_ArrowArrayStream,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (footprint, needs, scenarios, baselines) = unsafe {
        (
            take(footprint),
            take(needs),
            take(scenarios),
            take(baselines),
        )
    };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let (footprint, needs) = (footprint.table("footprint")?, needs.opt_table("needs")?);
        let (scenarios, baselines) = (scenarios.table("scenarios")?, baselines.opt_table("baselines")?);
        let tables = SweepTables {
            footprint: &footprint,
            needs: needs.as_ref(),
            scenarios: &scenarios,
            baselines: baselines.as_ref(),
        };
        one(out, "sweep", run::allocate::sweep(rs, tables)?.into_table(Face::C), String::new())?;
    }
}

/// Settles a `results` table (`unit_id`, `benchmark_pence`, `actual_pence`,
/// `assigned_population`, `quality`, optional `participant_revenue_pence`) into a
/// result with the `settlement` table: rates as exact decimal text, the explanation one
/// step per line.
///
/// Errors: `LC_INPUT_ERROR` (a table that cannot be read), `LC_SETTLEMENT_ERROR` (no
/// settlement policy; an input out of range, named with its row).
///
/// # Safety
///
/// As for `lc_classify_arrow`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_settle_arrow(
    ruleset: *const lc_ruleset,
    results: *mut FFI_ArrowArrayStream,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract.
    let results = unsafe { take(results) };
    entry! {
        let s = run::settle::settle(&try_ref!(ruleset).rs, &results.table("results")?)?;
        one(out, "settlement", s.table(Face::C), s.text())?;
    }
}

/// What `lc_shift_arrow` is asked.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_shift_question {
    /// The model at each unit's own (or the ruleset's) reduction: the `shift` table,
    /// with the settlement that follows when benchmarks are given.
    LC_SHIFT_RUN = 0,
    /// Each unit's smallest reduction at which its net savings are 0 or more: the
    /// `answers` table.
    LC_SHIFT_BREAK_EVEN = 1,
    /// Each unit's smallest reduction at which its net savings, taken off its
    /// benchmark, meet the settlement's minimum savings rate (needs `benchmarks`).
    LC_SHIFT_MINIMUM_SAVINGS_RATE = 2,
    /// The smallest reduction, the same in every unit, at which total net savings
    /// reach `target_pence` (`LC_NO_VALUE` for the ruleset's own target).
    LC_SHIFT_TARGET = 3,
}

/// Runs the shift-left model on an `activity` table (`unit_id`,
/// `emergency_admissions`, and any per-unit parameter), asked `question` (an
/// `lc_shift_question`). The result holds the `shift` table (for `LC_SHIFT_RUN`) or
/// the `answers` table (each reduction as exact decimal text, null when not
/// reachable), and its text the steps or answers in words. With a `benchmarks` table
/// (`unit_id`, `benchmark_pence`, `assigned_population`, `quality`; one row per unit)
/// each unit's year is settled at actual = benchmark − net savings.
///
/// - `benchmarks`: optional (NULL for none), moved in.
/// - `target_pence`: for `LC_SHIFT_TARGET`; otherwise ignored.
///
/// Errors: `LC_OUT_OF_RANGE` (not a question), `LC_INPUT_ERROR` for a table that cannot
/// be read (naming table, column and row) or a question without what it needs (no
/// benchmarks, no target), `LC_SHIFT_ERROR` when the rules refuse the model.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift_arrow(
    ruleset: *const lc_ruleset,
    activity: *mut FFI_ArrowArrayStream,
    benchmarks: *mut FFI_ArrowArrayStream,
    question: u32,
    target_pence: i64,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (activity, benchmarks) = unsafe { (take(activity), take(benchmarks)) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let question = match question {
            0 => Question::Run,
            1 => Question::BreakEven,
            2 => Question::MinimumSavingsRate,
            3 => Question::Target((target_pence != LC_NO_VALUE).then_some(target_pence)),
            q => return Err(Error::range(format!("question {q} is not an lc_shift_question"))),
        };
        let name = if question == Question::Run { "shift" } else { "answers" };
        let (activity, benchmarks) = (activity.table("activity")?, benchmarks.opt_table("benchmarks")?);
        let tables = ShiftTables { activity: &activity, benchmarks: benchmarks.as_ref() };
        let s = run::shift::shift(rs, tables, question)?;
        one(out, name, s.table(Face::C), s.text())?;
    }
}

/// Walks the system financial bridge (docs/bridge.md): a `bridge_steps` table
/// (`step_id`, `name`, `kind` = start, given, computed or unquantified, `order`,
/// `amount_pence` or `amount` as signed money text, `source`), or NULL for the ruleset's
/// built-in bridge (kent-medway-2017: the seeds'), and an optional `activity` table (as
/// `lc_shift_arrow` takes it) from which the shift-left model computes the computed
/// step; without it a computed step is carried at the amount its source states. The
/// result holds the `bridge` table (the start, each step in declared order, the
/// residual, with running totals in signed pence), and its text the bridge in words.
///
/// - `steps`, `activity`: optional (NULL for none), moved in (released on every status).
/// - `out`: receives a new result on `LC_OK`; free it with `lc_result_free`.
///
/// Errors: `LC_INPUT_ERROR` for a table that cannot be read (naming table, column and
/// row) or no steps and no built-in bridge, `LC_BRIDGE_ERROR` when the bridge is refused
/// (naming the step: no start or two, an empty or duplicate id, two steps of one order,
/// an amount missing or given where none is, a computed step without the model's input,
/// an overflow), `LC_SHIFT_ERROR` when the shift-left model refuses the activity.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_bridge_arrow(
    ruleset: *const lc_ruleset,
    steps: *mut FFI_ArrowArrayStream,
    activity: *mut FFI_ArrowArrayStream,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (steps, activity) = unsafe { (take(steps), take(activity)) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let (steps, activity) = (steps.opt_table("bridge_steps")?, activity.opt_table("activity")?);
        let tables = run::bridge::BridgeTables { steps: steps.as_ref(), activity: activity.as_ref() };
        let b = run::bridge::bridge(rs, tables)?;
        one(out, "bridge", b.table(Face::C), b.text())?;
    }
}

/// Appraises a service reconfiguration: a `sites` table (`site_id`, `name`,
/// `admissions`, `capabilities`, and any other column a measure), `zones` (`zone_id`,
/// `strokes` or `population`), `travel` (`zone_id`, `site_id`, `minutes`), and optional
/// `options` (`option_id`, `sites`; NULL for the ruleset's long list) and `scores`
/// (`option_id`, `criterion`, `score`). The result holds the `appraisal`, `hurdles`,
/// `volumes`, `evaluation`, `search` and `catchment` (the preferred option's) tables;
/// its text is the explanation (what was weighed, the shortlist and ranking, the
/// preferred option's explanation), or with `explain` that option's own.
///
/// - `min_sites`, `max_sites`: the long list's range of sites per option; both 0 for
///   the ruleset's. `max_options`: the largest long list to enumerate; 0 for the
///   ruleset's bound. A longer list is searched: the best option found for each number
///   of sites, with its proven bound in the `search` table.
/// - `weight_criteria`, `weights`: `weight_count` criterion ids and weights as decimal
///   text (`"0.4"`), replacing the ruleset's (NULL when 0).
/// - `explain`: an option's id, or `{NULL, 0}`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (a table that cannot
/// be read, a weight that is not a decimal), `LC_APPRAISAL_ERROR` (no appraisal
/// policy; an unknown site or zone in the travel times; a zone no designated site
/// reaches; more sites per option than sites; an
/// unknown option to explain).
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s;
/// the weight arrays hold `weight_count` readable `lc_str`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lc_appraise_arrow(
    ruleset: *const lc_ruleset,
    sites: *mut FFI_ArrowArrayStream,
    zones: *mut FFI_ArrowArrayStream,
    travel: *mut FFI_ArrowArrayStream,
    options: *mut FFI_ArrowArrayStream,
    scores: *mut FFI_ArrowArrayStream,
    min_sites: usize,
    max_sites: usize,
    max_options: u64,
    weight_criteria: *const lc_str,
    weights: *const lc_str,
    weight_count: usize,
    explain: lc_str,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let streams = unsafe {
        [
            take(sites),
            take(zones),
            take(travel),
            take(options),
            take(scores),
        ]
    };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let [s, z, t, o, c] = streams;
        let (s, z, t) = (s.table("sites")?, z.table("zones")?, t.table("travel")?);
        let (o, c) = (o.opt_table("options")?, c.opt_table("scores")?);
        let tables = AppraisalTables { sites: &s, zones: &z, travel: &t, options: o.as_ref(), scores: c.as_ref() };
        let request = AppraisalRequest {
            sites_per_option: ((min_sites, max_sites) != (0, 0)).then_some((min_sites, max_sites)),
            max_options: (max_options != 0).then_some(max_options),
            // SAFETY: caller's contract.
            weights: unsafe { read_weights(weight_criteria, weights, weight_count) }?,
            ..AppraisalRequest::default()
        };
        let explain = opt_str!(explain);
        let a = run::appraise::appraise(rs, tables, request)?;
        let text = match explain {
            Some(id) => a.explain(id)?,
            None => a.text(),
        };
        let tables = TABLES.iter().map(|&n| Ok((n, a.table(n, Face::C)?))).collect::<Result<_>>()?;
        give(out, lc_result::new(tables, text))?;
    }
}

/// The caller's weights: criterion id -> weight, read as exact decimals.
///
/// # Safety
///
/// Both arrays hold `n` readable `lc_str` (NULL only when `n` is 0).
unsafe fn read_weights(
    ids: *const lc_str,
    values: *const lc_str,
    n: usize,
) -> Result<BTreeMap<String, Decimal>> {
    // SAFETY: caller's contract.
    let (ids, values) = unsafe {
        (
            slice_arg(ids, n, "weight_criteria")?,
            slice_arg(values, n, "weights")?,
        )
    };
    let mut out = BTreeMap::new();
    for (i, (id, v)) in ids.iter().zip(values).enumerate() {
        // SAFETY: caller's contract.
        let (id, v) = unsafe {
            (
                str_arg(id.ptr, id.len, "weight_criteria")?,
                str_arg(v.ptr, v.len, "weights")?,
            )
        };
        let w = localcare::appraise::parse_weight(id, v)
            .map_err(|e| Error::input(format!("weights[{i}]: {e}")))?;
        out.insert(id.to_string(), w);
    }
    Ok(out)
}

/// Tallies a `persons` register (one row per person: `unit_id`, an age band and the
/// need columns the ruleset's register policy names) into a result with the `needs`
/// table, one row per practice, ready for `lc_allocate_arrow`'s `needs`.
///
/// Errors: `LC_INPUT_ERROR` (a table that cannot be read, a register the rules refuse).
///
/// # Safety
///
/// As for `lc_classify_arrow`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_needs_arrow(
    ruleset: *const lc_ruleset,
    persons: *mut FFI_ArrowArrayStream,
    out: *mut *mut lc_result,
) -> lc_status {
    // SAFETY: caller's contract.
    let persons = unsafe { take(persons) };
    entry! {
        let rs = &try_ref!(ruleset).rs;
        let needs = run::register::needs_from_persons(rs, &persons.table("persons")?, Face::C)?;
        one(out, "needs", needs, String::new())?;
    }
}
