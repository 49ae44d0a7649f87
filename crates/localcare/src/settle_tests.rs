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
