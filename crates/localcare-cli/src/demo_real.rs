//! `localcare demo`, section 7: REAL data. Kent and Medway ICB (`QKS`) as its four places,
//! from NHS England's published practice weighted populations (examples/data/, derived
//! by scripts/derive-examples): tried under the 2017 straw man as a user would, validated
//! under `england-icb-2024`, and an ILLUSTRATIVE ICB budget split by line, with each
//! place's need index and its distance from a split by population alone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use localcare::Ruleset;
use localcare::footprint::Report;
use localcare::money::{Pounds, apportion, parse_money, percent};
use localcare::rust_decimal::Decimal;
use localcare_tables::run::allocate::{self as run_allocate, AllocateOptions, AllocateTables};
use localcare_tables::{Table, read};

use crate::files::File;

const DIR: &str = "examples/data";
const FOOTPRINT: &str = include_str!("../../../examples/data/kent-medway-footprint.csv");
const NEEDS: &str = include_str!("../../../examples/data/kent-medway-needs.csv");
const AS_2017: &str = include_str!("../../../examples/data/kent-medway-places-as-2017-acos.csv");
const BUDGET: &str = include_str!("../../../examples/data/kent-medway-icb-budget.json");

/// The licence's attribution, which every copy and derivation must carry
/// (examples/data/README.md).
const ATTRIBUTION: &str = "Contains public sector information licensed under the Open Government Licence v3.0.\n  Source: NHS England, ICB Place Based Allocation Tool data, 2023/24 and 2024/25.";

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn table(name: &str, text: &str) -> Res<File> {
    Ok(File::parse(format!("{DIR}/{name}"), text.as_bytes())?)
}

fn footprint(f: &File) -> Res<localcare::Footprint> {
    Ok(read::footprint(&f.csv.table).map_err(|e| f.table_error(e))?)
}

/// The ILLUSTRATIVE budget lines of examples/data/kent-medway-icb-budget.json.
fn budget_lines() -> Res<Vec<(String, i64)>> {
    let v: serde_json::Value = serde_json::from_str(BUDGET)?;
    v["lines"]
        .as_object()
        .ok_or("examples/data/kent-medway-icb-budget.json: no `lines`")?
        .iter()
        .map(|(line, amount)| {
            let text = amount.as_str().ok_or("a line's amount is not text")?;
            Ok((line.clone(), parse_money(text)?))
        })
        .collect()
}

pub fn render(w: &mut String) -> Res<()> {
    let rs = Ruleset::builtin("england-icb-2024")?;
    let fp_file = table("kent-medway-footprint.csv", FOOTPRINT)?;
    let fp = footprint(&fp_file)?;
    writeln!(
        w,
        "\n7. REAL DATA: Kent and Medway ICB (QKS) as its four places, from NHS England's 2024/25 practice weighted populations"
    )?;
    writeln!(w, "  {ATTRIBUTION}")?;
    writeln!(
        w,
        "  {DIR}/kent-medway-footprint.csv and kent-medway-needs.csv, written by `localcare practices` (scripts/derive-examples)\n"
    )?;
    let pops = rs.unit_populations(&fp);
    let places: Vec<&str> = fp
        .units()
        .iter()
        .filter(|u| u.declared_tier == "place")
        .map(|u| u.unit_id.as_str())
        .collect();
    let mut practices: BTreeMap<&str, usize> = BTreeMap::new();
    for u in fp
        .units()
        .iter()
        .filter(|u| u.declared_tier == "gp_practice")
    {
        *practices
            .entry(u.parent_id.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    writeln!(
        w,
        "  {:<24} {:>9} {:>18}",
        "place", "practices", "population"
    )?;
    for p in &places {
        writeln!(
            w,
            "  {p:<24} {:>9} {:>18}",
            practices.get(p).copied().unwrap_or(0),
            pops[p].group_thousands()
        )?;
    }
    writeln!(
        w,
        "  {:<24} {:>9} {:>18}",
        "Kent and Medway ICB",
        practices.values().sum::<usize>(),
        pops["QKS"].group_thousands()
    )?;

    straw_man(w)?;

    let report = rs.validate(&fp);
    writeln!(
        w,
        "\n  b) Under {} (practice -> place -> ICB, no population bands): {}",
        rs.id(),
        report.summary()
    )?;
    writeln!(
        w,
        "     {}",
        if report.has_errors() {
            "not valid"
        } else {
            "valid: Dartford and Gravesham's 257,043 people make a place like any other"
        }
    )?;

    allocation(w, &rs, &fp_file, &places, &pops)
}

/// The places tried under `kent-medway-2017` as a user would: each place an ACO, its
/// practices directly under it, and what the 2017 straw man says about that.
fn straw_man(w: &mut String) -> Res<()> {
    let rs = Ruleset::builtin("kent-medway-2017")?;
    let f = table("kent-medway-places-as-2017-acos.csv", AS_2017)?;
    let report: Report = rs.validate(&footprint(&f)?);
    writeln!(
        w,
        "\n  a) Under the 2017 straw man ({}), the places as ACOs with their practices under them ({DIR}/kent-medway-places-as-2017-acos.csv):\n     {}",
        rs.id(),
        report.summary()
    )?;
    // One line per finding code: how many, and the first (a place's, where one is).
    type Key = (localcare::footprint::Severity, &'static str);
    let mut by_code: BTreeMap<Key, Vec<&localcare::footprint::Finding>> = BTreeMap::new();
    for f in report.findings() {
        by_code
            .entry((f.severity, f.code.as_str()))
            .or_default()
            .push(f);
    }
    for ((severity, code), findings) in &by_code {
        let first = findings
            .iter()
            .find(|f| f.unit_id.as_deref().is_some_and(|u| !u.starts_with('G')))
            .unwrap_or(&findings[0]);
        writeln!(
            w,
            "     {severity} {code} x{}: {}",
            findings.len(),
            first.message
        )?;
    }
    writeln!(
        w,
        "     Why: the 2017 model's ACOs were 400,000 to 800,000 people holding capitated budgets, with practices grouped into hubs of 50,000 to 200,000 under them; today's places are an ICB's own grouping of any size, with no hub tier"
    )?;
    Ok(())
}

/// The ILLUSTRATIVE ICB budget split by line, with each place's need indices and its
/// distance from the split by population alone.
fn allocation(
    w: &mut String,
    rs: &Ruleset,
    fp_file: &File,
    places: &[&str],
    pops: &BTreeMap<&str, localcare::Population>,
) -> Res<()> {
    let needs_file = table("kent-medway-needs.csv", NEEDS)?;
    let lines = budget_lines()?;
    let total: i64 = lines.iter().map(|(_, p)| p).sum();
    let tables = AllocateTables {
        footprint: &fp_file.csv.table,
        needs: Some::<&Table>(&needs_file.csv.table),
        baselines: None,
    };
    let options = AllocateOptions {
        lines: lines.clone(),
        ..Default::default()
    };
    let a = run_allocate::allocate(rs, tables, options)?.allocation;
    let amounts = lines
        .iter()
        .map(|(l, p)| format!("{l} {}", Pounds(*p)))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        w,
        "\n  c) An ILLUSTRATIVE ICB budget of {} in two lines ({amounts}; round figures of the order of Kent and Medway's 2024/25 allocations as the author recalls them, not NHS England's figures), each split by its own weighted population:\n",
        Pounds(total)
    )?;
    // The split by population alone, for the distance: the same budget apportioned by
    // the places' populations (billionths of a person), to the penny.
    let weights: Vec<u64> = places
        .iter()
        .map(|p| u64::try_from(pops[p].billionths()).unwrap_or(u64::MAX))
        .collect();
    let keys: Vec<u32> = (0..places.len() as u32).collect();
    let by_population = apportion(total, &weights, &keys)?;
    let q_of = |id: &str| a.unit_ids().iter().position(|u| u == id);
    let index = |component: &str, q: usize| -> String {
        a.need_indices(Some(component))
            .and_then(|v| v[q])
            .map_or("-".into(), |i| i.text())
    };
    writeln!(
        w,
        "  {:<24} {:>11} {:>11} {:>18} {:>16} {:>18}   vs population",
        "place", "need core", "need PMC", "core", "prim. med. care", "total"
    )?;
    for (i, p) in places.iter().enumerate() {
        let Some(q) = q_of(p) else { continue };
        let line = |id: &str| -> i64 {
            a.lines()
                .iter()
                .find(|l| l.line == id)
                .map_or(0, |l| l.allocation.allocation_pence()[q])
        };
        let got = a.allocation_pence()[q];
        let distance = got - by_population[i];
        let share = Decimal::from(distance) / Decimal::from(by_population[i].max(1));
        writeln!(
            w,
            "  {p:<24} {:>11} {:>11} {:>18} {:>16} {:>18}   {}{} ({}{}%)",
            index("core", q),
            index("primary_medical_care", q),
            Pounds(line("core")).to_string(),
            Pounds(line("primary_medical_care")).to_string(),
            Pounds(got).to_string(),
            if distance >= 0 { "+" } else { "" },
            Pounds(distance),
            if distance >= 0 { "+" } else { "" },
            percent(share, Some(2)),
        )?;
    }
    writeln!(
        w,
        "\n  need: (place weighted population / place population) / (ICB weighted population / ICB population), by the line's component, as NHS England's place-based tool reports it;"
    )?;
    writeln!(
        w,
        "  vs population: the place's total against the same {} split by population alone.",
        Pounds(total)
    )?;
    writeln!(
        w,
        "\n  Try: localcare practices {DIR}/nhs-practice-weighted-populations-2024-25.csv --icb QKS --by {DIR}/kent-medway-places.csv --out-dir km/\n       localcare allocate --ruleset england-icb-2024 --needs km/needs.csv --budget core=£3.5bn --budget primary_medical_care=£300m --format text km/footprint.csv"
    )?;
    Ok(())
}
