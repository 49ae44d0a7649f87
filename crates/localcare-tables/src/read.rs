//! Tables into the core's inputs. Each reader checks what the table itself must hold
//! (columns present, values of the right type, ids where ids are needed) and leaves
//! every rule to the core: duplicate footprint units, unknown tiers and negative
//! baselines are the core's findings and errors, the same in every face.

use std::collections::{BTreeMap, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_schema::DataType;
use localcare::allocate::{Need, Needs};
use localcare::appraise::{
    AppraisalInput, AppraisalOption, CallerScore, Site, TravelMatrix, TravelTime, Zone, parse_score,
};
use localcare::footprint::{Footprint, FootprintUnit};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::shift::{Reduction, ShiftInput};
use localcare::{Population, Ruleset};
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
    /// Populations, whole people (each population's floor): the fast path of a table
    /// of whole numbers, which is most tables.
    pub populations: Vec<u64>,
    /// The exact populations, when any is fractional (`None` when all are whole, so
    /// `populations` says it all).
    pub exact: Option<Vec<Population>>,
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
    let population_array = t.single_chunk("population", &DataType::Int64);
    let (populations, exact) = if population_array.is_some() {
        // Whole by type: the fast path, as before.
        (
            r.counts("population", "population")?.unwrap_or_default(),
            None,
        )
    } else {
        let exact = r
            .people_counts("population", "population")?
            .unwrap_or_default();
        let floors = exact.iter().map(|p| p.floor()).collect();
        let fractional = exact.iter().any(|p| !p.is_whole());
        (floors, fractional.then_some(exact))
    };
    let capabilities = r
        .capability_bits("capabilities", rs)?
        .unwrap_or_else(|| vec![0; populations.len()]);
    Ok(Units {
        ids,
        population_array,
        populations,
        exact,
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
/// missing populations are left to validation, which reports them as findings with
/// their codes. A population that is not a number of people (negative, more than 9
/// decimal places, NaN, text) is an error here, at its row and column: the core's
/// [`Population`] cannot hold it.
pub fn footprint(t: &Table) -> Res<Footprint> {
    let r = Reader::new(t, &spec::FOOTPRINT);
    let ids = r.text("unit_id")?.unwrap_or_default();
    let parents = r.text("parent_id")?.unwrap_or_default();
    let tiers = r.text("declared_tier")?.unwrap_or_default();
    let pops = r.people("population", "population")?.unwrap_or_default();
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

/// Reads needs: the described columns, then every other column as a component's
/// weighted population (`wp_<component>` or one of the component's aliases, from the
/// ruleset's `allocation.components`; exact decimals) or an age band's counts (the
/// ruleset's `allocation.age_band_weights`). A column that is neither is an error
/// naming it: read as an age band it would only be refused later, less clearly. A
/// component given under two of its names is an error. An empty weighted population is
/// passed on as absent, for the core to refuse naming the practice. Units that are not
/// practices, and repeated units, are the core's errors.
pub fn needs(t: &Table, rs: &Ruleset) -> Res<Needs> {
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
    let policy = rs.allocation_policy();
    let components = policy.map_or(&[][..], |p| &p.components[..]);
    let bands = policy.map_or(&[][..], |p| &p.age_band_weights[..]);
    let mut band_cols: Vec<(String, Vec<Option<u64>>)> = Vec::new();
    let mut wp_cols: Vec<(String, Vec<Option<Decimal>>)> = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for name in t.other_columns(&spec::NEEDS) {
        let comp = components
            .iter()
            .find(|c| c.column() == name || c.aliases.iter().any(|a| a == name));
        if let Some(c) = comp {
            if let Some(first) = seen.insert(c.id.as_str(), name) {
                // Named in byte order, whatever the order of the columns.
                let (a, b) = if first < name {
                    (first, name)
                } else {
                    (name, first)
                };
                return Err(r.err(
                    b,
                    None,
                    format!(
                        "the {} weighted population (`{}`) is given twice, as `{a}` and as `{b}`",
                        c.id,
                        c.column()
                    ),
                ));
            }
            wp_cols.push((c.id.clone(), r.decimals_named(name)?));
        } else if bands.iter().any(|(b, _)| b == name) {
            band_cols.push((name.to_string(), r.counts_named(name)?));
        } else {
            return Err(r.err(name, None, unknown_needs_column(rs)));
        }
    }
    let mut out = Needs::new();
    for (row, id) in ids.into_iter().enumerate() {
        let mut ages = BTreeMap::new();
        for (b, v) in &band_cols {
            if let Some(c) = v[row] {
                ages.insert(b.clone(), c);
            }
        }
        let mut wps = BTreeMap::new();
        for (c, v) in &wp_cols {
            if let Some(d) = v[row] {
                wps.insert(c.clone(), d);
            }
        }
        out.push(
            id,
            Need {
                need_index: need[row],
                age_counts: ages,
                hi_weighted_population: hi[row],
                market_forces_factor: mff[row],
                weighted_populations: wps,
            },
        );
    }
    Ok(out)
}

/// Why a needs column is neither a described column, a component nor an age band.
fn unknown_needs_column(rs: &Ruleset) -> String {
    let p = rs.allocation_policy();
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let comps = list(p.map_or(Vec::new(), |p| {
        p.components
            .iter()
            .flat_map(|c| std::iter::once(c.column()).chain(c.aliases.iter().cloned()))
            .map(|c| format!("`{c}`"))
            .collect()
    }));
    let bands = list(p.map_or(Vec::new(), |p| {
        p.age_band_weights
            .iter()
            .map(|(b, _)| format!("`{b}`"))
            .collect()
    }));
    format!(
        "is not a column of needs under ruleset {}: not `need_index`, `hi_weighted_population` or `market_forces_factor`, nor a weighted population (its components: {comps}), nor an age band (its bands: {bands})",
        rs.id()
    )
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

/// Reads the sites an appraisal may designate (`sites`): every column beyond the
/// described ones is a site measure. Ids, ranges and capabilities are the core's to
/// check (`AppraisalError::Invalid` names the row), the same in every face.
pub fn sites(t: &Table) -> Res<Vec<Site>> {
    let r = Reader::new(t, &spec::SITES);
    let ids = r.ids("site_id")?.unwrap_or_default();
    let n = ids.len();
    let names = r.text("name")?.unwrap_or_else(|| vec![None; n]);
    let admissions = r.ints("admissions")?.unwrap_or_default();
    let caps = r
        .capability_lists("capabilities")?
        .unwrap_or_else(|| vec![Vec::new(); n]);
    let fixed = r.bools("fixed_open")?.unwrap_or_else(|| vec![None; n]);
    let measures: Vec<(String, Vec<Option<Decimal>>)> = t
        .other_columns(&spec::SITES)
        .map(|m| Ok((m.to_string(), r.decimals_named(m)?)))
        .collect::<Res<_>>()?;
    let mut out = Vec::with_capacity(n);
    for (row, ((id, name), capabilities)) in ids.into_iter().zip(names).zip(caps).enumerate() {
        let admissions = admissions[row].ok_or_else(|| {
            r.err(
                "admissions",
                Some(row),
                "missing; expected current confirmed admissions a year",
            )
        })?;
        let mut m = BTreeMap::new();
        for (k, v) in &measures {
            if let Some(v) = v[row] {
                m.insert(k.clone(), v);
            }
        }
        out.push(Site {
            name: name
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| id.clone()),
            id,
            admissions,
            capabilities,
            measures: m,
            fixed_open: fixed[row].unwrap_or(false),
        });
    }
    Ok(out)
}

/// Reads population zones (`zones`).
pub fn zones(t: &Table) -> Res<Vec<Zone>> {
    let r = Reader::new(t, &spec::ZONES);
    let ids = r.ids("zone_id")?.unwrap_or_default();
    let n = ids.len();
    let strokes = r.decimals("strokes")?;
    let population = r.ints("population")?;
    if strokes.is_none() && population.is_none() {
        return Err(TableError::table(
            spec::ZONES.name,
            format!(
                "needs a `strokes` or a `population` column; the columns are: {}",
                t.names().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let strokes = strokes.unwrap_or_else(|| vec![None; n]);
    let population = population.unwrap_or_else(|| vec![None; n]);
    // Absent (or a blank cell): the zone is in the area.
    let in_area = r.bools("in_area")?.unwrap_or_else(|| vec![None; n]);
    Ok(ids
        .into_iter()
        .zip(strokes)
        .zip(population)
        .zip(in_area)
        .map(|(((id, strokes), population), in_area)| Zone {
            id,
            strokes,
            population,
            in_area: in_area.unwrap_or(true),
        })
        .collect())
}

/// Reads travel times (`travel`).
pub fn travel(t: &Table) -> Res<Vec<TravelTime>> {
    let r = Reader::new(t, &spec::TRAVEL);
    let zones = r.ids("zone_id")?.unwrap_or_default();
    let sites = r.ids("site_id")?.unwrap_or_default();
    let minutes = r.decimals("minutes")?.unwrap_or_default();
    zones
        .into_iter()
        .zip(sites)
        .zip(minutes)
        .enumerate()
        .map(|(row, ((zone_id, site_id), m))| {
            Ok(TravelTime {
                zone_id,
                site_id,
                minutes: m.ok_or_else(|| {
                    r.err(
                        "minutes",
                        Some(row),
                        "missing; expected minutes (leave the pair out when it is unreachable)",
                    )
                })?,
            })
        })
        .collect()
}

/// Reads travel times in the wide published form: a `zone_id` column (or an alias),
/// then one column per site named by its id, minutes in each cell, blank where the
/// site cannot be reached. Held as one dense matrix at the most decimal places any
/// cell has.
pub fn travel_matrix(t: &Table) -> Res<TravelMatrix> {
    let r = Reader::new(t, &spec::TRAVEL);
    let zone_ids = r.ids("zone_id")?.unwrap_or_default();
    // Every column the description does not name (it names `zone_id`) is a site.
    let site_ids: Vec<String> = t.other_columns(&spec::TRAVEL).map(str::to_string).collect();
    if site_ids.is_empty() {
        return Err(r.err(
            "site_id",
            None,
            "missing; expected `site_id` and `minutes` (pairs), or one column per site (a matrix)",
        ));
    }
    let (rows, width) = (zone_ids.len(), site_ids.len());
    let mut minutes = vec![TravelMatrix::UNREACHABLE; rows * width];
    let mut scales = vec![0u32; width];
    for (k, site) in site_ids.iter().enumerate() {
        let column = r.decimals_named(site)?;
        // Each column at its own places first; all are brought to the most at the end.
        let scale = column
            .iter()
            .flatten()
            .map(|d| d.normalize().scale())
            .max()
            .unwrap_or(0);
        for (row, d) in column.iter().enumerate() {
            let Some(d) = d else { continue };
            if d.is_sign_negative() && !d.is_zero() {
                return Err(r.err(
                    site,
                    Some(row),
                    format!(
                        "{d} is negative; expected 0 or more minutes, or blank when unreachable"
                    ),
                ));
            }
            minutes[row * width + k] = fixed(*d, scale)
                .ok_or_else(|| r.err(site, Some(row), format!("{d} is too large a time")))?;
        }
        scales[k] = scale;
    }
    let scale = scales.iter().copied().max().unwrap_or(0);
    for (k, &s) in scales.iter().enumerate() {
        if s == scale {
            continue;
        }
        let f = 10i64.pow(scale - s);
        for row in 0..rows {
            let m = &mut minutes[row * width + k];
            if *m != TravelMatrix::UNREACHABLE {
                *m = m.checked_mul(f).ok_or_else(|| {
                    r.err(
                        &site_ids[k],
                        Some(row),
                        "too large a time at the matrix's places",
                    )
                })?;
            }
        }
    }
    Ok(TravelMatrix {
        zone_ids,
        site_ids,
        scale,
        minutes,
    })
}

/// `d` (0 or more) in units of `10^-scale`, when it fits.
fn fixed(d: Decimal, scale: u32) -> Option<i64> {
    let n = d.normalize();
    let up = 10i64.checked_pow(scale.checked_sub(n.scale())?)?;
    i64::try_from(n.mantissa()).ok()?.checked_mul(up)
}

/// Whether a travel table is in the wide form: it has neither `site_id` nor `minutes`.
fn is_wide(t: &Table) -> bool {
    t.position("site_id").is_none() && t.position("minutes").is_none()
}

/// Reads the sites, zones and travel tables into one appraisal input; the travel table
/// as pairs (`zone_id`, `site_id`, `minutes`) or as a matrix (one column per site).
pub fn appraisal_input(sites_t: &Table, zones_t: &Table, travel_t: &Table) -> Res<AppraisalInput> {
    let (travel, matrix) = if is_wide(travel_t) {
        (Vec::new(), Some(travel_matrix(travel_t)?))
    } else {
        (travel(travel_t)?, None)
    };
    Ok(AppraisalInput {
        sites: sites(sites_t)?,
        zones: zones(zones_t)?,
        travel,
        matrix,
    })
}

/// Reads options the caller gives (`options`).
pub fn options(t: &Table) -> Res<Vec<AppraisalOption>> {
    let r = Reader::new(t, &spec::OPTIONS);
    let ids = r.ids("option_id")?.unwrap_or_default();
    let sites = r.capability_lists("sites")?.unwrap_or_default();
    Ok(ids
        .into_iter()
        .zip(sites)
        .map(|(id, sites)| AppraisalOption { id, sites })
        .collect())
}

/// Reads the caller's scores (`scores`): `--` to `++`, or -2 to 2.
pub fn scores(t: &Table) -> Res<Vec<CallerScore>> {
    let r = Reader::new(t, &spec::SCORES);
    let ids = r.ids("option_id")?.unwrap_or_default();
    let criteria = r.ids("criterion")?.unwrap_or_default();
    let col = r.find("score")?.map_or("score", |f| f.name).to_string();
    let scores = r.text("score")?.unwrap_or_default();
    ids.into_iter()
        .zip(criteria)
        .zip(scores)
        .enumerate()
        .map(|(row, ((option_id, criterion), s))| {
            let text = s.unwrap_or_default();
            let score = parse_score(&text).ok_or_else(|| {
                r.err(
                    &col,
                    Some(row),
                    format!("`{text}` is not a score; expected --, -, 0, + or ++ (or -2 to 2)"),
                )
            })?;
            Ok(CallerScore {
                option_id,
                criterion,
                score,
            })
        })
        .collect()
}
