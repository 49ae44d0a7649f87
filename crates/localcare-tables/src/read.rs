//! Tables into the core's inputs. Each reader checks what the table itself must hold
//! (columns present, values of the right type, ids where ids are needed) and leaves
//! every rule to the core: duplicate footprint units, unknown tiers and negative
//! baselines are the core's findings and errors, the same in every face.

use std::collections::{BTreeMap, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_schema::DataType;
use localcare::Ruleset;
use localcare::allocate::{Need, Needs};
use localcare::footprint::{Footprint, FootprintUnit};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::shift::{Reduction, ShiftInput};
use rustc_hash::FxHashMap;

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::shift::ShiftBenchmark;
use crate::spec;

type Res<T> = Result<T, TableError>;

/// Units to classify, as columns.
#[derive(Debug, Clone)]
pub struct Units {
    /// The ids, when the table has `unit_id`, as one Arrow text column (the caller's
    /// own when it is one chunk of text without nulls, shared without a copy).
    pub ids: Option<ArrayRef>,
    /// Populations.
    pub populations: Vec<u64>,
    /// Capability sets as bits under the ruleset.
    pub capabilities: Vec<u64>,
    /// The caller's population column when it is one chunk of int64 without nulls,
    /// handed back in the result without a copy.
    pub population_array: Option<ArrayRef>,
}

fn unique(r: &Reader<'_>, column: &str, ids: &[String]) -> Res<()> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(id.as_str(), row) {
            return Err(r.err(
                column,
                Some(row),
                format!("duplicate unit_id `{id}` (first in row {first})"),
            ));
        }
    }
    Ok(())
}

/// Reads units to classify (`units`): ids unique when given, populations 0 or more,
/// capabilities declared by `rs`.
pub fn units(t: &Table, rs: &Ruleset) -> Res<Units> {
    let r = Reader::new(t, &spec::UNITS);
    let ids = r.id_column("unit_id")?;
    if let Some(ids) = &ids {
        let col = r.find("unit_id")?.map_or("unit_id", |f| f.name);
        unique_in(&r, col, ids.as_string::<i32>())?;
    }
    let populations = r.counts("population", "population")?.unwrap_or_default();
    let capabilities = r
        .capability_bits("capabilities", rs)?
        .unwrap_or_else(|| vec![0; populations.len()]);
    Ok(Units {
        ids,
        population_array: t.single_chunk("population", &DataType::Int64),
        populations,
        capabilities,
    })
}

/// Ids of one text column are unique: the first repeat is an error at its row.
fn unique_in(r: &Reader<'_>, column: &str, ids: &StringArray) -> Res<()> {
    // Ids in ascending order (a sorted export) are unique without a hash per row.
    let ascending = (1..ids.len()).all(|i| ids.value(i - 1) < ids.value(i));
    if ascending {
        return Ok(());
    }
    let mut seen: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (row, id) in ids.iter().enumerate() {
        let id = id.unwrap_or_default();
        if let Some(first) = seen.insert(id, row) {
            return Err(r.err(
                column,
                Some(row),
                format!("duplicate unit_id `{id}` (first in row {first})"),
            ));
        }
    }
    Ok(())
}

/// Reads a footprint. Duplicate and empty ids, unknown tiers and capabilities and
/// missing or negative populations are left to validation, which reports them as
/// findings with their codes.
pub fn footprint(t: &Table) -> Res<Footprint> {
    let r = Reader::new(t, &spec::FOOTPRINT);
    let ids = r.text("unit_id")?.unwrap_or_default();
    let parents = r.text("parent_id")?.unwrap_or_default();
    let tiers = r.text("declared_tier")?.unwrap_or_default();
    let pops = r.ints("population")?.unwrap_or_default();
    let mut caps = r.capability_lists("capabilities")?.map(Vec::into_iter);
    let units = ids
        .into_iter()
        .zip(parents)
        .zip(tiers)
        .zip(pops)
        .map(|(((id, parent), tier), population)| FootprintUnit {
            unit_id: id.unwrap_or_default(),
            parent_id: parent.filter(|p| !p.trim().is_empty()),
            declared_tier: tier.unwrap_or_default(),
            population,
            capabilities: caps.as_mut().and_then(Iterator::next).unwrap_or_default(),
        })
        .collect();
    Ok(Footprint::new(units))
}

/// Reads needs: the described columns, and every other column as an age band's
/// counts. Units that are not practices, and repeated units, are the core's errors.
pub fn needs(t: &Table) -> Res<Needs> {
    let r = Reader::new(t, &spec::NEEDS);
    let ids = r.ids("unit_id")?.unwrap_or_default();
    let n = ids.len();
    let need = r.decimals("need_index")?.unwrap_or_else(|| vec![None; n]);
    let hi = r
        .decimals("hi_weighted_population")?
        .unwrap_or_else(|| vec![None; n]);
    let mff = r
        .decimals("market_forces_factor")?
        .unwrap_or_else(|| vec![None; n]);
    let bands: Vec<(String, Vec<Option<u64>>)> = t
        .other_columns(&spec::NEEDS)
        .map(|b| Ok((b.to_string(), r.counts_named(b)?)))
        .collect::<Res<_>>()?;
    let mut out = Needs::new();
    for (row, id) in ids.into_iter().enumerate() {
        let mut ages = BTreeMap::new();
        for (b, v) in &bands {
            if let Some(c) = v[row] {
                ages.insert(b.clone(), c);
            }
        }
        out.push(
            id,
            Need {
                need_index: need[row],
                age_counts: ages,
                hi_weighted_population: hi[row],
                market_forces_factor: mff[row],
            },
        );
    }
    Ok(out)
}

/// Reads baselines: `unit_id` with `baseline_pence` (whole pence) or `baseline`
/// (money text). Repeated and negative baselines are the core's errors.
pub fn baselines(t: &Table) -> Res<Vec<(String, i64)>> {
    let r = Reader::new(t, &spec::BASELINES);
    let ids = r.ids("unit_id")?.unwrap_or_default();
    let values = r.ints("baseline_pence")?.unwrap_or_default();
    let col = r
        .find("baseline_pence")?
        .map_or("baseline_pence", |f| f.name);
    ids.into_iter()
        .zip(values)
        .enumerate()
        .map(|(row, (id, v))| {
            v.map(|v| (id, v))
                .ok_or_else(|| r.err(col, Some(row), "missing; expected a baseline"))
        })
        .collect()
}

/// Reads ACOs' years to settle (`results`).
pub fn settlement_inputs(t: &Table) -> Res<Vec<SettlementInput>> {
    let r = Reader::new(t, &spec::SETTLEMENT_INPUTS);
    let ids = r.ids("unit_id")?.unwrap_or_default();
    let name = |c: &str| -> Res<String> { Ok(r.find(c)?.map_or(c, |f| f.name).to_string()) };
    let (bench_col, actual_col) = (name("benchmark_pence")?, name("actual_pence")?);
    let bench = r.ints("benchmark_pence")?.unwrap_or_default();
    let actual = r.ints("actual_pence")?.unwrap_or_default();
    let pops = r
        .counts("assigned_population", "population")?
        .unwrap_or_default();
    let quality = r.decimals("quality")?.unwrap_or_default();
    let revenue = r.ints("participant_revenue_pence")?;
    let mut out = Vec::with_capacity(ids.len());
    for (row, unit_id) in ids.into_iter().enumerate() {
        let need = |v: Option<i64>, col: &str| {
            v.ok_or_else(|| r.err(col, Some(row), "missing; expected whole pence"))
        };
        out.push(SettlementInput {
            unit_id,
            benchmark_pence: need(bench[row], &bench_col)?,
            actual_pence: need(actual[row], &actual_col)?,
            assigned_population: pops[row],
            quality: quality[row].ok_or_else(|| {
                r.err(
                    "quality",
                    Some(row),
                    "missing; expected a score from 0 to 1",
                )
            })?,
            participant_revenue_pence: revenue.as_ref().and_then(|v| v[row]),
        });
    }
    Ok(out)
}

/// Reads units' emergency activity (`activity`) for the shift-left model: ids unique,
/// the reduction from `reduction` or `avoided_share` (not both, in the core's words).
/// Every range is the core's to check.
pub fn activity(t: &Table) -> Res<Vec<ShiftInput>> {
    let r = Reader::new(t, &spec::ACTIVITY);
    let ids = r.ids("unit_id")?.unwrap_or_default();
    unique(&r, "unit_id", &ids)?;
    let n = ids.len();
    let admissions = r.ints("emergency_admissions")?.unwrap_or_default();
    let dec = |c: &str| -> Res<Vec<Option<Decimal>>> {
        Ok(r.decimals(c)?.unwrap_or_else(|| vec![None; n]))
    };
    let int =
        |c: &str| -> Res<Vec<Option<i64>>> { Ok(r.ints(c)?.unwrap_or_else(|| vec![None; n])) };
    let avoidable = dec("avoidable_share")?;
    let reduction = dec("reduction")?;
    let avoided = dec("avoided_share")?;
    let bed_days = dec("bed_days_per_admission")?;
    let bed_day_cost = int("bed_day_cost_pence")?;
    let replacement = int("replacement_cost_pence")?;
    let fixed = int("fixed_cost_pence")?;
    let occupancy = dec("occupancy")?;
    let mut out = Vec::with_capacity(n);
    for (row, unit_id) in ids.into_iter().enumerate() {
        let emergency_admissions = admissions[row].ok_or_else(|| {
            r.err(
                "emergency_admissions",
                Some(row),
                "missing; expected a whole number of admissions",
            )
        })?;
        let reduction = Reduction::from_columns(&unit_id, reduction[row], avoided[row])
            .map_err(|e| r.err("avoided_share", Some(row), e.to_string()))?;
        out.push(ShiftInput {
            unit_id,
            emergency_admissions,
            avoidable_share: avoidable[row],
            reduction,
            bed_days_per_admission: bed_days[row],
            bed_day_cost_pence: bed_day_cost[row],
            replacement_cost_pence: replacement[row],
            fixed_cost_pence: fixed[row],
            occupancy: occupancy[row],
        });
    }
    Ok(out)
}

/// Units' benchmarks, in the order of the activity table's units, with the row of the
/// benchmarks table each came from.
#[derive(Debug, Clone)]
pub struct Benchmarks {
    /// One per activity unit, in its order.
    pub values: Vec<ShiftBenchmark>,
    /// The benchmarks table's row (0-based) of each.
    pub rows: Vec<usize>,
}

/// Reads benchmarks (`benchmarks`) for the units `unit_ids` (the activity table's, in
/// its order): each unit has exactly one row, and every row is one of the units. A unit
/// without a benchmark is an error at its row of the `activity` table.
pub fn benchmarks(t: &Table, unit_ids: &[String]) -> Res<Benchmarks> {
    let r = Reader::new(t, &spec::BENCHMARKS);
    let ids = r.ids("unit_id")?.unwrap_or_default();
    unique(&r, "unit_id", &ids)?;
    let bench_col = r
        .find("benchmark_pence")?
        .map_or("benchmark_pence", |f| f.name)
        .to_string();
    let bench = r.ints("benchmark_pence")?.unwrap_or_default();
    let pops = r
        .counts("assigned_population", "population")?
        .unwrap_or_default();
    let quality = r.decimals("quality")?;
    let wanted: HashMap<&str, usize> = unit_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut found: Vec<Option<usize>> = vec![None; unit_ids.len()];
    for (row, id) in ids.iter().enumerate() {
        match wanted.get(id.as_str()) {
            Some(&i) => found[i] = Some(row),
            None => {
                return Err(r.err(
                    "unit_id",
                    Some(row),
                    format!("unit `{id}` is not in the activity table"),
                ));
            }
        }
    }
    let mut values = Vec::with_capacity(unit_ids.len());
    let mut rows = Vec::with_capacity(unit_ids.len());
    for (i, f) in found.into_iter().enumerate() {
        let row = f.ok_or_else(|| {
            TableError::at(
                spec::ACTIVITY.name,
                "unit_id",
                Some(i),
                format!("unit `{}` has no row in the benchmarks table", unit_ids[i]),
            )
        })?;
        values.push(ShiftBenchmark {
            benchmark_pence: bench[row]
                .ok_or_else(|| r.err(&bench_col, Some(row), "missing; expected a benchmark"))?,
            assigned_population: pops[row],
            quality: quality.as_ref().and_then(|q| q[row]),
        });
        rows.push(row);
    }
    Ok(Benchmarks { values, rows })
}
