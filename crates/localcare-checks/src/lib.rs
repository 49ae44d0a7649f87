//! The fuzz checks: each takes arbitrary bytes, drives one part of localcare with them
//! and asserts what must hold whatever the input (no panic, and every invariant of
//! docs/invariants.md that applies). The cargo-fuzz targets in `fuzz/` call these, and
//! `tests/replay.rs` runs every committed corpus file and past crash through them on
//! stable Rust, in the README's test command.
//!
//! A check panics on a violated invariant: that is the fuzzer's signal.
#![forbid(unsafe_code)]

use localcare::Ruleset;
use localcare::allocate::{Need, Needs, Scenario};
use localcare::footprint::{Footprint, FootprintUnit};
use localcare::money::{apportion, parse_decimal, parse_money};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare_tables::spec::Face;
use localcare_tables::{csv, read, write};

mod bridge;
mod draw;
mod fixtures;
mod register;
mod search;
mod shift;
mod stroke_maps;
mod sweep;
mod writers;

pub use bridge::bridge;
pub use register::register;
pub use search::search;
pub use shift::shift;
pub use stroke_maps::stroke_maps_loader;
pub use sweep::sweep;
pub use writers::writers;

/// A check: bytes in, a panic when an invariant breaks.
pub type Check = fn(&[u8]);

/// The checks by name, as the fuzz targets and corpus folders are named.
pub const CHECKS: [(&str, Check); 13] = [
    ("ruleset", ruleset),
    ("money", money),
    ("tables", tables),
    ("allocate", allocate),
    ("settle", settle),
    ("appraise", appraise),
    ("shift", shift),
    ("register", register),
    ("sweep", sweep),
    ("writers", writers),
    ("search", search),
    ("bridge", bridge),
    ("stroke_maps", stroke_maps_loader),
];

/// Reads fixed-size numbers from the front of the input, zeros when it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }
    fn i64(&mut self) -> i64 {
        self.u64() as i64
    }
}

/// Ruleset text (TOML when the first byte is even, else JSON): loads or is refused with
/// an error, never a panic; a loaded ruleset survives its JSON round trip unchanged.
pub fn ruleset(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let loaded = if kind % 2 == 0 {
        Ruleset::from_toml_str(&text)
    } else {
        Ruleset::from_json_str(&text)
    };
    if let Ok(rs) = loaded {
        let again = Ruleset::from_json_str(&rs.to_json_string())
            .unwrap_or_else(|e| panic!("a loaded ruleset's JSON does not load: {e}"));
        assert_eq!(again, rs, "the JSON round trip changed the ruleset");
    }
}

/// Money and decimal text, and apportionment: money is never negative; parts add up to
/// the amount exactly, none negative, and the split does not depend on the order the
/// parts are given in.
pub fn money(data: &[u8]) {
    let mut b = Bytes(data);
    let amount = b.i64().checked_abs().unwrap_or(i64::MAX) % 1_000_000_000_000_000;
    let n = usize::from(b.u8() % 16);
    let weights: Vec<u64> = (0..n).map(|_| b.u64() >> (b.u8() % 64)).collect();
    let text = String::from_utf8_lossy(b.0);
    if let Ok(p) = parse_money(&text) {
        assert!(p >= 0, "parse_money({text:?}) = {p}");
    }
    if let Some(d) = parse_decimal(&text) {
        assert_eq!(
            parse_decimal(&d.to_string()),
            Some(d),
            "{text:?} does not read back"
        );
    }
    let keys: Vec<u32> = (0..n as u32).collect();
    if let Ok(parts) = apportion(amount, &weights, &keys) {
        assert_eq!(parts.iter().sum::<i64>(), amount, "apportion lost pence");
        assert!(parts.iter().all(|&p| p >= 0), "a negative part");
        // The same weights and keys in reverse order give each key the same part.
        let rw: Vec<u64> = weights.iter().rev().copied().collect();
        let rk: Vec<u32> = keys.iter().rev().copied().collect();
        let rev = apportion(amount, &rw, &rk).expect("the reversed split fails");
        let back: Vec<i64> = rev.into_iter().rev().collect();
        assert_eq!(back, parts, "the split depends on order");
    }
}

/// A CSV file read as one of the input tables (by the first byte): read or refused with
/// an error naming the table, never a panic; what reads goes through the core.
pub fn tables(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(file) = csv::read(rest) else {
        return;
    };
    let rs = Ruleset::default_builtin();
    let t = &file.table;
    match kind % 5 {
        0 => {
            if let Ok(units) = read::units(t, &rs) {
                let out = write::classification(&rs, &units, true, Face::Cli);
                assert_eq!(out.num_rows(), t.rows());
                csv::write(&out);
            }
        }
        1 => {
            if let Ok(fp) = read::footprint(t) {
                let report = rs.validate(&fp);
                csv::write(&write::findings(&report, Face::Cli));
            }
        }
        2 => {
            if let Ok(needs) = read::needs(t, &rs) {
                let _ = rs.allocate(&example(), 100_000_000, &needs, Vec::new());
            }
        }
        3 => {
            if let Ok(baselines) = read::baselines(t) {
                let _ = rs.allocate(&example(), 100_000_000, &Needs::default(), baselines);
            }
        }
        _ => {
            if let Ok(inputs) = read::settlement_inputs(t) {
                if let Ok(s) = rs.settle_batch(&inputs) {
                    csv::write(&write::settlements(&s, Face::Cli));
                }
            }
        }
    }
}

/// A small valid footprint: two ACOs of three hubs of one practice.
fn example() -> Footprint {
    const HUB: &[&str] = &["mdt", "mental_health", "seven_day"];
    const ACO: &[&str] = &["population_accountability", "capitated_budget"];
    let mut u = Vec::new();
    for a in 0..2 {
        u.push(FootprintUnit::aggregate(&format!("A{a}"), None, "aco", ACO));
        for h in 0..3 {
            let hub = format!("A{a}H{h}");
            u.push(FootprintUnit::aggregate(
                &hub,
                Some(&format!("A{a}")),
                "mcp_hub",
                HUB,
            ));
            u.push(FootprintUnit::practice(
                &format!("{hub}P"),
                &hub,
                150_000,
                &[],
            ));
        }
    }
    Footprint::new(u)
}

/// An allocation over an arbitrary tree, needs, baselines and budget, under the built-in
/// ruleset: refused with an error, or money conserved at every node, nothing negative,
/// and the same result whatever the row order.
pub fn allocate(data: &[u8]) {
    const HUB: &[&str] = &["mdt", "mental_health", "seven_day"];
    const ACO: &[&str] = &["population_accountability", "capitated_budget"];
    let mut b = Bytes(data);
    let rs = Ruleset::default_builtin();
    let mut units = Vec::new();
    let mut needs = Needs::new();
    let acos = 1 + usize::from(b.u8() % 4);
    for a in 0..acos {
        units.push(FootprintUnit::aggregate(&format!("A{a}"), None, "aco", ACO));
        for h in 0..1 + usize::from(b.u8() % 5) {
            let hub = format!("A{a}H{h}");
            units.push(FootprintUnit::aggregate(
                &hub,
                Some(&format!("A{a}")),
                "mcp_hub",
                HUB,
            ));
            for p in 0..1 + usize::from(b.u8() % 6) {
                let id = format!("{hub}P{p}");
                let pop = u64::from(b.u32() % 400_000);
                units.push(FootprintUnit::practice(&id, &hub, pop, &[]));
                if b.u8() % 2 == 0 {
                    needs.push(
                        id,
                        Need {
                            need_index: Some(Decimal::new(i64::from(b.u32() % 5_000), 3)),
                            ..Need::default()
                        },
                    );
                }
            }
        }
    }
    let budget = b.i64() % 10_000_000_000_000;
    let baselines: Vec<(String, i64)> = if b.u8() % 2 == 0 {
        (0..acos)
            .map(|a| (format!("A{a}"), b.i64() % 10_000_000_000_000))
            .collect()
    } else {
        Vec::new()
    };
    let fp = Footprint::new(units.clone());
    let Ok(prepared) = rs.prepare(&fp, &needs) else {
        return;
    };
    let scenario = Scenario::budget(budget).with_baselines(baselines.clone());
    let Ok(a) = prepared.allocate(&scenario) else {
        return;
    };
    let rows: Vec<_> = a.rows().collect();
    for r in &rows {
        assert!(r.allocation_pence >= 0, "{} is negative", r.unit_id);
        let children: i64 = rows
            .iter()
            .filter(|c| c.parent_id == Some(r.unit_id))
            .map(|c| c.allocation_pence)
            .sum();
        if rows.iter().any(|c| c.parent_id == Some(r.unit_id)) {
            assert_eq!(
                children + r.retained_pence,
                r.allocation_pence,
                "money not conserved at {}",
                r.unit_id
            );
        }
    }
    let top: i64 = rows
        .iter()
        .filter(|r| r.parent_id.is_none())
        .map(|r| r.allocation_pence)
        .sum();
    assert_eq!(top, budget, "the ACOs and pots do not add up to the budget");
    // Row order never moves a penny.
    units.reverse();
    let again = rs
        .allocate(&Footprint::new(units), budget, &needs, baselines)
        .expect("reversed rows are refused");
    let key = |a: &localcare::Allocation| {
        let mut v: Vec<(String, i64)> = a
            .rows()
            .map(|r| (r.unit_id.to_string(), r.allocation_pence))
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&again), key(&a), "row order moved money");
}

/// The built-in ruleset, then the same with each MSSP preset as its settlement policy;
/// parsed once, not per input.
fn settlement_rulesets() -> &'static [Ruleset; 4] {
    static RULESETS: std::sync::OnceLock<[Ruleset; 4]> = std::sync::OnceLock::new();
    RULESETS.get_or_init(|| {
        let builtin = Ruleset::default_builtin();
        let text = Ruleset::builtin_toml("kent-medway-2017").unwrap_or_default();
        let start = text.find("[settlement]").unwrap_or(text.len());
        let end = text[start..]
            .find("\n[shift")
            .or_else(|| text[start..].find("\n[payments"))
            .map_or(text.len(), |e| start + e);
        let with = |preset: &str| {
            let rest = format!(
                "{}[settlement]\npreset = \"{preset}\"\nquality_threshold = \"0.3\"\n{}",
                &text[..start],
                &text[end..]
            );
            Ruleset::from_toml_str(&rest).unwrap_or_else(|_| builtin.clone())
        };
        [
            builtin.clone(),
            with("mssp-2026-basic-a"),
            with("mssp-2026-basic-e"),
            with("mssp-2026-enhanced"),
        ]
    })
}

/// Settlement of arbitrary numbers under every built-in settlement policy: refused
/// with an error, or the amount within its cap, and never more paid for less saved.
pub fn settle(data: &[u8]) {
    let mut b = Bytes(data);
    let benchmark = b.i64();
    let actual = b.i64();
    let population = u64::from(b.u32());
    let quality = Decimal::new(i64::from(b.u8() % 101), 2);
    let revenue = (b.u8() % 2 == 0).then(|| b.i64());
    let preset = usize::from(b.u8() % 3);
    let input = |actual_pence| SettlementInput {
        unit_id: "X".into(),
        benchmark_pence: benchmark,
        actual_pence,
        assigned_population: population,
        quality,
        participant_revenue_pence: revenue,
    };
    let rulesets = settlement_rulesets();
    for rs in [&rulesets[0], &rulesets[1 + preset]] {
        let Ok(s) = rs.settle(&input(actual)) else {
            continue;
        };
        assert!(
            s.final_pence.abs() <= s.cap_pence.abs().max(s.amount_before_cap_pence.abs()),
            "final {} beyond cap {}",
            s.final_pence,
            s.cap_pence
        );
        if s.capped {
            assert!(
                s.final_pence.abs() <= s.cap_pence.abs(),
                "capped above the cap"
            );
        }
        // Spending a penny more never pays more.
        if let Some(more) = actual.checked_add(1) {
            if let Ok(t) = rs.settle(&input(more)) {
                assert!(
                    t.final_pence <= s.final_pence,
                    "spending more paid more: {} then {}",
                    s.final_pence,
                    t.final_pence
                );
            }
        }
    }
}

/// The appraisal's ruleset for the fuzzer: volume, travel and share hurdles and three
/// scored criteria; its long list of 1 to 3 sites is clipped at the sites given.
fn appraisal_ruleset(within: &str) -> Ruleset {
    Ruleset::from_toml_str(&format!(
        r#"
schema = 1
id = "fuzz-appraise"
title = "t"
version = "1"
capabilities = {{}}
[[tiers]]
id = "site"
name = "Site"
parents = ["network"]
[[tiers]]
id = "network"
name = "Network"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 1
max_sites = 3
within_minutes = "{within}"
[[appraisal.hurdles]]
id = "volume"
name = "v"
kind = "volume"
min = 3
max = 400
[[appraisal.hurdles]]
id = "travel"
name = "t"
kind = "max_travel"
max = 45
[[appraisal.hurdles]]
id = "near"
name = "n"
kind = "share_within"
minutes = "{within}"
min_share = "0.5"
[[appraisal.criteria]]
id = "access"
name = "a"
weight = "0.5"
measure = "mean_travel"
scale = [10, 20, 30, 40]
[[appraisal.criteria]]
id = "size"
name = "s"
weight = "0.3"
measure = "min_volume"
scale = [120, 90, 60, 30]
[[appraisal.criteria]]
id = "within"
name = "w"
weight = "0.2"
measure = "share_within"
minutes = "{within}"
scale = ["0.9", "0.8", "0.6", "0.4"]
"#
    ))
    .expect("the fuzz appraisal ruleset loads")
}

/// Sites, zones and travel times from bytes: each zone may miss one site (then options
/// have 2 or more sites, so each reaches every zone), times of 0 to 9 decimal places,
/// huge thresholds among them. The appraisal succeeds or is refused, never panics;
/// when it succeeds, the long list equals the same options given explicitly, reversing
/// every table's rows changes nothing, adding a site never lengthens travel, and each
/// option's volumes add up to the zones' patients.
pub fn appraise(data: &[u8]) {
    use localcare::appraise::{
        AppraisalInput, AppraisalOption, AppraisalRequest, Site, TravelTime, Zone,
    };
    let mut b = Bytes(data);
    let n = 1 + usize::from(b.u8() % 6);
    let nz = 1 + usize::from(b.u8() % 8);
    let within = ["20", "30.5", "10000000000", "0"][usize::from(b.u8() % 4)];
    let rs = appraisal_ruleset(within);
    let mut input = AppraisalInput::default();
    for s in 0..n {
        input
            .sites
            .push(Site::new(format!("S{s}"), i64::from(b.u8())));
    }
    let mut missing = false;
    for z in 0..nz {
        input.zones.push(Zone {
            id: format!("Z{z}"),
            strokes: Some(Decimal::new(i64::from(b.u32() % 100_000), b.u32() % 3)),
            population: None,
            in_area: true,
        });
        let miss = usize::from(b.u8()) % (n + 1);
        for s in 0..n {
            if n >= 2 && s == miss {
                missing = true;
                continue;
            }
            let minutes = Decimal::new(i64::from(b.u32() % 100_000_000), b.u32() % 10);
            input.travel.push(TravelTime {
                zone_id: format!("Z{z}"),
                site_id: format!("S{s}"),
                minutes,
            });
        }
    }
    let request = AppraisalRequest {
        sites_per_option: missing.then_some((2, n.min(3))),
        ..AppraisalRequest::default()
    };
    let Ok(long) = rs.appraise(&input, &request) else {
        return;
    };
    let view = |a: &localcare::appraise::Appraisal| -> Vec<String> {
        a.options.iter().map(|o| format!("{o:?}")).collect()
    };
    // The long list against the same options given.
    let given = AppraisalRequest {
        options: Some(
            long.options
                .iter()
                .map(|o| AppraisalOption {
                    id: o.id.clone(),
                    sites: o.site_ids().map(str::to_string).collect(),
                })
                .collect(),
        ),
        ..AppraisalRequest::default()
    };
    let again = rs
        .appraise(&input, &given)
        .expect("the long list's options, given, appraise");
    assert_eq!(view(&long), view(&again), "long list against given options");
    assert_eq!(long.ranking, again.ranking);
    assert_eq!(long.swap, again.swap);
    // Row order.
    let mut reversed = input.clone();
    reversed.sites.reverse();
    reversed.zones.reverse();
    reversed.travel.reverse();
    let back = rs
        .appraise(&reversed, &request)
        .expect("reversed rows appraise");
    assert_eq!(view(&long), view(&back), "row order");
    // Volumes add up; a site more never lengthens travel.
    let by_id: std::collections::HashMap<&str, &localcare::appraise::OptionAppraisal> =
        long.options.iter().map(|o| (o.id.as_str(), o)).collect();
    for o in &long.options {
        let sum: Decimal = o.hasus.iter().map(|h| h.projected_admissions).sum();
        assert_eq!(sum, long.total_patients, "{}: volumes", o.id);
        let zones: usize = o.hasus.iter().map(|h| h.zones).sum();
        assert_eq!(zones, long.zones, "{}: zones", o.id);
        let sites: Vec<&str> = o.site_ids().collect();
        for drop in 0..sites.len() {
            let fewer: Vec<&str> = (0..sites.len())
                .filter(|&i| i != drop)
                .map(|i| sites[i])
                .collect();
            let Some(f) = by_id.get(fewer.join("+").as_str()) else {
                continue;
            };
            assert!(
                o.max_travel_minutes <= f.max_travel_minutes,
                "{}: longest",
                o.id
            );
            assert!(
                o.mean_travel_minutes <= f.mean_travel_minutes,
                "{}: mean",
                o.id
            );
            assert!(o.share_within >= f.share_within, "{}: share within", o.id);
        }
    }
}
