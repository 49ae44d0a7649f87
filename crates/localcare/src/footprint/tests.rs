use super::*;
use proptest::prelude::*;

fn rs() -> Ruleset {
    Ruleset::default_builtin()
}

const HUB: &[&str] = &["mdt", "mental_health", "seven_day"];
const ACO: &[&str] = &["population_accountability", "capitated_budget"];
const T1: &[&str] = &["enhanced_in_hours", "extended_hours"];

/// One ACO of three hubs, each one practice of 150,000: 450,000 people, which allows
/// exactly one ACO. Clean: its only finding is the LC304 statement of the ACO range.
fn clean() -> Vec<FootprintUnit> {
    vec![
        FootprintUnit::aggregate("A1", None, "aco", ACO),
        FootprintUnit::aggregate("H1", Some("A1"), "mcp_hub", HUB),
        FootprintUnit::aggregate("H2", Some("A1"), "mcp_hub", HUB),
        FootprintUnit::aggregate("H3", Some("A1"), "mcp_hub", HUB),
        FootprintUnit::practice("P1", "H1", 150_000, &[]),
        FootprintUnit::practice("P2", "H2", 150_000, &[]),
        FootprintUnit::practice("P3", "H3", 150_000, &[]),
    ]
}

fn codes(report: &Report) -> Vec<&'static str> {
    let mut c: Vec<&str> = report.findings().iter().map(|f| f.code.as_str()).collect();
    c.dedup();
    c
}

fn set(units: &mut [FootprintUnit], id: &str, f: impl FnOnce(&mut FootprintUnit)) {
    f(units.iter_mut().find(|u| u.unit_id == id).unwrap())
}

/// The PCN-shaped footprint of `england-pcn-2019`: networks of 30,000 - 50,000 are in
/// the advisory band; N2 (22,000) and N3 (61,000) are outside it.
const PCN: &[&str] = &[
    "network_agreement",
    "clinical_director",
    "extended_hours_access",
];
fn pcn_footprint() -> Vec<FootprintUnit> {
    vec![
        FootprintUnit::aggregate("N1", None, "pcn", PCN),
        FootprintUnit::practice("N1P1", "N1", 12_000, &[]),
        FootprintUnit::practice("N1P2", "N1", 9_500, &["extended_hours_access"]),
        FootprintUnit::practice("N1P3", "N1", 18_500, &[]),
        FootprintUnit::aggregate("N2", None, "pcn", PCN),
        FootprintUnit::practice("N2P1", "N2", 22_000, &[]),
        FootprintUnit::aggregate("N3", None, "pcn", PCN),
        FootprintUnit::practice("N3P1", "N3", 31_000, &[]),
        FootprintUnit::practice("N3P2", "N3", 30_000, &[]),
    ]
}

/// The ruleset a code's trigger is read with: advisory bands need one that has them.
fn ruleset_for(code: Code) -> Ruleset {
    match code {
        Code::OutsideAdvisoryBand => Ruleset::builtin("england-pcn-2019").unwrap(),
        _ => rs(),
    }
}

/// For every code, a footprint that triggers it (read with [`ruleset_for`]).
fn trigger(code: Code) -> Vec<FootprintUnit> {
    let mut u = clean();
    match code {
        Code::OutsideAdvisoryBand => u = pcn_footprint(),
        Code::DuplicateUnitId => u.push(FootprintUnit::practice("P3", "H3", 150_000, &[])),
        Code::UnknownParent => set(&mut u, "P3", |p| p.parent_id = Some("H9".into())),
        Code::Cycle => {
            set(&mut u, "H1", |h| h.parent_id = Some("H3".into()));
            set(&mut u, "H2", |h| h.parent_id = Some("H1".into()));
            set(&mut u, "H3", |h| h.parent_id = Some("H2".into()));
        }
        Code::ParentTierNotAllowed => set(&mut u, "P3", |p| p.parent_id = Some("A1".into())),
        Code::MissingParent => set(&mut u, "H3", |h| h.parent_id = None),
        Code::UnknownTier => set(&mut u, "H3", |h| h.declared_tier = "super_hub".into()),
        Code::UnknownCapability => set(&mut u, "P1", |p| p.capabilities = vec!["telepathy".into()]),
        Code::EmptyUnitId => u.push(FootprintUnit::practice("", "H1", 10, &[])),
        Code::PopulationMissing => set(&mut u, "P3", |p| p.population = None),
        // Retired: a population cannot be negative (readers refuse the cell).
        Code::PopulationNegative => {}
        Code::PopulationMismatch => set(&mut u, "H1", |h| {
            h.population = Some(Population::whole(140_000))
        }),
        Code::EmptyAggregate => u.push(FootprintUnit::aggregate("H4", Some("A1"), "mcp_hub", HUB)),
        Code::BandNotMet => set(&mut u, "P1", |p| {
            p.population = Some(Population::whole(210_000))
        }),
        Code::CapabilityNotMet => set(&mut u, "H1", |h| h.capabilities = vec!["mdt".into()]),
        Code::PopulationOverflow => {
            set(&mut u, "P1", |p| {
                p.population = Some(Population::whole(i64::MAX as u64))
            });
            set(&mut u, "P2", |p| {
                p.population = Some(Population::whole(i64::MAX as u64))
            });
            set(&mut u, "P3", |p| {
                p.population = Some(Population::whole(i64::MAX as u64))
            });
        }
        Code::QualifiesHigher => {
            set(&mut u, "P1", |p| {
                p.population = Some(Population::whole(50_000))
            });
            set(&mut u, "P1", |p| {
                p.capabilities = T1.iter().map(|s| s.to_string()).collect()
            });
            u.push(FootprintUnit::practice("P4", "H1", 100_000, &[]));
        }
        Code::NotCovered => {
            u.push(FootprintUnit::aggregate("H4", None, "mcp_hub", HUB));
            u.push(FootprintUnit::practice("P4", "H4", 60_000, &[]));
        }
        Code::AcoCountInfeasible => {
            for (a, h, p) in [("A2", "H4", "P4"), ("A3", "H5", "P5")] {
                u.push(FootprintUnit::aggregate(a, None, "aco", ACO));
                u.push(FootprintUnit::aggregate(h, Some(a), "mcp_hub", HUB));
                u.push(FootprintUnit::practice(p, h, 1, &[]));
            }
        }
        Code::NoFeasibleAcoCount => {
            // 300,000 people: too few for even one ACO of 400,000-800,000.
            for p in ["P1", "P2", "P3"] {
                set(&mut u, p, |p| {
                    p.population = Some(Population::whole(100_000))
                });
            }
        }
        Code::AcoCountRange => {}
        Code::BandOverlap => set(&mut u, "P1", |p| {
            p.population = Some(Population::whole(55_000))
        }),
        Code::BandGap => set(&mut u, "P1", |p| {
            p.population = Some(Population::whole(250_000))
        }),
    }
    u
}

#[test]
fn the_clean_footprint_has_no_finding_but_the_range() {
    let r = rs().validate(&Footprint::new(clean()));
    assert_eq!(codes(&r), ["LC304"]);
    assert_eq!(
        r.aco_count_range(),
        Some(AcoCountRange::Feasible {
            min: 1,
            max: Some(1)
        })
    );
    assert!(!r.has_errors());
}

#[test]
fn every_code_is_triggered_and_snapshotted() {
    let rs = rs();
    for &code in Code::ALL.iter().filter(|&&c| c != Code::PopulationNegative) {
        let r = ruleset_for(code).validate(&Footprint::new(trigger(code)));
        assert!(
            codes(&r).contains(&code.as_str()),
            "{code} not triggered:\n{}",
            r.to_text()
        );
        if code != Code::AcoCountRange {
            let clean = rs.validate(&Footprint::new(clean()));
            assert!(!codes(&clean).contains(&code.as_str()));
        }
        insta::assert_snapshot!(format!("{}_{}", code.as_str(), code.name()), r.to_text());
    }
}

#[test]
fn codes_are_documented() {
    let doc = include_str!("../../../../docs/findings.md");
    for &code in Code::ALL {
        let row = format!(
            "| {} | `{}` | {} |",
            code.as_str(),
            code.name(),
            code.severity()
        );
        assert!(
            doc.contains(&row),
            "docs/findings.md lacks the row starting {row}"
        );
        assert_eq!(Code::parse(code.as_str()), Some(code));
    }
}

#[test]
fn a_three_cycle_and_a_duplicate_are_named() {
    let mut u = trigger(Code::Cycle);
    u.push(FootprintUnit::practice("P1", "H1", 5, &[]));
    let r = rs().validate(&Footprint::new(u));
    let text = r.to_text();
    assert!(
        text.contains("LC103 H1: parent links form a cycle of 3 units: H1 -> H3 -> H2 -> H1"),
        "{text}"
    );
    assert!(
        text.contains("LC101 P1: unit id P1 appears 2 times"),
        "{text}"
    );
}

#[test]
fn the_summary_counts_one_unit_in_the_singular() {
    let r = rs().validate(&Footprint::new(vec![FootprintUnit::aggregate(
        "A1", None, "aco", ACO,
    )]));
    assert!(
        r.summary()
            .starts_with("1 unit, 0 practices, population 0; 1 aco;"),
        "{}",
        r.summary()
    );
}

#[test]
fn a_long_cycle_is_named_by_its_first_twenty_units() {
    let n = 1_000;
    let units: Vec<FootprintUnit> = (0..n)
        .map(|i| {
            let parent = format!("C{:04}", (i + 1) % n);
            FootprintUnit::aggregate(&format!("C{i:04}"), Some(&parent), "mcp_hub", HUB)
        })
        .collect();
    let r = rs().validate(&Footprint::new(units));
    let cycle: Vec<&Finding> = r
        .findings()
        .iter()
        .filter(|f| f.code == Code::Cycle)
        .collect();
    assert_eq!(cycle.len(), 1);
    assert_eq!(
        cycle[0].message,
        format!(
            "parent links form a cycle of 1000 units: {} -> ... (980 more) -> C0000",
            (0..20)
                .map(|i| format!("C{i:04}"))
                .collect::<Vec<_>>()
                .join(" -> ")
        )
    );
}

#[test]
fn an_empty_aggregate_that_gives_a_population_gets_both_findings() {
    let mut u = clean();
    u.push(FootprintUnit {
        population: Some(Population::whole(140_000)),
        ..FootprintUnit::aggregate("H4", Some("A1"), "mcp_hub", HUB)
    });
    let r = rs().validate(&Footprint::new(u));
    let h4: Vec<(&str, &str)> = r
        .findings()
        .iter()
        .filter(|f| f.unit_id.as_deref() == Some("H4"))
        .map(|f| (f.code.as_str(), f.message.as_str()))
        .collect();
    assert!(
        h4.contains(&(
            "LC203",
            "H4 gives population 140,000, but its practices add up to 0; the sum is used"
        )),
        "{h4:?}"
    );
    assert!(h4.iter().any(|(c, _)| *c == "LC204"), "{h4:?}");
}

#[test]
fn a_million_long_chain_validates_without_recursion() {
    let n = 1_000_000;
    let mut units = Vec::with_capacity(n);
    units.push(FootprintUnit::aggregate("U0000000", None, "aco", ACO));
    for i in 1..n {
        units.push(FootprintUnit::aggregate(
            &format!("U{i:07}"),
            Some(&format!("U{:07}", i - 1)),
            "mcp_hub",
            HUB,
        ));
    }
    let r = rs().validate(&Footprint::new(units));
    // Every hub under a hub is misplaced; the deepest is empty. No stack overflow.
    assert_eq!(r.units(), n);
    assert_eq!(
        r.findings()
            .iter()
            .filter(|f| f.code == Code::ParentTierNotAllowed)
            .count(),
        n - 2
    );
}

#[test]
fn the_bundled_example_has_no_errors_and_allows_three_or_four_acos() {
    let text = include_str!("../../../../examples/kent-medway-synthetic.csv");
    let mut units = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        units.push(FootprintUnit {
            unit_id: f[0].into(),
            parent_id: Some(f[1].to_string()).filter(|s| !s.is_empty()),
            declared_tier: f[2].into(),
            population: f[3].parse().ok(),
            capabilities: f[4]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    let r = rs().validate(&Footprint::new(units));
    assert!(!r.has_errors(), "{}", r.to_text());
    assert_eq!(
        r.aco_count_range(),
        Some(AcoCountRange::Feasible {
            min: 3,
            max: Some(4)
        })
    );
    assert_eq!(r.practices(), 249);
}

#[test]
fn a_pcn_footprint_validates_with_advisory_warnings_and_no_errors() {
    let rs = Ruleset::builtin("england-pcn-2019").unwrap();
    let r = rs.validate(&Footprint::new(pcn_footprint()));
    assert!(!r.has_errors(), "{}", r.to_text());
    let warned: Vec<(&str, Option<&str>)> = r
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| (f.code.as_str(), f.unit_id.as_deref()))
        .collect();
    assert_eq!(warned, [("LC209", Some("N2")), ("LC209", Some("N3"))]);
    let n2 = &r
        .findings()
        .iter()
        .find(|f| f.unit_id.as_deref() == Some("N2"))
        .unwrap()
        .message;
    assert!(
        n2.contains("22,000") && n2.contains("30,000–50,000"),
        "{n2}"
    );
    // 123,000 people usually make 3..=4 networks: stated (LC304).
    assert_eq!(codes(&r), ["LC209", "LC304"]);
    assert_eq!(
        r.aco_count_range(),
        Some(AcoCountRange::Feasible {
            min: 3,
            max: Some(4)
        })
    );
    // The advisory band bars no count either: two networks of 61,500 are warned of
    // (LC209), never an LC302 error.
    let mut two = pcn_footprint();
    set(&mut two, "N2P1", |p| p.parent_id = Some("N1".into()));
    set(&mut two, "N1P1", |p| {
        p.population = Some(Population::whole(33_500))
    });
    two.retain(|u| u.unit_id != "N2");
    let r = rs.validate(&Footprint::new(two));
    assert!(!r.has_errors(), "{}", r.to_text());
    assert_eq!(codes(&r), ["LC209", "LC304"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn row_order_never_changes_the_findings(code_i in 0..Code::ALL.len(), seed in any::<u64>()) {
        let units = trigger(Code::ALL[code_i]);
        let mut shuffled = units.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let rs = ruleset_for(Code::ALL[code_i]);
        prop_assert_eq!(rs.validate(&Footprint::new(units)), rs.validate(&Footprint::new(shuffled)));
    }
}

/// Fractional populations (NHS England's adjusted ones) compare exactly with whole
/// bands and add up exactly: a hub of 49,999.5 people is below the 50,000 minimum, one of
/// 50,000 in it; the summary shows the fraction.
#[test]
fn fractional_populations_compare_and_sum_exactly() {
    let p = |s: &str| s.parse::<Population>().unwrap();
    let mut u = clean();
    set(&mut u, "P1", |x| x.population = Some(p("49999.25")));
    set(&mut u, "P2", |x| x.population = Some(p("150000.25")));
    u.push(FootprintUnit::practice_exact("P4", "H1", p("0.25"), &[]));
    u.push(FootprintUnit::practice_exact("P5", "H3", p("0.25"), &[]));
    let r = rs().validate(&Footprint::new(u));
    let text = r.to_text();
    assert!(
        text.contains("LC205 H1: H1 is declared mcp_hub but its population 49,999.5 is below the band 50,000–200,000"),
        "{text}"
    );
    assert!(!text.contains("LC205 H2"), "{text}");
    assert!(!text.contains("LC205 H3"), "150,000.25 is in band: {text}");
    assert_eq!(r.total_population(), p("350000"));
    assert!(
        r.summary().contains("population 350,000;"),
        "{}",
        r.summary()
    );
    let fp = Footprint::new(clean());
    let pops = rs().unit_populations(&fp);
    assert_eq!(pops["A1"], Population::whole(450_000));
}

/// The allocation's errors-only resolve keeps exactly the full report's errors, in
/// the same order, for every code's triggering footprint.
#[test]
fn errors_only_keeps_every_error_and_nothing_else() {
    for &code in Code::ALL.iter().filter(|&&c| c != Code::PopulationNegative) {
        let rs = ruleset_for(code);
        let fp = Footprint::new(trigger(code));
        let full = resolve::Resolved::new(&rs, &fp).report(&rs);
        let errors: Vec<&Finding> = full
            .findings()
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let only = resolve::Resolved::errors_only(&rs, &fp).report(&rs);
        let kept: Vec<&Finding> = only.findings().iter().collect();
        assert_eq!(kept, errors, "{code}");
    }
}
