use super::*;
use proptest::prelude::*;

fn input(bench_dollars: i64, actual_dollars: i64, pop: u64, quality: &str) -> SettlementInput {
    SettlementInput {
        unit_id: "ACO1".into(),
        benchmark_pence: bench_dollars * 100,
        actual_pence: actual_dollars * 100,
        assigned_population: pop,
        quality: quality.parse().unwrap(),
        participant_revenue_pence: None,
    }
}

/// 42 CFR 425.610 (Track 3) shape: two-sided, sharing 75% x quality, MSR and MLR 2%,
/// loss sharing 1 - 0.75 x quality bounded to [0.40, 0.75], caps 20% and 15%.
fn two_sided() -> Ruleset {
    let text = Ruleset::builtin_toml("kent-medway-2017").unwrap();
    let start = text.find("[settlement]").unwrap();
    let text = format!(
        "{}{}",
        &text[..start],
        r#"[settlement]
sides = "two_sided"
sharing_rate = "0.75"
quality_threshold = "0.30"
savings_cap = "0.20"
minimum_savings_rate = "0.02"
minimum_population = 5000
[settlement.losses]
minimum_loss_rate = "0.02"
sharing_rate_min = "0.40"
sharing_rate_max = "0.75"
cap = "0.15"
"#
    );
    Ruleset::from_toml_str(&text).unwrap()
}

#[test]
fn golden_one_sided_msr_table() {
    let rs = Ruleset::default_builtin();
    let s = rs
        .settle(&input(120_000_000, 115_800_000, 12_000, "0.90"))
        .unwrap();
    assert_eq!(s.final_pence, 1_890_000 * 100);
    assert!(s.minimum_rate_met && s.quality_gate_passed && !s.capped);
    // 3.0% - 0.3% x 2,000 / 4,999 = 2.87998%
    assert_eq!(s.minimum_rate.round_dp(6), "0.028800".parse().unwrap());
    insta::assert_snapshot!("golden_one_sided", s.explanation.join("\n"));
}

#[test]
fn two_sided_vectors_from_the_regulation() {
    let rs = two_sided();
    let cases = [
        // (actual $, quality, final $): benchmark $100m, 20,000 assigned.
        (104_000_000, "0.80", -1_600_000), // loss 4% >= 2%; 1 - 0.75 x 0.8 = 0.40; 4m x 0.40
        (104_000_000, "0.20", -3_000_000), // 1 - 0.15 = 0.85, bounded to 0.75; 4m x 0.75
        (101_500_000, "0.80", 0),          // loss 1.5% below the 2% minimum loss rate
        (90_000_000, "0.90", 6_750_000),   // savings 10%; 0.75 x 0.9 = 0.675; 10m x 0.675
        (60_000_000, "1", 20_000_000),     // 40m x 0.75 = 30m, capped at 20% of 100m
        (130_000_000, "0", -15_000_000),   // 30m x 0.75 = 22.5m, capped at 15% of 100m
        (90_000_000, "0.20", 0),           // savings, but quality below the 0.30 gate
    ];
    for (actual, q, expected) in cases {
        let s = rs.settle(&input(100_000_000, actual, 20_000, q)).unwrap();
        assert_eq!(
            s.final_pence,
            expected * 100,
            "actual {actual}, quality {q}: {:#?}",
            s.explanation
        );
    }
    let s = rs
        .settle(&input(100_000_000, 104_000_000, 20_000, "0.20"))
        .unwrap();
    insta::assert_snapshot!("two_sided_loss", s.explanation.join("\n"));
}

#[test]
fn one_sided_shares_no_loss() {
    let s = Ruleset::default_builtin()
        .settle(&input(100_000_000, 110_000_000, 20_000, "1"))
        .unwrap();
    assert_eq!(s.final_pence, 0);
    assert_eq!(s.savings_pence, -10_000_000 * 100);
}

#[test]
fn bad_inputs_are_clear_errors() {
    let rs = Ruleset::default_builtin();
    let e = |i: SettlementInput| rs.settle(&i).unwrap_err().to_string();
    assert_eq!(
        e(input(100, 90, 20_000, "1.5")),
        "ACO1: `quality` is 1.5; expected a score in [0, 1]"
    );
    assert_eq!(
        e(input(-100, 90, 20_000, "0.5")),
        "ACO1: `benchmark` is -10000 pence; expected a positive benchmark"
    );
    assert_eq!(
        e(input(100, -1, 20_000, "0.5")),
        "ACO1: `actual` is -100 pence; expected 0 or more"
    );
    assert_eq!(
        e(input(100, 90, 4_999, "0.5")),
        "ACO1: `assigned_population` is 4,999; the policy settles populations of 5,000 or more"
    );
    let batch = rs
        .settle_batch(&[input(100, 90, 20_000, "0.5"), input(100, 90, 20_000, "2")])
        .unwrap_err();
    assert!(
        batch.to_string().starts_with("row 1: ACO1: `quality`"),
        "{batch}"
    );
}

proptest! {
    #[test]
    fn more_savings_never_pays_less(bench in 1i64..1_000_000_000_000, a in 0i64..2_000_000_000_000, d in 0i64..1_000_000_000, pop in 5_000u64..100_000, q in 0u32..=100) {
        for rs in [Ruleset::default_builtin(), two_sided()] {
            let mk = |actual: i64| SettlementInput { unit_id: "X".into(), benchmark_pence: bench, actual_pence: actual, assigned_population: pop, quality: Decimal::new(i64::from(q), 2), participant_revenue_pence: None };
            let worse = rs.settle(&mk(a)).unwrap();
            let better = rs.settle(&mk((a - d).max(0))).unwrap();
            prop_assert!(better.final_pence >= worse.final_pence);
        }
    }

    #[test]
    fn higher_quality_never_pays_less_nor_owes_more(bench in 1i64..1_000_000_000_000, a in 0i64..2_000_000_000_000, pop in 5_000u64..100_000, q in 0u32..=100, dq in 0u32..=100) {
        for rs in [Ruleset::default_builtin(), two_sided()] {
            let mk = |q: u32| SettlementInput { unit_id: "X".into(), benchmark_pence: bench, actual_pence: a, assigned_population: pop, quality: Decimal::new(i64::from(q.min(100)), 2), participant_revenue_pence: None };
            prop_assert!(rs.settle(&mk(q + dq)).unwrap().final_pence >= rs.settle(&mk(q)).unwrap().final_pence);
        }
    }

    #[test]
    fn caps_always_hold(bench in 1i64..1_000_000_000_000, a in 0i64..4_000_000_000_000, pop in 5_000u64..100_000, q in 0u32..=100) {
        let rs = two_sided();
        let s = rs.settle(&SettlementInput { unit_id: "X".into(), benchmark_pence: bench, actual_pence: a, assigned_population: pop, quality: Decimal::new(i64::from(q), 2), participant_revenue_pence: None }).unwrap();
        let b = i128::from(bench);
        prop_assert!(i128::from(s.final_pence) * 100 <= b * 20 + 100);
        prop_assert!(i128::from(s.final_pence) * 100 >= -(b * 15) - 100);
    }
}

/// A tiers-only ruleset settling under a preset, with the vectors' quality stand-ins.
fn preset(name: &str, extra: &str) -> Ruleset {
    let text = format!(
        "{}\n[settlement]\npreset = \"{name}\"\nquality_threshold = \"0.30\"\nquality_standard = \"0.80\"\n{extra}",
        Ruleset::builtin_toml("england-pcn-2019").unwrap()
    );
    Ruleset::from_toml_str(&text).unwrap()
}

fn with_revenue(mut i: SettlementInput, dollars: i64) -> SettlementInput {
    i.participant_revenue_pence = Some(dollars * 100);
    i
}

#[test]
fn mssp_2026_explanations() {
    let e = preset("mssp-2026-basic-e", "symmetric_msr_mlr = \"0.02\"");
    let s = e
        .settle(&with_revenue(
            input(100_000_000, 106_000_000, 20_000, "0.90"),
            15_000_000,
        ))
        .unwrap();
    assert_eq!(s.final_pence, -1_200_000 * 100);
    insta::assert_snapshot!("basic_e_revenue_loss_limit", s.explanation.join("\n"));
    let n = preset("mssp-2026-enhanced", "symmetric_msr_mlr = \"population\"");
    let s = n
        .settle(&input(100_000_000, 104_000_000, 20_000, "0.60"))
        .unwrap();
    assert_eq!(s.final_pence, -2_200_000 * 100);
    insta::assert_snapshot!("enhanced_quality_scaled_loss", s.explanation.join("\n"));
    let a = preset("mssp-2026-basic-a", "");
    let s = a
        .settle(&with_revenue(
            input(120_000_000, 117_000_000, 12_000, "0.90"),
            30_000_000,
        ))
        .unwrap();
    assert_eq!(s.final_pence, 600_000 * 100);
    insta::assert_snapshot!("low_revenue_below_msr", s.explanation.join("\n"));
}

#[test]
fn revenue_is_checked() {
    let e = preset("mssp-2026-basic-e", "symmetric_msr_mlr = \"0\"");
    let err = e
        .settle(&with_revenue(input(100, 110, 20_000, "0.5"), -1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ACO1: `participant_revenue` is -100 pence; expected 0 or more"
    );
    // Savings need no revenue under a revenue-based loss limit.
    assert!(e.settle(&input(100, 90, 20_000, "0.5")).is_ok());
}

fn presets_under_test() -> Vec<Ruleset> {
    vec![
        preset("mssp-2026-basic-a", ""),
        preset("mssp-2026-basic-c", "symmetric_msr_mlr = \"population\""),
        preset("mssp-2026-basic-e", "symmetric_msr_mlr = \"0.02\""),
        preset("mssp-2026-enhanced", "symmetric_msr_mlr = \"0.005\""),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn presets_hold_their_limits_and_are_monotone(bench in 1i64..1_000_000_000_000, a in 0i64..2_000_000_000_000, d in 0i64..1_000_000_000, rev in 0i64..1_000_000_000_000, pop in 5_000u64..100_000, q in 0u32..=100, dq in 0u32..=100) {
        for rs in presets_under_test() {
            let p = rs.settlement_policy().unwrap().clone();
            let mk = |actual: i64, q: u32| SettlementInput { unit_id: "X".into(), benchmark_pence: bench, actual_pence: actual, assigned_population: pop, quality: Decimal::new(i64::from(q.min(100)), 2), participant_revenue_pence: Some(rev) };
            let s = rs.settle(&mk(a, q)).unwrap();
            // Shared never above the savings cap; owed never above the loss limit.
            let b = Decimal::from(bench);
            prop_assert!(Decimal::from(s.final_pence) <= (b * p.savings_cap).round() + Decimal::ONE);
            if let Some(l) = &p.losses {
                let mut limit = b * l.cap;
                if let Some(rc) = l.revenue_cap {
                    limit = limit.min(Decimal::from(rev) * rc);
                }
                prop_assert!(Decimal::from(-s.final_pence) <= limit.round() + Decimal::ONE);
            } else {
                prop_assert!(s.final_pence >= 0);
            }
            // Less spend never pays less; higher quality never pays less nor owes more.
            let better = rs.settle(&mk((a - d).max(0), q)).unwrap();
            prop_assert!(better.final_pence >= s.final_pence, "{:?}\n{:?}", s.explanation, better.explanation);
            prop_assert!(rs.settle(&mk(a, q + dq)).unwrap().final_pence >= s.final_pence);
        }
    }
}
