//! Components, budget lines and need indices, on `england-icb-2024`.

use super::*;
use crate::footprint::FootprintUnit;
use proptest::prelude::*;

fn icb() -> Ruleset {
    Ruleset::builtin("england-icb-2024").unwrap()
}

/// Two ICBs: I1 with one place of two practices, I2 with one practice directly.
fn fp() -> Footprint {
    Footprint::new(vec![
        FootprintUnit::aggregate("I1", None, "icb", &[]),
        FootprintUnit::aggregate("I2", None, "icb", &[]),
        FootprintUnit::aggregate("PL1", Some("I1"), "place", &[]),
        FootprintUnit::practice("P1", "PL1", 1000, &[]),
        FootprintUnit::practice("P2", "PL1", 3000, &[]),
        FootprintUnit::practice("P3", "I2", 2000, &[]),
    ])
}

fn need(wps: &[(&str, &str)]) -> Need {
    Need {
        weighted_populations: wps
            .iter()
            .map(|(c, v)| (c.to_string(), v.parse().unwrap()))
            .collect(),
        ..Need::default()
    }
}

fn needs() -> Needs {
    [
        ("P1", "1500.5", "1200"),
        ("P2", "2500.25", "2900.123456789"),
        ("P3", "2000.000000001", "1900"),
    ]
    .iter()
    .map(|(id, core, pmc)| {
        (
            id.to_string(),
            need(&[("core", core), ("primary_medical_care", pmc)]),
        )
    })
    .collect()
}

fn two_lines() -> Scenario {
    Scenario::lines(vec![
        ("core".into(), 100_000),
        ("primary_medical_care".into(), 20_001),
    ])
}

fn pence(a: &Allocation, id: &str) -> i64 {
    a.rows().find(|r| r.unit_id == id).unwrap().allocation_pence
}

/// Hand-worked (exact fractions, largest remainders): core £1,000.00 by wp_core gives
/// I1 4000.75 / 6000.750000001 of it = 66,670.83...p -> 66,671p (the larger
/// remainder), I2 33,329p; I1's down to P1 1500.5 / 4000.75 -> 25,005p, P2 41,666p.
/// Primary medical care £200.01: I1 13,667p, I2 6,334p; P1 4,000p, P2 9,667p.
#[test]
fn two_lines_hand_worked() {
    let a = icb()
        .prepare(&fp(), &needs())
        .unwrap()
        .allocate(&two_lines())
        .unwrap();
    let lines = a.lines();
    assert_eq!(lines.len(), 2);
    let core = &lines[0].allocation;
    let pmc = &lines[1].allocation;
    assert_eq!(
        (lines[0].line.as_str(), lines[0].component.as_str()),
        ("core", "core")
    );
    for (id, c, p) in [
        ("I1", 66_671, 13_667),
        ("I2", 33_329, 6_334),
        ("PL1", 66_671, 13_667),
        ("P1", 25_005, 4_000),
        ("P2", 41_666, 9_667),
        ("P3", 33_329, 6_334),
    ] {
        assert_eq!((pence(core, id), pence(pmc, id)), (c, p), "{id}");
        assert_eq!(pence(&a, id), c + p, "{id}");
    }
    assert_eq!(a.budget_pence(), 120_001);
    assert_eq!(a.aco_pool_pence(), 120_001);
    // The line's weighted population is the given one, exactly.
    let p2 = core.rows().find(|r| r.unit_id == "P2").unwrap();
    assert_eq!(p2.weighted_population_nano, 2_500_250_000_000);
}

#[test]
fn need_indices_hand_worked() {
    let a = icb()
        .prepare(&fp(), &needs())
        .unwrap()
        .allocate(&two_lines())
        .unwrap();
    let core = a.need_indices(Some("core")).unwrap();
    let pmc = a.need_indices(Some("primary_medical_care")).unwrap();
    let at = |v: &[Option<NeedIndex>], id: &str| {
        let q = a.unit_ids().iter().position(|u| u == id).unwrap();
        v[q].unwrap().text()
    };
    // (4000.75 / 4000) / (6000.750000001 / 6000) = 6001125000000 / 6000750000001.
    assert_eq!(at(&core, "I1"), "1.000062492");
    assert_eq!(at(&core, "I2"), "0.999875016");
    assert_eq!(at(&core, "PL1"), "1.000062492");
    assert_eq!(at(&core, "P1"), "1.500312461");
    assert_eq!(at(&core, "P2"), "0.833312503");
    assert_eq!(at(&pmc, "P1"), "1.199975309");
    assert_eq!(at(&pmc, "I1"), "1.025009773");
    assert!((core[0].unwrap().to_f64() - 1.000_062_492_188_31).abs() < 1e-12);
    assert!(a.need_indices(Some("maternity")).is_none());
    // The formula's weighted population (no need given: the population) is average.
    assert_eq!(at(&a.need_indices(None).unwrap(), "P1"), "1.000000000");
}

#[test]
fn explain_lines_snapshot() {
    let a = icb()
        .prepare(&fp(), &needs())
        .unwrap()
        .allocate(&two_lines())
        .unwrap();
    let e = a.explain("P1").unwrap();
    assert_eq!(e.allocation_pence, 29_005);
    assert_eq!(
        e.steps.last().unwrap().pence("allocation_pence"),
        Some(29_005)
    );
    insta::assert_snapshot!("explain_lines", e.to_text());
}

#[test]
fn a_zero_weighted_population_is_a_zero_share() {
    let mut n = needs();
    n = n
        .rows()
        .iter()
        .map(|(id, nd)| {
            let mut nd = nd.clone();
            if id == "P1" {
                nd.weighted_populations.insert("core".into(), Decimal::ZERO);
            }
            (id.clone(), nd)
        })
        .collect();
    let a = icb()
        .prepare(&fp(), &n)
        .unwrap()
        .allocate(&two_lines())
        .unwrap();
    assert_eq!(pence(&a.lines()[0].allocation, "P1"), 0);
}

fn refused(n: Needs) -> String {
    icb().prepare(&fp(), &n).unwrap_err().to_string()
}

fn with(id: &str, comp: &str, value: Option<&str>) -> Needs {
    needs()
        .rows()
        .iter()
        .map(|(u, nd)| {
            let mut nd = nd.clone();
            if u == id {
                match value {
                    Some(v) => nd
                        .weighted_populations
                        .insert(comp.into(), v.parse().unwrap()),
                    None => nd.weighted_populations.remove(comp),
                };
            }
            (u.clone(), nd)
        })
        .collect()
}

#[test]
fn bad_weighted_populations_name_the_practice_and_the_column() {
    assert_eq!(
        refused(with("P2", "core", None)),
        "needs: unit P2: `wp_core` is missing: other practices give it (core services (final) weighted population), so every practice must (an absent value is never filled in)"
    );
    assert_eq!(
        refused(with("P2", "core", Some("-1"))),
        "needs: unit P2: `wp_core` is -1: a weighted population is never negative"
    );
    assert_eq!(
        refused(with("P2", "core", Some("1.0000000001"))),
        "needs: unit P2: `wp_core` is 1.0000000001: more than nine decimal places (billionths of a person) cannot be kept exactly"
    );
    assert_eq!(
        refused(with("P2", "nonsense", Some("1"))),
        "needs: unit P2: `wp_nonsense` is not a weighted population of ruleset england-icb-2024: its components are `wp_community`, `wp_core`, `wp_general_and_acute`, `wp_health_inequalities`, `wp_maternity`, `wp_mental_health`, `wp_prescribing`, `wp_primary_medical_care`, `wp_primary_medical_care_need`"
    );
    // A practice absent from the needs is missing too.
    let n: Needs = needs()
        .rows()
        .iter()
        .filter(|(u, _)| u != "P3")
        .cloned()
        .collect();
    assert!(refused(n).starts_with("needs: unit P3: `wp_core` is missing"));
    // A positive weight on no people.
    let f = Footprint::new(vec![
        FootprintUnit::aggregate("I1", None, "icb", &[]),
        FootprintUnit::practice("P1", "I1", 0, &[]),
        FootprintUnit::practice("P2", "I1", 10, &[]),
    ]);
    let n: Needs = [("P1", "0.5"), ("P2", "10")]
        .iter()
        .map(|(u, v)| (u.to_string(), need(&[("core", v)])))
        .collect();
    assert_eq!(
        icb().prepare(&f, &n).unwrap_err().to_string(),
        "needs: unit P1: `wp_core` is 0.5 but the practice's population is 0: a weighted population needs people to weight"
    );
    // No people and no weight is valid.
    let n: Needs = [("P1", "0"), ("P2", "10")]
        .iter()
        .map(|(u, v)| (u.to_string(), need(&[("core", v)])))
        .collect();
    icb().prepare(&f, &n).unwrap();
}

#[test]
fn bad_scenarios_are_refused() {
    let p = icb().prepare(&fp(), &needs()).unwrap();
    let e = |s: Scenario| p.allocate(&s).unwrap_err().to_string();
    assert_eq!(
        e(Scenario::budget(100)),
        "ruleset england-icb-2024 splits its budget in lines (core, primary_medical_care); give an amount per line (CLI `--budget LINE=AMOUNT`, Python `budget={line: amount}`, Rust `Scenario::lines`)"
    );
    assert!(e(Scenario::lines(vec![("dental".into(), 1)])).starts_with(
        "budget line `dental` is neither a budget line nor a component of ruleset england-icb-2024"
    ));
    assert_eq!(
        e(Scenario::lines(vec![("maternity".into(), 1)])),
        "budget line `maternity` is split by component `maternity`, but the needs give no `wp_maternity` column"
    );
    assert_eq!(
        e(Scenario::lines(vec![
            ("core".into(), 1),
            ("core".into(), 2)
        ])),
        "budget line `core` is given more than once"
    );
    assert!(e(Scenario::lines(vec![("core".into(), -1)])).contains("negative"));
    let mut s = two_lines();
    s.budget_pence += 1;
    assert_eq!(
        e(s),
        "the budget lines add up to 120001 pence, not the scenario's budget of 120002 pence"
    );
    // A component id is a line of the call's own.
    let a = p
        .allocate(&Scenario::lines(vec![("primary_medical_care".into(), 5)]))
        .unwrap();
    assert_eq!(a.budget_pence(), 5);
    // Sweeps run single budgets.
    assert!(matches!(
        p.sweep(&[two_lines()]),
        Err(AllocationError::Scenario { index: 0, source }) if *source == AllocationError::LinesInSweep
    ));
}

#[test]
fn lines_have_their_own_pace_of_change() {
    let p = icb().prepare(&fp(), &needs()).unwrap();
    let s =
        two_lines().with_line_baselines("core", vec![("I1".into(), 60_000), ("I2".into(), 30_000)]);
    let a = p.allocate(&s).unwrap();
    let core = &a.lines()[0].allocation;
    // Growth floor 0, a quarter of the gap closed: I1 60,000 -> 61,667 (toward
    // 66,671), I2 30,000 -> 30,832; 37,501 rebalanced toward the targets.
    assert_eq!(pence(core, "I1") + pence(core, "I2"), 100_000);
    assert!(pence(core, "I1") >= 60_000 && pence(core, "I2") >= 30_000);
    assert_eq!(pence(&a, "I1"), pence(core, "I1") + 13_667);
    assert_eq!(a.baseline_pence(), &[] as &[i64]);
    assert_eq!(
        p.allocate(&two_lines().with_baselines(vec![("I1".into(), 1), ("I2".into(), 1)]))
            .unwrap_err(),
        AllocationError::LineBaselines
    );
}

#[test]
fn a_tier_ruleset_takes_the_icb_policy() {
    let nh = Ruleset::builtin("england-neighbourhood-2025").unwrap();
    let err = nh.prepare(&fp(), &needs()).unwrap_err().to_string();
    assert!(err.contains("--allocation-from RULESET"), "{err}");
    let with = nh.with_allocation_policy_of(&icb()).unwrap();
    assert_eq!(with.allocation_policy().unwrap().budget_lines.len(), 2);
    // It serialises with its policy: read back, the same ruleset.
    assert_eq!(
        Ruleset::from_json_str(&with.to_json_string()).unwrap(),
        with
    );
    // A tier ruleset given a policy as TOML text.
    let text = r#"
        [allocation]
        aco_commissioned_share = "1"
        inequalities_weight = "0"
        pots = []
        [allocation.retained_share]
        integrated_health_organisation = "0.01"
        [allocation.components.core]
        name = "core"
        aliases = ["Final WP"]
        [allocation.budget_lines.core]
        component = "core"
    "#;
    let with = nh.with_allocation_toml(text).unwrap();
    let p = with.allocation_policy().unwrap();
    assert_eq!(p.retained_share[3], "0.01".parse::<Decimal>().unwrap());
    let bad = nh
        .with_allocation_toml("[allocation]\naco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\npots = []\n[allocation.retained_share]\nicb = \"0.5\"\n")
        .unwrap_err()
        .to_string();
    assert!(bad.contains("unknown tier `icb`"), "{bad}");
    // A retained share on a tier the ruleset lacks cannot be moved over.
    let mut pol = icb().allocation_policy().unwrap().clone();
    pol.retained_share[2] = "0.1".parse().unwrap();
    let icb2 = icb().with_allocation_policy(pol).unwrap();
    let e = nh.with_allocation_policy_of(&icb2).unwrap_err().to_string();
    assert!(e.contains("its tier `icb` retains 0.1"), "{e}");
    assert!(nh.with_allocation_policy_of(&nh).is_err());
}

/// A practice: its ICB, its place (or none), population, wp_core and
/// wp_primary_medical_care in billionths.
type Row = (u8, Option<u8>, u32, u64, u64);

/// Random ICBs, places and practices with random weighted populations.
fn arb_case() -> impl Strategy<Value = (Vec<Row>, i64, i64)> {
    (
        proptest::collection::vec(
            (
                0u8..4,
                proptest::option::of(0u8..3),
                1u32..100_000,
                0u64..200_000_000_000_000,
                1u64..200_000_000_000_000,
            ),
            1..30,
        ),
        0i64..1_000_000_000_000,
        0i64..100_000_000_000,
    )
}

fn build(case: &[Row], reverse: bool) -> (Footprint, Needs) {
    let mut units = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut needs = Vec::new();
    for (i, (icb, place, pop, core, pmc)) in case.iter().enumerate() {
        let icb_id = format!("I{icb}");
        if seen.insert(icb_id.clone()) {
            units.push(FootprintUnit::aggregate(&icb_id, None, "icb", &[]));
        }
        let parent = match place {
            Some(p) => {
                let id = format!("L{icb}_{p}");
                if seen.insert(id.clone()) {
                    units.push(FootprintUnit::aggregate(&id, Some(&icb_id), "place", &[]));
                }
                id
            }
            None => icb_id.clone(),
        };
        let id = format!("P{i:03}");
        units.push(FootprintUnit::practice(&id, &parent, u64::from(*pop), &[]));
        let nano = |v: u64| Decimal::from_i128_with_scale(i128::from(v), 9);
        needs.push((
            id,
            Need {
                weighted_populations: [
                    ("core".to_string(), nano(*core)),
                    ("primary_medical_care".to_string(), nano(*pmc)),
                ]
                .into_iter()
                .collect(),
                ..Need::default()
            },
        ));
    }
    if reverse {
        units.reverse();
        needs.reverse();
    }
    (Footprint::new(units), needs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every line is conserved at every node (each line's allocation passes its own
    /// check), the total is the sum of the lines at every unit, the ICBs get exactly the
    /// apportionment of each line by their summed weighted populations, and the order
    /// of the rows changes nothing.
    #[test]
    fn lines_conserve_and_match_exact_apportionment((case, core, pmc) in arb_case()) {
        let (f, n) = build(&case, false);
        let s = Scenario::lines(vec![("core".into(), core), ("primary_medical_care".into(), pmc)]);
        let a = icb().prepare(&f, &n).unwrap().allocate(&s).unwrap();
        let (f2, n2) = build(&case, true);
        let b = icb().prepare(&f2, &n2).unwrap().allocate(&s).unwrap();
        prop_assert_eq!(a.allocation_pence(), b.allocation_pence());
        prop_assert_eq!(a.unit_ids(), b.unit_ids());
        for q in 0..a.unit_count() {
            let sum: i64 = a.lines().iter().map(|l| l.allocation.allocation_pence()[q]).sum();
            prop_assert_eq!(sum, a.allocation_pence()[q]);
        }
        let roots: Vec<usize> = a.rows().enumerate().filter(|(_, r)| r.parent_id.is_none() && r.tier == "icb").map(|(q, _)| q).collect();
        for (l, amount, idx) in [("core", core, 3usize), ("primary_medical_care", pmc, 4usize)] {
            let line = a.lines().iter().find(|x| x.line == l).unwrap();
            // The ICBs' summed weighted populations, from the case itself.
            let w: Vec<u64> = roots.iter().map(|&q| {
                let icb = &a.unit_ids()[q];
                case.iter().filter(|c| &format!("I{}", c.0) == icb).map(|c| if idx == 3 { c.3 } else { c.4 }).sum()
            }).collect();
            let keys: Vec<u32> = (0..w.len() as u32).collect();
            let exact = if w.iter().all(|&x| x == 0) { None } else { Some(crate::money::apportion(amount, &w, &keys).unwrap()) };
            if let Some(exact) = exact {
                let got: Vec<i64> = roots.iter().map(|&q| line.allocation.allocation_pence()[q]).collect();
                prop_assert_eq!(got, exact);
            }
        }
    }
}

/// Populations as published are fractional: a practice of under one person with a
/// weighted population splits exactly, and its need index is exact.
#[test]
fn fractional_populations_and_weighted_populations() {
    use crate::Population;
    let f = Footprint::new(vec![
        FootprintUnit::aggregate("I1", None, "icb", &[]),
        FootprintUnit::practice_exact(
            "P1",
            "I1",
            "0.081775254".parse::<Population>().unwrap(),
            &[],
        ),
        FootprintUnit::practice_exact(
            "P2",
            "I1",
            "4068.906409".parse::<Population>().unwrap(),
            &[],
        ),
    ]);
    let n: Needs = [("P1", "0.1"), ("P2", "4068.888184254")]
        .iter()
        .map(|(u, v)| (u.to_string(), need(&[("core", v)])))
        .collect();
    let a = icb()
        .prepare(&f, &n)
        .unwrap()
        .allocate(&Scenario::lines(vec![("core".into(), 100_000_000)]))
        .unwrap();
    let core = &a.lines()[0].allocation;
    // 1e8 x 0.1 / 4068.988184254 = 2,457.61p -> 2,458 (the larger remainder).
    assert_eq!(pence(core, "P1"), 2_458);
    assert_eq!(pence(core, "P1") + pence(core, "P2"), 100_000_000);
    let ni = a.need_indices(Some("core")).unwrap();
    let q = a.unit_ids().iter().position(|u| u == "P1").unwrap();
    // (0.1 / 0.081775254) / (4068.988184254 / 4068.988184254) = 1.2228638262...
    assert_eq!(ni[q].unwrap().text(), "1.222863826");
}
