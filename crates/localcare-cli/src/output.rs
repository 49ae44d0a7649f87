//! Writing results as CSV, JSON or text. Column names are the library's stable names.

use std::fmt::Write as _;

use localcare::allocate::Allocation;
use localcare::footprint::Report;
use localcare::money::{Pounds, group_thousands, pounds_plain};
use localcare::rust_decimal::Decimal;
use localcare::settle::Settlement;
use localcare::{Ruleset, Unit};
use serde_json::{Value, json};

use crate::input::ClassifyInput;
use crate::{ClassifyFormat, Format};

fn csv_string(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn json_string(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// `micro` millionths as an exact decimal with six places.
pub fn micro_decimal(micro: u64) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

/// Parts per million as a signed decimal with six places.
pub fn ppm_decimal(ppm: i64) -> String {
    let sign = if ppm < 0 { "-" } else { "" };
    let a = ppm.unsigned_abs();
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}

/// Decimal places of every rate in settlement output.
const RATE_DP: u32 = 6;

/// A rate at exactly [`RATE_DP`] decimal places (rounded half to even), so the output
/// does not depend on how the input was spelt (`0.9` or `0.90`).
pub fn rate(d: Decimal) -> String {
    let mut r = d.round_dp(RATE_DP);
    r.rescale(RATE_DP);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r.to_string()
}

/// A quality score, exact: at least [`RATE_DP`] decimal places, more only when given.
pub fn score(d: Decimal) -> String {
    let mut r = d.normalize();
    if r.scale() < RATE_DP {
        r.rescale(RATE_DP);
    }
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r.to_string()
}

pub fn classify(rs: &Ruleset, units: &ClassifyInput, format: ClassifyFormat) -> String {
    let rows = (0..units.ids.len()).map(|i| {
        let c = rs.classify(&Unit::new(units.populations[i], units.capabilities[i]));
        (i, c)
    });
    match format {
        ClassifyFormat::Json => {
            let v: Vec<Value> = rows
                .map(|(i, c)| {
                    json!({
                        "unit_id": units.ids[i],
                        "population": units.populations[i],
                        "tier": rs.tiers()[c.tier()].id(),
                        "band_status": c.band_status().as_str(),
                        "reasons": c.reasons_line(rs),
                    })
                })
                .collect();
            json_string(&Value::Array(v))
        }
        ClassifyFormat::Csv => csv_string(
            &["unit_id", "population", "tier", "band_status", "reasons"],
            rows.map(|(i, c)| {
                vec![
                    units.ids[i].clone(),
                    units.populations[i].to_string(),
                    rs.tiers()[c.tier()].id().to_string(),
                    c.band_status().as_str().to_string(),
                    c.reasons_line(rs),
                ]
            }),
        ),
    }
}

pub fn report(r: &Report, format: Format) -> String {
    match format {
        Format::Text => r.to_text(),
        Format::Csv => csv_string(
            &["code", "severity", "unit_id", "rule", "message"],
            r.findings().iter().map(|f| {
                vec![
                    f.code.as_str().to_string(),
                    f.severity.as_str().to_string(),
                    f.unit_id.clone().unwrap_or_default(),
                    f.rule.clone(),
                    f.message.clone(),
                ]
            }),
        ),
        Format::Json => json_string(&json!({
            "has_errors": r.has_errors(),
            "units": r.units(),
            "practices": r.practices(),
            "total_population": r.total_population(),
            "accountable_units": r.accountable_units(),
            "aco_count_range": r.aco_count_range().map(|x| x.to_string()),
            "summary": r.summary(),
            "findings": r.findings().iter().map(|f| json!({
                "code": f.code.as_str(),
                "severity": f.severity.as_str(),
                "unit_id": f.unit_id,
                "rule": f.rule,
                "message": f.message,
            })).collect::<Vec<_>>(),
        })),
    }
}

pub fn allocation(a: &Allocation, format: Format) -> String {
    match format {
        Format::Json => json_string(&json!({
            "budget_pence": a.budget_pence(),
            "budget_pounds": pounds_plain(a.budget_pence()),
            "aco_pool_pence": a.aco_pool_pence(),
            "rows": a.rows().map(|r| json!({
                "unit_id": r.unit_id,
                "tier": r.tier,
                "parent_id": r.parent_id,
                "weighted_population": micro_decimal(r.weighted_population_micro),
                "target_pence": r.target_pence,
                "target_pounds": pounds_plain(r.target_pence),
                "baseline_pence": r.baseline_pence,
                "baseline_pounds": r.baseline_pence.map(pounds_plain),
                "allocation_pence": r.allocation_pence,
                "allocation_pounds": pounds_plain(r.allocation_pence),
                "retained_pence": r.retained_pence,
                "retained_pounds": pounds_plain(r.retained_pence),
                "distance_from_target": r.distance_from_target_ppm.map(ppm_decimal),
            })).collect::<Vec<_>>(),
        })),
        Format::Csv => csv_string(
            &[
                "unit_id",
                "tier",
                "parent_id",
                "weighted_population",
                "target_pence",
                "target_pounds",
                "baseline_pence",
                "baseline_pounds",
                "allocation_pence",
                "allocation_pounds",
                "retained_pence",
                "retained_pounds",
                "distance_from_target",
            ],
            a.rows().map(|r| {
                vec![
                    r.unit_id.to_string(),
                    r.tier.to_string(),
                    r.parent_id.unwrap_or("").to_string(),
                    micro_decimal(r.weighted_population_micro),
                    r.target_pence.to_string(),
                    pounds_plain(r.target_pence),
                    r.baseline_pence.map_or(String::new(), |b| b.to_string()),
                    r.baseline_pence.map_or(String::new(), pounds_plain),
                    r.allocation_pence.to_string(),
                    pounds_plain(r.allocation_pence),
                    r.retained_pence.to_string(),
                    pounds_plain(r.retained_pence),
                    r.distance_from_target_ppm
                        .map_or(String::new(), ppm_decimal),
                ]
            }),
        ),
        Format::Text => allocation_text(a),
    }
}

/// The per-ACO table and the commissioner's pots.
pub fn allocation_text(a: &Allocation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "budget {}; ACO pool {}",
        Pounds(a.budget_pence()),
        Pounds(a.aco_pool_pence())
    );
    let _ = writeln!(
        out,
        "  {:<10} {:>18} {:>20} {:>20} {:>20} {:>9}",
        "unit", "weighted pop.", "target", "baseline", "allocation", "DFT"
    );
    for r in a
        .rows()
        .filter(|r| r.parent_id.is_none() && r.tier != localcare::ruleset::STRATEGIC_COMMISSIONER)
    {
        let _ = writeln!(
            out,
            "  {:<10} {:>18} {:>20} {:>20} {:>20} {:>9}",
            r.unit_id,
            group_thousands(r.weighted_population_micro / 1_000_000),
            Pounds(r.target_pence).to_string(),
            r.baseline_pence
                .map_or("-".to_string(), |b| Pounds(b).to_string()),
            Pounds(r.allocation_pence).to_string(),
            r.distance_from_target_ppm
                .map_or("-".to_string(), |p| format!("{:+.2}%", p as f64 / 10_000.0)),
        );
    }
    for p in a.pots() {
        let _ = writeln!(
            out,
            "  strategic commissioner pot {}: {}",
            p.id,
            Pounds(p.allocation_pence)
        );
    }
    let _ = writeln!(
        out,
        "  ({} units in all; at every node the children plus what it retained add up to it, to the penny)",
        a.unit_count()
    );
    out
}

pub fn settlements(s: &[Settlement], format: Format) -> String {
    match format {
        Format::Text => {
            let mut out = String::new();
            for x in s {
                let _ = writeln!(out, "{}:", x.unit_id);
                for step in &x.explanation {
                    let _ = writeln!(out, "  {step}");
                }
            }
            out
        }
        Format::Json => json_string(&Value::Array(
            s.iter()
                .map(|x| {
                    json!({
                        "unit_id": x.unit_id,
                        "benchmark_pence": x.benchmark_pence,
                        "actual_pence": x.actual_pence,
                        "savings_pence": x.savings_pence,
                        "savings_rate": rate(x.savings_rate),
                        "minimum_rate": rate(x.minimum_rate),
                        "minimum_rate_met": x.minimum_rate_met,
                        "quality": score(x.quality),
                        "quality_gate_passed": x.quality_gate_passed,
                        "sharing_rate": rate(x.sharing_rate),
                        "amount_before_cap_pence": x.amount_before_cap_pence,
                        "cap_pence": x.cap_pence,
                        "capped": x.capped,
                        "final_pence": x.final_pence,
                        "final_pounds": pounds_plain(x.final_pence),
                        "explanation": x.explanation,
                    })
                })
                .collect(),
        )),
        Format::Csv => csv_string(
            &[
                "unit_id",
                "benchmark_pence",
                "actual_pence",
                "savings_pence",
                "savings_rate",
                "minimum_rate",
                "minimum_rate_met",
                "quality",
                "quality_gate_passed",
                "sharing_rate",
                "amount_before_cap_pence",
                "cap_pence",
                "capped",
                "final_pence",
                "final_pounds",
            ],
            s.iter().map(|x| {
                vec![
                    x.unit_id.clone(),
                    x.benchmark_pence.to_string(),
                    x.actual_pence.to_string(),
                    x.savings_pence.to_string(),
                    rate(x.savings_rate),
                    rate(x.minimum_rate),
                    x.minimum_rate_met.to_string(),
                    score(x.quality),
                    x.quality_gate_passed.to_string(),
                    rate(x.sharing_rate),
                    x.amount_before_cap_pence.to_string(),
                    x.cap_pence.to_string(),
                    x.capped.to_string(),
                    x.final_pence.to_string(),
                    pounds_plain(x.final_pence),
                ]
            }),
        ),
    }
}
