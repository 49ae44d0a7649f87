use super::*;
use proptest::prelude::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn rs() -> Ruleset {
    Ruleset::default_builtin()
}

/// The built-in ruleset without its `[shift]` table.
fn no_shift() -> Ruleset {
    let text = Ruleset::builtin_toml("kent-medway-2017").unwrap();
    let text = &text[..text.find("[shift]").unwrap()];
    Ruleset::from_toml_str(text).unwrap()
}

/// The built-in ruleset with a two-sided settlement (42 CFR 425.610 shape), shift kept.
fn two_sided() -> Ruleset {
    let text = Ruleset::builtin_toml("kent-medway-2017").unwrap();
    let (settle_at, shift_at) = (
        text.find("[settlement]").unwrap(),
        text.find("[shift]").unwrap(),
    );
    let text = format!(
        "{}{}{}",
        &text[..settle_at],
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

"#,
        &text[shift_at..]
    );
    Ruleset::from_toml_str(&text).unwrap()
}

/// 1,000 beds for 365 days: 250,000 admissions, 40% avoided, 3.65 bed days each, every
/// bed full, nothing reinvested.
fn thousand_beds() -> ShiftInput {
    ShiftInput {
        bed_days_per_admission: Some(d("3.65")),
        reduction: Some(Reduction::OfAdmissions(d("0.40"))),
        replacement_cost_pence: Some(0),
        occupancy: Some(d("1")),
        ..ShiftInput::new("ACO1", 250_000)
    }
}

#[test]
fn a_thousand_beds_a_year_at_220_is_80_3_million() {
    let o = rs().shift(&thousand_beds()).unwrap();
    assert_eq!(o.admissions_avoided, d("100000"));
    assert_eq!(o.bed_days_released, d("365000"));
    assert_eq!(o.beds_released, d("1000"));
    assert_eq!(o.gross_savings_pence, 80_300_000_00);
    assert_eq!(o.reinvestment_pence, 0);
    assert_eq!(o.net_savings_pence, 80_300_000_00);
    assert_eq!(o.bed_day_cost_pence, 220_00);
    insta::assert_snapshot!("thousand_beds", o.explanation.join("\n"));
}

#[test]
fn builtin_defaults_from_the_seeds() {
    // 30% of 200,000 = 60,000 avoided; x 5 = 300,000 bed days; / (365 x 0.85) = 966.96
    // beds; x £220 = £66m gross; 60,000 x £500 = £30m reinvested; £36m net.
    let o = rs().shift(&ShiftInput::new("ACO1", 200_000)).unwrap();
    assert_eq!(o.reduction, d("0.3"));
    assert_eq!(o.admissions_avoided, d("60000"));
    assert_eq!(o.bed_days_released, d("300000"));
    assert_eq!(o.beds_released, d("966.96"));
    assert_eq!(o.gross_savings_pence, 66_000_000_00);
    assert_eq!(o.reinvestment_pence, 30_000_000_00);
    assert_eq!(o.net_savings_pence, 36_000_000_00);
    insta::assert_snapshot!("builtin_defaults", o.explanation.join("\n"));
}

#[test]
fn avoided_share_of_the_avoidable_and_a_fixed_cost() {
    // 0.40 x 0.75 = 0.30 of all admissions, as the default; a fixed £1m on top.
    let o = rs()
        .shift(&ShiftInput {
            reduction: Some(Reduction::OfAvoidable(d("0.75"))),
            fixed_cost_pence: Some(1_000_000_00),
            ..ShiftInput::new("ACO2", 123_457)
        })
        .unwrap();
    // 37,037.1 avoided; 185,185.5 bed days; x £220 = £40,740,810.00;
    // reinvested 37,037.1 x £500 + £1m = £19,518,550.00; net £21,222,260.00.
    assert_eq!(o.reduction, d("0.3"));
    assert_eq!(o.admissions_avoided, d("37037.10"));
    assert_eq!(o.bed_days_released, d("185185.50"));
    assert_eq!(o.gross_savings_pence, 40_740_810_00);
    assert_eq!(o.reinvestment_pence, 19_518_550_00);
    assert_eq!(o.net_savings_pence, 21_222_260_00);
    insta::assert_snapshot!("avoided_share_fixed_cost", o.explanation.join("\n"));
}

#[test]
fn money_is_rounded_once_half_away_from_zero() {
    let tiny = |replacement: i64| ShiftInput {
        avoidable_share: Some(d("1")),
        reduction: Some(Reduction::OfAdmissions(d("1"))),
        bed_days_per_admission: Some(d("2.5")),
        bed_day_cost_pence: Some(1),
        replacement_cost_pence: Some(replacement),
        occupancy: Some(d("1")),
        ..ShiftInput::new("U", 1)
    };
    // gross 2.5p -> 3p; net 1.5p -> 2p; reinvestment 3 - 2 = 1p (exactly 1p).
    let o = rs().shift(&tiny(1)).unwrap();
    assert_eq!(
        (
            o.gross_savings_pence,
            o.reinvestment_pence,
            o.net_savings_pence
        ),
        (3, 1, 2)
    );
    // net -0.5p -> -1p (away from zero); reinvestment 3 - (-1) = 4p, a penny off its
    // exact 3p: the documented price of columns that add up.
    let o = rs().shift(&tiny(3)).unwrap();
    assert_eq!(
        (
            o.gross_savings_pence,
            o.reinvestment_pence,
            o.net_savings_pence
        ),
        (3, 4, -1)
    );
    // beds 2.5 / 365 = 0.00685 -> 0.01
    assert_eq!(o.beds_released, d("0.01"));
}

#[test]
fn batch_totals_are_the_sums_of_the_units() {
    let inputs = [
        ShiftInput::new("A1", 200_000),
        thousand_beds(),
        ShiftInput {
            reduction: Some(Reduction::OfAvoidable(d("0.5"))),
            ..ShiftInput::new("A3", 1)
        },
    ];
    let s = rs().shift_batch(&inputs).unwrap();
    let t = &s.totals;
    assert_eq!(t.units, 3);
    assert_eq!(t.emergency_admissions, 450_001);
    assert_eq!(
        t.net_savings_pence,
        s.units.iter().map(|u| u.net_savings_pence).sum::<i64>()
    );
    assert_eq!(
        t.beds_released,
        s.units.iter().map(|u| u.beds_released).sum()
    );
    // A3: 0.2 admissions avoided, 1 bed day, £220 gross, £100 reinvested.
    assert_eq!(s.units[2].gross_savings_pence, 220_00);
    assert_eq!(s.units[2].reinvestment_pence, 100_00);
    assert_eq!(
        t.gross_savings_pence,
        66_000_000_00 + 80_300_000_00 + 220_00
    );
}

#[test]
fn bad_inputs_are_clear_errors_naming_unit_and_field() {
    let rs = rs();
    let e = |i: ShiftInput| rs.shift(&i).unwrap_err().to_string();
    let u = || ShiftInput::new("ACO1", 100_000);
    assert_eq!(
        e(ShiftInput::new("ACO1", -5)),
        "ACO1: `emergency_admissions` is -5; expected 0 or more"
    );
    assert_eq!(
        e(ShiftInput {
            avoidable_share: Some(d("1.2")),
            ..u()
        }),
        "ACO1: `avoidable_share` is 1.2; expected a share in [0, 1]"
    );
    assert_eq!(
        e(ShiftInput {
            reduction: Some(Reduction::OfAdmissions(d("0.5"))),
            ..u()
        }),
        "ACO1: `reduction` is 0.5 of all admissions, above the avoidable share 0.40; a reduction is at most the avoidable share"
    );
    // The ruleset's 30% against a unit's own avoidable share of 20%.
    assert_eq!(
        e(ShiftInput {
            avoidable_share: Some(d("0.20")),
            ..u()
        }),
        "ACO1: `reduction` is 0.30 of all admissions (ruleset default), above the avoidable share 0.20; a reduction is at most the avoidable share"
    );
    assert_eq!(
        e(ShiftInput {
            reduction: Some(Reduction::OfAvoidable(d("-0.1"))),
            ..u()
        }),
        "ACO1: `avoided_share` is -0.1; expected a share of the avoidable admissions in [0, 1]"
    );
    assert_eq!(
        e(ShiftInput {
            occupancy: Some(d("0")),
            ..u()
        }),
        "ACO1: `occupancy` is 0; expected a share of beds occupied in (0, 1]"
    );
    assert_eq!(
        e(ShiftInput {
            bed_day_cost_pence: Some(-1),
            ..u()
        }),
        "ACO1: `bed_day_cost_pence` is -1 pence; expected 0 or more"
    );
    assert_eq!(
        e(ShiftInput {
            replacement_cost_pence: Some(-100),
            ..u()
        }),
        "ACO1: `replacement_cost_pence` is -100 pence; expected 0 or more"
    );
    assert_eq!(
        e(ShiftInput {
            bed_days_per_admission: Some(d("-2")),
            ..u()
        }),
        "ACO1: `bed_days_per_admission` is -2; expected 0 or more"
    );
    assert_eq!(
        e(ShiftInput {
            emergency_admissions: i64::MAX,
            reduction: Some(Reduction::OfAdmissions(d("0.3"))),
            ..u()
        }),
        "ACO1: gross savings is too large to compute exactly"
    );
    assert_eq!(
        Reduction::from_columns("ACO1", Some(d("0.3")), Some(d("0.75")))
            .unwrap_err()
            .to_string(),
        "ACO1: `avoided_share` is given with `reduction`; give one: `reduction` (a share of all admissions) or `avoided_share` (a share of the avoidable ones)"
    );
    let batch = rs
        .shift_batch(&[u(), ShiftInput::new("ACO2", -1)])
        .unwrap_err();
    assert_eq!(
        batch.to_string(),
        "row 1: ACO2: `emergency_admissions` is -1; expected 0 or more"
    );
}

#[test]
fn a_ruleset_without_a_shift_table_loads_but_cannot_shift() {
    let rs = no_shift();
    assert!(rs.shift_policy().is_none());
    let want = "ruleset kent-medway-2017 has no shift policy";
    let u = ShiftInput::new("ACO1", 1);
    assert_eq!(rs.shift(&u).unwrap_err().to_string(), want);
    assert_eq!(
        rs.shift_batch(std::slice::from_ref(&u))
            .unwrap_err()
            .to_string(),
        want
    );
    assert_eq!(rs.break_even_reduction(&u).unwrap_err().to_string(), want);
    assert_eq!(
        rs.reduction_for_target(&[u], 1).unwrap_err().to_string(),
        want
    );
}

#[test]
fn a_missing_parameter_names_the_ruleset() {
    let text = Ruleset::builtin_toml("kent-medway-2017")
        .unwrap()
        .replace("occupancy = \"0.85\"\n", "");
    let rs = Ruleset::from_toml_str(&text).unwrap();
    assert_eq!(
        rs.shift(&ShiftInput::new("H1", 10))
            .unwrap_err()
            .to_string(),
        "H1: `occupancy` is not given, and ruleset kent-medway-2017 has no default for it"
    );
}

#[test]
fn settlement_follows_the_shift() {
    // 50,000 admissions, defaults: 15,000 avoided, net 15,000 x (5 x £220 - £500) = £9m.
    // Benchmark £500m, 500,000 assigned: savings 1.8% against the 2% minimum: nothing.
    let rs = rs();
    let u = ShiftInput::new("ACO1", 50_000);
    let s = rs
        .shift_settle(&u, 500_000_000_00, 500_000, d("0.9"))
        .unwrap();
    assert_eq!(s.outcome.net_savings_pence, 9_000_000_00);
    assert_eq!(s.expected_actual_pence, 491_000_000_00);
    assert!(!s.settlement.minimum_rate_met);
    assert_eq!(s.settlement.final_pence, 0);
    // At 40% of admissions: net £12m = 2.4%, met; shared £12m x 0.5 x 0.9 = £5.4m.
    let u = ShiftInput {
        reduction: Some(Reduction::OfAdmissions(d("0.40"))),
        ..u
    };
    let s = rs
        .shift_settle(&u, 500_000_000_00, 500_000, d("0.9"))
        .unwrap();
    assert_eq!(s.outcome.net_savings_pence, 12_000_000_00);
    assert!(s.settlement.minimum_rate_met);
    assert_eq!(s.settlement.final_pence, 5_400_000_00);
    insta::assert_snapshot!("shift_settle", s.explanation.join("\n"));

    assert_eq!(
        rs.shift_settle(&u, 1_000_00, 500_000, d("0.9"))
            .unwrap_err()
            .to_string(),
        "ACO1: `benchmark_pence` is £1,000.00, less than the net savings £12,000,000.00: the expected actual spend would be negative"
    );
    assert_eq!(
        rs.shift_settle(&u, 500_000_000_00, 500_000, d("1.5"))
            .unwrap_err()
            .to_string(),
        "ACO1: `quality` is 1.5; expected a score in [0, 1]"
    );
}

#[test]
fn break_even_with_a_fixed_cost() {
    // Margin per admission 5 x £220 - £500 = £600; 100,000 admissions: £60m per unit of
    // reduction; a fixed £12m breaks even at exactly 20%.
    let rs = rs();
    let u = ShiftInput {
        fixed_cost_pence: Some(12_000_000_00),
        ..ShiftInput::new("ACO1", 100_000)
    };
    let a = rs.break_even_reduction(&u).unwrap();
    assert_eq!(a.reduction, Some(d("0.2")));
    assert_eq!(a.net_savings_pence, 0);
    assert_eq!(a.max_reduction, d("0.4"));
    insta::assert_snapshot!("break_even", a.explanation);
    // No fixed cost: break-even at once.
    let a = rs
        .break_even_reduction(&ShiftInput::new("ACO1", 100_000))
        .unwrap();
    assert_eq!(a.reduction, Some(Decimal::ZERO));
    // Replacement dearer than the bed days it saves: never.
    let a = rs
        .break_even_reduction(&ShiftInput {
            replacement_cost_pence: Some(2_000_00),
            ..u
        })
        .unwrap();
    assert_eq!(a.reduction, None);
    // At 40%: 40,000 x (£1,100 - £2,000) - £12m = -£48m.
    assert_eq!(a.net_savings_pence, -48_000_000_00);
    insta::assert_snapshot!("break_even_unreachable", a.explanation);
}

#[test]
fn reduction_for_the_minimum_savings_rate() {
    // 500,000 assigned: MSR 2% (the table's last row); 2% of £500m = £10m; 50,000
    // admissions x £600 = £30m per unit of reduction; 1/3 -> 0.333334 (0.333333 gives
    // £9,999,990.00).
    let rs = rs();
    let u = ShiftInput::new("ACO1", 50_000);
    let a = rs
        .reduction_for_minimum_savings_rate(&u, 500_000_000_00, 500_000)
        .unwrap();
    assert_eq!(a.reduction, Some(d("0.333334")));
    assert_eq!(a.net_savings_pence, 10_000_020_00);
    insta::assert_snapshot!("minimum_savings_rate", a.explanation);
    let s = |r: &str| {
        rs.shift_settle(
            &ShiftInput {
                reduction: Some(Reduction::OfAdmissions(d(r))),
                ..u.clone()
            },
            500_000_000_00,
            500_000,
            Decimal::ONE,
        )
        .unwrap()
        .settlement
    };
    assert!(s("0.333334").minimum_rate_met);
    assert!(!s("0.333333").minimum_rate_met);
    assert_eq!(
        rs.reduction_for_minimum_savings_rate(&u, 500_000_000_00, 10)
            .unwrap_err()
            .to_string(),
        "ACO1: `assigned_population` is 10; the policy settles populations of 5,000 or more"
    );
}

#[test]
fn reduction_for_the_160m_target() {
    let rs = rs();
    let target = rs.shift_policy().unwrap().net_savings_target_pence.unwrap();
    assert_eq!(target, 160_000_000_00);
    // Four ACOs of 200,000 admissions: £600 x 800,000 = £480m per unit of reduction;
    // £160m at 1/3 -> 0.333334.
    let units: Vec<_> = (1..=4)
        .map(|i| ShiftInput::new(format!("ACO{i}"), 200_000))
        .collect();
    let a = rs.reduction_for_target(&units, target).unwrap();
    assert_eq!(a.reduction, Some(d("0.333334")));
    assert_eq!(a.net_savings_pence, 160_000_320_00);
    insta::assert_snapshot!("target_160m", a.explanation);
    // Three: at most 40% x 600,000 x £600 = £144m.
    let a = rs.reduction_for_target(&units[..3], target).unwrap();
    assert_eq!(a.reduction, None);
    assert_eq!(a.net_savings_pence, 144_000_000_00);
    insta::assert_snapshot!("target_160m_unreachable", a.explanation);
    assert_eq!(
        rs.reduction_for_target(&[], target).unwrap_err(),
        ShiftError::NoUnits
    );
    let bad = [units[0].clone(), ShiftInput::new("ACO9", -3)];
    assert!(
        rs.reduction_for_target(&bad, target)
            .unwrap_err()
            .to_string()
            .starts_with("row 1: ACO9: `emergency_admissions`")
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

/// A unit whose community care costs no more than the bed days it saves.
fn cheap_unit() -> impl Strategy<Value = (ShiftInput, i64)> {
    (
        0i64..3_000_000,
        0i64..=100,
        0i64..=4_000,
        0i64..200_000,
        0u32..=1_000,
        0i64..10_000_000_000,
        1i64..=100,
    )
        .prop_map(|(adm, avoid, bd, cost, frac, fixed, occ)| {
            // replacement <= bed days x cost, as a fraction in thousandths of it
            let margin = i128::from(bd) * i128::from(cost) / 100;
            let repl = (margin * i128::from(frac) / 1_000) as i64;
            let input = ShiftInput {
                avoidable_share: Some(Decimal::new(avoid, 2)),
                reduction: None,
                bed_days_per_admission: Some(Decimal::new(bd, 2)),
                bed_day_cost_pence: Some(cost),
                replacement_cost_pence: Some(repl),
                fixed_cost_pence: Some(fixed),
                occupancy: Some(Decimal::new(occ, 2)),
                ..ShiftInput::new("U", adm)
            };
            (input, avoid * 10_000) // the avoidable share in millionths
        })
}

fn at(input: &ShiftInput, steps: i64) -> ShiftInput {
    ShiftInput {
        reduction: Some(Reduction::OfAdmissions(Decimal::new(steps, 6))),
        ..input.clone()
    }
}

proptest! {
    #[test]
    fn more_avoided_never_lowers_net_savings((u, max) in cheap_unit(), f1 in 0i64..=1_000_000, f2 in 0i64..=1_000_000) {
        let rs = rs();
        let (lo, hi) = (max * f1.min(f2) / 1_000_000, max * f1.max(f2) / 1_000_000);
        let a = rs.shift(&at(&u, lo)).unwrap();
        let b = rs.shift(&at(&u, hi)).unwrap();
        prop_assert!(b.net_savings_pence >= a.net_savings_pence);
        prop_assert!(b.gross_savings_pence >= a.gross_savings_pence);
        prop_assert!(b.beds_released >= a.beds_released);
        for o in [&a, &b] {
            prop_assert_eq!(o.gross_savings_pence - o.reinvestment_pence, o.net_savings_pence);
            prop_assert!(o.reinvestment_pence >= 0);
        }
    }

    #[test]
    fn money_is_within_its_rounding_of_the_exact_value((u, max) in cheap_unit(), f in 0i64..=1_000_000) {
        let o = rs().shift(&at(&u, max * f / 1_000_000)).unwrap();
        // Exact values in millionths of a penny x 10^4 (reduction 6 dp, bed days 2 dp):
        // everything scaled by 10^8.
        let steps = i128::from(max * f / 1_000_000);
        let adm = i128::from(o.emergency_admissions) * steps; // / 10^6
        let bd = adm * o.bed_days_per_admission.mantissa(); // / 10^8
        let scale = 100_000_000i128;
        let gross = bd * i128::from(o.bed_day_cost_pence);
        let reinv = adm * 100 * i128::from(o.replacement_cost_pence) + i128::from(o.fixed_cost_pence) * scale;
        let net = gross - reinv;
        prop_assert!((i128::from(o.gross_savings_pence) * scale - gross).abs() * 2 <= scale);
        prop_assert!((i128::from(o.net_savings_pence) * scale - net).abs() * 2 <= scale);
        prop_assert!((i128::from(o.reinvestment_pence) * scale - reinv).abs() <= scale);
    }

    #[test]
    fn footprint_total_is_the_sum_of_its_units(units in proptest::collection::vec(cheap_unit(), 1..12), f in 0i64..=1_000_000, seed in any::<u64>()) {
        let rs = rs();
        let inputs: Vec<ShiftInput> = units.iter().enumerate().map(|(i, (u, max))| ShiftInput {
            unit_id: format!("U{i}"),
            ..at(u, max * f / 1_000_000)
        }).collect();
        let s = rs.shift_batch(&inputs).unwrap();
        let mut net = 0i64;
        let mut gross = 0i64;
        let mut reinv = 0i64;
        let mut beds = Decimal::ZERO;
        for (i, input) in inputs.iter().enumerate() {
            let o = rs.shift(input).unwrap();
            prop_assert_eq!(&o, &s.units[i]);
            net += o.net_savings_pence;
            gross += o.gross_savings_pence;
            reinv += o.reinvestment_pence;
            beds += o.beds_released;
        }
        prop_assert_eq!(s.totals.net_savings_pence, net);
        prop_assert_eq!(s.totals.gross_savings_pence, gross);
        prop_assert_eq!(s.totals.reinvestment_pence, reinv);
        prop_assert_eq!(s.totals.beds_released, beds);
        // Row order moves no penny.
        let mut shuffled = inputs.clone();
        let n = shuffled.len();
        shuffled.rotate_left((seed as usize) % n);
        prop_assert_eq!(rs.shift_batch(&shuffled).unwrap().totals, s.totals);
    }

    #[test]
    fn settlement_is_monotone_in_the_reduction(
        (u, max) in cheap_unit(),
        f1 in 0i64..=1_000_000, f2 in 0i64..=1_000_000,
        bench in 1i64..1_000_000_000_000, pop in 5_000u64..1_000_000, q in 0i64..=100,
    ) {
        let (lo, hi) = (max * f1.min(f2) / 1_000_000, max * f1.max(f2) / 1_000_000);
        for rs in [rs(), two_sided()] {
            let settle = |steps| rs.shift_settle(&at(&u, steps), bench, pop, Decimal::new(q, 2));
            match (settle(lo), settle(hi)) {
                (Ok(a), Ok(b)) => prop_assert!(b.settlement.final_pence >= a.settlement.final_pence),
                // Net savings above the benchmark: refused, and only ever at the larger reduction.
                (Ok(_), Err(ShiftError::Invalid { field: "benchmark_pence", .. })) => {}
                (Err(ShiftError::Invalid { field: "benchmark_pence", .. }), Err(_)) => {}
                (a, b) => prop_assert!(false, "{a:?} / {b:?}"),
            }
        }
    }

    #[test]
    fn break_even_is_the_exact_smallest_millionth((u, _) in cheap_unit()) {
        let rs = rs();
        let a = rs.break_even_reduction(&u).unwrap();
        let net = |steps: i64| rs.shift(&at(&u, steps)).unwrap().net_savings_pence;
        match a.reduction {
            Some(r) => {
                let steps = (r * Decimal::new(1_000_000, 0)).try_into().unwrap();
                prop_assert!(net(steps) >= 0);
                prop_assert!(steps == 0 || net(steps - 1) < 0);
                prop_assert_eq!(a.net_savings_pence, net(steps));
            }
            None => {
                let max: i64 = (a.max_reduction * Decimal::new(1_000_000, 0)).try_into().unwrap();
                prop_assert!(net(max) < 0);
            }
        }
    }

    #[test]
    fn target_and_minimum_rate_answers_are_the_exact_smallest_millionth(
        units in proptest::collection::vec(cheap_unit(), 1..5),
        target in 0i64..100_000_000_000,
        bench in 1i64..100_000_000_000, pop in 5_000u64..1_000_000,
    ) {
        let rs = rs();
        let inputs: Vec<ShiftInput> = units.into_iter().map(|(u, _)| u).collect();
        let steps_of = |r: Decimal| -> i64 { (r * Decimal::new(1_000_000, 0)).try_into().unwrap() };
        let total = |steps: i64| -> i64 {
            inputs.iter().map(|u| rs.shift(&at(u, steps)).unwrap().net_savings_pence).sum()
        };
        let a = rs.reduction_for_target(&inputs, target).unwrap();
        match a.reduction {
            Some(r) => {
                let s = steps_of(r);
                prop_assert!(total(s) >= target);
                prop_assert!(s == 0 || total(s - 1) < target);
            }
            None => prop_assert!(total(steps_of(a.max_reduction)) < target),
        }
        let u = &inputs[0];
        let met = |steps: i64| -> bool {
            match rs.shift_settle(&at(u, steps), bench, pop, Decimal::ONE) {
                Ok(s) => s.settlement.minimum_rate_met,
                // net savings above the benchmark: a savings rate over 100%
                Err(ShiftError::Invalid { field: "benchmark_pence", .. }) => true,
                Err(e) => panic!("{e}"),
            }
        };
        let a = rs.reduction_for_minimum_savings_rate(u, bench, pop).unwrap();
        match a.reduction {
            Some(r) => {
                let s = steps_of(r);
                prop_assert!(met(s));
                prop_assert!(s == 0 || !met(s - 1));
            }
            None => prop_assert!(!met(steps_of(a.max_reduction))),
        }
    }
}
