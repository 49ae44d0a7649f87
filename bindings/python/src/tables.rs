//! Tables to core inputs and core results to tables. Column names are the CLI's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::StringBuilder;

use localcare::allocate::{Allocation, Need, Needs, distance_from_target_ppm};
use localcare::footprint::{Footprint, FootprintUnit, Report};
use localcare::money::parse_money;
use localcare::ruleset::STRATEGIC_COMMISSIONER;
use localcare::rust_decimal::Decimal;
use localcare::rust_decimal::prelude::ToPrimitive;
use localcare::settle::{Settlement, SettlementInput};
use localcare::{BandStatus, CapabilitySet, Ruleset, Unit};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

use crate::errors::{CoreError, InputErr};
use crate::input::{Table, read_table};
use crate::output::{Col, Out, coded_array};

type Res<T> = Result<T, InputErr>;

/// Ids must be present, non-empty and unique (as the CLI requires for units to classify,
/// needs and settlement rows).
fn unique_ids(ids: &[String], col: &str) -> Res<()> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(InputErr::at(col, Some(row), "empty unit_id"));
        }
        if let Some(first) = seen.insert(id.as_str(), row) {
            return Err(InputErr::at(
                col,
                Some(row),
                format!("duplicate unit_id `{id}` (first in row {first})"),
            ));
        }
    }
    Ok(())
}

fn band_label(b: BandStatus) -> u8 {
    match b {
        BandStatus::InBand => 0,
        BandStatus::Overlap => 1,
        BandStatus::Gap => 2,
    }
}

/// `unit_id` (optional), `population`, `tier`, `band_status`, `reasons` (optional).
pub fn classify(rs: &Ruleset, t: &Table, with_reasons: bool) -> Res<Out> {
    let ids = match t.strings("unit_id")? {
        Some(ids) => {
            let ids: Vec<String> = ids
                .into_iter()
                .enumerate()
                .map(|(row, s)| {
                    s.ok_or_else(|| InputErr::at("unit_id", Some(row), "missing value"))
                })
                .collect::<Res<_>>()?;
            unique_ids(&ids, "unit_id")?;
            Some(ids)
        }
        None => None,
    };
    let pops = t.populations("population")?;
    let n = pops.len();
    let caps = t
        .capability_bits("capabilities", rs)?
        .unwrap_or_else(|| vec![0; n]);
    let mut tiers = vec![0u8; n];
    let mut bands = vec![BandStatus::InBand; n];
    // The columns are of one length by construction.
    let _ = rs.classify_batch(&pops, &caps, &mut tiers);
    let _ = rs.band_status_batch(&pops, &mut bands);
    let mut out = Out::default();
    if let Some(ids) = ids {
        out.push("unit_id", Col::Str(ids));
    }
    let reasons = with_reasons.then(|| {
        (0..n)
            .map(|i| {
                rs.classify(&Unit::new(pops[i], CapabilitySet::from_bits(caps[i])))
                    .reasons_line(rs)
            })
            .collect::<Vec<_>>()
    });
    let population = match t.single_chunk("population", &arrow_schema::DataType::Int64) {
        // The caller's own column, shared: no copy.
        Some(a) => Col::Arrow(a, false),
        None => Col::I64(pops.into_iter().map(|p| p as i64).collect()),
    };
    out.push("population", population);
    out.push(
        "tier",
        Col::Coded {
            labels: rs.tier_ids().map(str::to_string).collect(),
            codes: tiers,
        },
    );
    out.push(
        "band_status",
        Col::Coded {
            labels: [BandStatus::InBand, BandStatus::Overlap, BandStatus::Gap]
                .iter()
                .map(|b| b.as_str().to_string())
                .collect(),
            codes: bands.into_iter().map(band_label).collect(),
        },
    );
    if let Some(r) = reasons {
        out.push("reasons", Col::Str(r));
    }
    Ok(out)
}

/// A footprint: `unit_id`, `parent_id`, `declared_tier`, `population`, `capabilities`
/// (optional). Duplicate and empty ids, unknown tiers and capabilities and missing or
/// negative populations are left to validation to report as findings.
pub fn footprint(t: &Table) -> Res<Footprint> {
    let ids = required_text(t, "unit_id")?;
    let parents = required_text(t, "parent_id")?;
    let tiers = required_text(t, "declared_tier")?;
    let pops = t.required_ints("population")?;
    let caps = t.capability_lists("capabilities")?;
    let mut caps = caps.map(Vec::into_iter);
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

fn required_text(t: &Table, name: &str) -> Res<Vec<Option<String>>> {
    match t.strings(name)? {
        Some(v) => Ok(v),
        None => Err(InputErr::at(
            name,
            None,
            format!(
                "missing; the columns are: {}",
                t.names().collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// `code`, `name`, `severity`, `unit_id`, `rule`, `message`.
pub fn findings(r: &Report) -> Out {
    let f = r.findings();
    let mut out = Out::default();
    out.push(
        "code",
        Col::Str(f.iter().map(|x| x.code.as_str().to_string()).collect()),
    );
    out.push(
        "name",
        Col::Str(f.iter().map(|x| x.code.name().to_string()).collect()),
    );
    out.push(
        "severity",
        Col::Str(f.iter().map(|x| x.severity.as_str().to_string()).collect()),
    );
    out.push(
        "unit_id",
        Col::OptStr(f.iter().map(|x| x.unit_id.clone()).collect()),
    );
    out.push("rule", Col::Str(f.iter().map(|x| x.rule.clone()).collect()));
    out.push(
        "message",
        Col::Str(f.iter().map(|x| x.message.clone()).collect()),
    );
    out
}

/// Money: int pence, or text (`£617.4m`, `1,000.50` pounds, `613p` pence).
pub fn money(obj: &Bound<'_, PyAny>, what: &str) -> Res<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(InputErr::at(
            what,
            None,
            "expected int pence or text such as `£617.4m`, got a boolean",
        ));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map_err(|_| {
            InputErr::at(
                what,
                None,
                format!(
                    "{obj} pence overflows 64-bit pence (more than £92,233,720,368,547,758.07)"
                ),
            )
        });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s
            .to_str()
            .map_err(|_| InputErr::at(what, None, "text is not valid UTF-8"))?;
        return parse_money(s).map_err(|e| InputErr::at(what, None, e.to_string()));
    }
    // numpy integers.
    if !obj.is_instance_of::<pyo3::types::PyFloat>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(i);
        }
    }
    Err(InputErr::at(
        what,
        None,
        format!(
            "expected whole pence as an int, or text such as `£617.4m` or `613p`; got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}

/// Baselines: a mapping `{aco id: pence}`, or a table `unit_id` with `baseline_pence`
/// (whole pence) or `baseline` (money text).
pub fn baselines(obj: &Bound<'_, PyAny>) -> Res<Vec<(String, i64)>> {
    let mapping = obj
        .cast::<PyDict>()
        .ok()
        .filter(|d| !d.contains("unit_id").unwrap_or(false));
    if let Some(d) = mapping {
        let mut out = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let id: String = k
                .extract()
                .map_err(|_| InputErr::new("baseline keys must be unit ids (strings)"))?;
            let pence = money(&v, &id)?;
            out.push((id, pence));
        }
        return Ok(out);
    }
    let t = read_table(obj)?;
    let ids = t
        .strings("unit_id")?
        .ok_or_else(|| InputErr::at("unit_id", None, "missing"))?;
    let ids: Vec<String> = ids
        .into_iter()
        .enumerate()
        .map(|(row, s)| s.ok_or_else(|| InputErr::at("unit_id", Some(row), "missing value")))
        .collect::<Res<_>>()?;
    if t.has("baseline_pence") {
        let v = t.required_ints("baseline_pence")?;
        return ids
            .into_iter()
            .zip(v)
            .enumerate()
            .map(|(row, (id, p))| {
                p.map(|p| (id, p))
                    .ok_or_else(|| InputErr::at("baseline_pence", Some(row), "empty baseline"))
            })
            .collect();
    }
    let v = t.strings("baseline")?.ok_or_else(|| {
        InputErr::at(
            "baseline_pence",
            None,
            "missing; give `baseline_pence` (whole pence) or `baseline` (money text such as £1.2m)",
        )
    })?;
    ids.into_iter()
        .zip(v)
        .enumerate()
        .map(|(row, (id, s))| {
            let s = s.ok_or_else(|| InputErr::at("baseline", Some(row), "empty baseline"))?;
            let p =
                parse_money(&s).map_err(|e| InputErr::at("baseline", Some(row), e.to_string()))?;
            Ok((id, p))
        })
        .collect()
}

const NEED_COLUMNS: [&str; 4] = [
    "unit_id",
    "need_index",
    "hi_weighted_population",
    "market_forces_factor",
];

/// Needs: `unit_id` and any of `need_index`, `hi_weighted_population`,
/// `market_forces_factor`; every other column is an age band's counts.
pub fn needs(t: &Table) -> Res<Needs> {
    let ids = t
        .strings("unit_id")?
        .ok_or_else(|| InputErr::at("unit_id", None, "missing"))?;
    let ids: Vec<String> = ids
        .into_iter()
        .enumerate()
        .map(|(row, s)| s.ok_or_else(|| InputErr::at("unit_id", Some(row), "missing value")))
        .collect::<Res<_>>()?;
    let n = ids.len();
    let col = |name: &str| -> Res<Vec<Option<Decimal>>> {
        Ok(t.decimals(name)?.unwrap_or_else(|| vec![None; n]))
    };
    let need = col("need_index")?;
    let hi = col("hi_weighted_population")?;
    let mff = col("market_forces_factor")?;
    let band_names: Vec<String> = t
        .names()
        .filter(|c| !NEED_COLUMNS.contains(c) && !c.starts_with("__index_level_"))
        .map(str::to_string)
        .collect();
    let mut bands = Vec::with_capacity(band_names.len());
    for b in &band_names {
        let v = t.ints(b)?.unwrap_or_default();
        for (row, c) in v.iter().enumerate() {
            if c.is_some_and(|c| c < 0) {
                let c = c.unwrap_or_default();
                return Err(InputErr::at(b, Some(row), format!("count {c} is negative")));
            }
        }
        bands.push(v);
    }
    let mut out = Needs::new();
    for (row, id) in ids.into_iter().enumerate() {
        let mut ages = BTreeMap::new();
        for (b, v) in band_names.iter().zip(&bands) {
            if let Some(c) = v[row] {
                ages.insert(b.clone(), c as u64);
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

/// `unit_id`, `tier`, `parent_id`, `weighted_population` (people, float, for show),
/// `weighted_population_micro` (exact), `target_pence`, `baseline_pence`,
/// `allocation_pence`, `retained_pence`, `distance_from_target` (fraction, float) and
/// `distance_from_target_ppm` (exact).
pub fn allocation(a: &Allocation, labels: &Labels) -> Result<Out, CoreError> {
    // Straight from the result's columns (units in row order, then the pots), so a
    // million rows are a few copies rather than a million row structs.
    let (units, pots) = (a.unit_count(), a.pots());
    let n = units + pots.len();
    let wp = a.weighted_population_micro();
    if let Some(q) = wp.iter().position(|&m| i64::try_from(m).is_err()) {
        return Err(InputErr::at(
            "weighted_population_micro",
            None,
            format!(
                "weighted population of {} does not fit in 64 bits",
                a.unit_ids()[q]
            ),
        )
        .into());
    }
    let column = |units: &[i64], pot: fn(&localcare::allocate::PotRow) -> i64| {
        let mut v = Vec::with_capacity(n);
        v.extend_from_slice(units);
        v.extend(pots.iter().map(pot));
        v
    };
    let mut micro: Vec<i64> = Vec::with_capacity(n);
    micro.extend(wp.iter().map(|&m| m as i64));
    micro.extend(pots.iter().map(|_| 0));
    let target = column(a.target_pence(), |p| p.allocation_pence);
    let alloc = column(a.allocation_pence(), |p| p.allocation_pence);
    let retained = column(a.retained_pence(), |p| p.allocation_pence);
    let given = a.baseline_pence();
    let baseline: Vec<Option<i64>> = (0..n).map(|q| given.get(q).copied()).collect();
    let dft: Vec<Option<i64>> = target
        .iter()
        .zip(&alloc)
        .map(|(&t, &a)| distance_from_target_ppm(a, t))
        .collect();
    let mut out = Out::default();
    out.push("unit_id", Col::Arrow(labels.ids.clone(), false));
    out.push("tier", Col::Arrow(labels.tiers.clone(), false));
    out.push("parent_id", Col::Arrow(labels.parents.clone(), true));
    out.push(
        "weighted_population",
        Col::F64(micro.iter().map(|&m| m as f64 / 1e6).collect()),
    );
    out.push("weighted_population_micro", Col::I64(micro));
    out.push("target_pence", Col::I64(target));
    out.push("baseline_pence", Col::OptI64(baseline));
    out.push("allocation_pence", Col::I64(alloc));
    out.push("retained_pence", Col::I64(retained));
    out.push(
        "distance_from_target",
        Col::OptF64(dft.iter().map(|p| p.map(|p| p as f64 / 1e6)).collect()),
    );
    out.push("distance_from_target_ppm", Col::OptI64(dft));
    Ok(out)
}

/// The text columns of an allocation result (`unit_id`, `tier`, `parent_id`): the same
/// for every budget on one prepared footprint, so built once and shared.
#[derive(Clone)]
pub struct Labels {
    ids: ArrayRef,
    tiers: ArrayRef,
    parents: ArrayRef,
    units: usize,
    pots: Vec<String>,
}

impl Labels {
    /// Whether these labels are those of `a`'s rows.
    pub fn fits(&self, a: &Allocation) -> bool {
        self.units == a.unit_count() && self.pots.iter().eq(a.pots().iter().map(|p| &p.id))
    }
}

pub fn allocation_labels(a: &Allocation, rs: &Ruleset) -> Labels {
    let n = a.unit_count() + a.pots().len();
    // Tiers by code: the ruleset's tier ids, then the commissioner (for the pots).
    let mut labels: Vec<String> = rs.tier_ids().map(str::to_string).collect();
    labels.push(STRATEGIC_COMMISSIONER.to_string());
    let id_bytes: usize = a.unit_ids().iter().map(String::len).sum();
    let mut ids = StringBuilder::with_capacity(n, id_bytes);
    let mut parents = StringBuilder::with_capacity(n, id_bytes);
    let mut codes = Vec::with_capacity(n);
    // Rows of one tier come together (top-down order): look a tier up when it changes.
    let mut last: (&str, u8) = ("", 0);
    for r in a.rows() {
        ids.append_value(r.unit_id);
        parents.append_option(r.parent_id);
        if r.tier != last.0 {
            let code = labels
                .iter()
                .position(|l| l == r.tier)
                .unwrap_or(labels.len() - 1) as u8;
            last = (r.tier, code);
        }
        codes.push(last.1);
    }
    Labels {
        ids: Arc::new(ids.finish()),
        tiers: coded_array(labels, codes),
        parents: Arc::new(parents.finish()),
        units: a.unit_count(),
        pots: a.pots().iter().map(|p| p.id.clone()).collect(),
    }
}

/// Settlement rows: `unit_id`, `benchmark_pence` (or `benchmark`), `actual_pence` (or
/// `actual`), `assigned_population`, `quality`; money in whole pence.
pub fn settlement_inputs(t: &Table) -> Res<Vec<SettlementInput>> {
    let ids = t
        .strings("unit_id")?
        .ok_or_else(|| InputErr::at("unit_id", None, "missing"))?;
    let bench = t.find(&["benchmark_pence", "benchmark"]).ok_or_else(|| {
        InputErr::at(
            "benchmark_pence",
            None,
            "missing (or `benchmark`), whole pence",
        )
    })?;
    let actual = t
        .find(&["actual_pence", "actual"])
        .ok_or_else(|| InputErr::at("actual_pence", None, "missing (or `actual`), whole pence"))?;
    let bench_v = t.required_ints(bench)?;
    let actual_v = t.required_ints(actual)?;
    let pop_v = t.required_ints("assigned_population")?;
    let q = t
        .decimals("quality")?
        .ok_or_else(|| InputErr::at("quality", None, "missing"))?;
    let mut out = Vec::with_capacity(ids.len());
    for row in 0..ids.len() {
        let need = |v: Option<i64>, col: &str| {
            v.ok_or_else(|| InputErr::at(col, Some(row), "missing value"))
        };
        let p = need(pop_v[row], "assigned_population")?;
        if p < 0 {
            return Err(InputErr::at(
                "assigned_population",
                Some(row),
                format!("population {p} is negative"),
            ));
        }
        out.push(SettlementInput {
            unit_id: ids[row]
                .clone()
                .ok_or_else(|| InputErr::at("unit_id", Some(row), "missing value"))?,
            benchmark_pence: need(bench_v[row], bench)?,
            actual_pence: need(actual_v[row], actual)?,
            assigned_population: p as u64,
            quality: q[row].ok_or_else(|| InputErr::at("quality", Some(row), "missing value"))?,
        });
    }
    Ok(out)
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// The CLI's settlement columns (rates as floats, money as int pence), and
/// `explanation`, the steps one per line.
pub fn settlements(s: &[Settlement]) -> Out {
    let mut out = Out::default();
    out.push(
        "unit_id",
        Col::Str(s.iter().map(|x| x.unit_id.clone()).collect()),
    );
    out.push(
        "benchmark_pence",
        Col::I64(s.iter().map(|x| x.benchmark_pence).collect()),
    );
    out.push(
        "actual_pence",
        Col::I64(s.iter().map(|x| x.actual_pence).collect()),
    );
    out.push(
        "savings_pence",
        Col::I64(s.iter().map(|x| x.savings_pence).collect()),
    );
    out.push(
        "savings_rate",
        Col::F64(s.iter().map(|x| f(x.savings_rate)).collect()),
    );
    out.push(
        "minimum_rate",
        Col::F64(s.iter().map(|x| f(x.minimum_rate)).collect()),
    );
    out.push(
        "minimum_rate_met",
        Col::Bool(s.iter().map(|x| x.minimum_rate_met).collect()),
    );
    out.push(
        "quality",
        Col::F64(s.iter().map(|x| f(x.quality)).collect()),
    );
    out.push(
        "quality_gate_passed",
        Col::Bool(s.iter().map(|x| x.quality_gate_passed).collect()),
    );
    out.push(
        "sharing_rate",
        Col::F64(s.iter().map(|x| f(x.sharing_rate)).collect()),
    );
    out.push(
        "amount_before_cap_pence",
        Col::I64(s.iter().map(|x| x.amount_before_cap_pence).collect()),
    );
    out.push(
        "cap_pence",
        Col::I64(s.iter().map(|x| x.cap_pence).collect()),
    );
    out.push("capped", Col::Bool(s.iter().map(|x| x.capped).collect()));
    out.push(
        "final_pence",
        Col::I64(s.iter().map(|x| x.final_pence).collect()),
    );
    out.push(
        "explanation",
        Col::Str(s.iter().map(|x| x.explanation.join("\n")).collect()),
    );
    out
}
