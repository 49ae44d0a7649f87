use proptest::prelude::*;

use super::*;
use crate::shift::ShiftInput;

fn rs() -> Ruleset {
    Ruleset::builtin("kent-medway-2017").unwrap()
}

fn seeds() -> Vec<BridgeStep> {
    rs().bridge_policy().unwrap().steps().to_vec()
}

/// The demo's INVENTED activity (examples/kent-medway-activity.csv).
fn activity() -> Vec<ShiftInput> {
    [
        ("ACO1", 44_648),
        ("ACO2", 45_990),
        ("ACO3", 49_813),
        ("ACO4", 41_854),
    ]
    .into_iter()
    .map(|(id, n)| ShiftInput::new(id, n))
    .collect()
}

fn step(id: &str, kind: StepKind, order: Option<i64>, amount: Option<i64>) -> BridgeStep {
    BridgeStep::new(id, id, kind, order, amount, "test")
}

#[test]
fn the_seeds_bridge_to_the_penny() {
    let b = rs().bridge(&seeds(), None).unwrap();
    assert_eq!(b.start_pence, -43_400_000_000);
    // -£434m + £160m (stated) + £48m + £50m + £35m + £6m + £7m + £12m + £9m + £23m.
    assert_eq!(b.residual_pence, -8_400_000_000);
    assert_eq!(b.unquantified, 1);
    assert_eq!(b.rows.len(), 12);
    assert_eq!(b.rows[1].basis, Basis::Stated);
    assert_eq!(b.rows[2].amount_pence, None);
    assert_eq!(b.rows[2].basis, Basis::Unquantified);
    assert_eq!(b.rows[2].running_total_pence, b.rows[1].running_total_pence);
    insta::assert_snapshot!(b.explanation.join("\n"));
}

#[test]
fn the_local_care_step_computed_by_the_shift_left_model() {
    let b = rs().bridge(&seeds(), Some(&activity())).unwrap();
    let local = &b.rows[1];
    assert_eq!(local.basis, Basis::Model);
    // The shift-left model's net savings over the four ACOs (docs/shift.md; the demo).
    assert_eq!(local.amount_pence, Some(3_281_490_000));
    assert_eq!(local.stated_pence, Some(16_000_000_000));
    assert_eq!(
        b.residual_pence,
        -43_400_000_000 + 3_281_490_000 + 19_000_000_000
    );
    insta::assert_snapshot!(b.explanation.join("\n"));
}

#[test]
fn errors_name_the_step() {
    let r = rs();
    let run = |steps: Vec<BridgeStep>| r.bridge(&steps, None).unwrap_err();
    let start = || step("s", StepKind::Start, None, Some(-100));
    assert_eq!(run(vec![]), BridgeError::NoSteps);
    assert_eq!(
        run(vec![start(), step(" ", StepKind::Given, Some(1), Some(1))]),
        BridgeError::EmptyId { index: 1 }
    );
    assert_eq!(
        run(vec![start(), step("s", StepKind::Given, Some(1), Some(1))]).step(),
        Some("s")
    );
    assert_eq!(
        run(vec![step("a", StepKind::Given, Some(1), Some(1))]),
        BridgeError::NoStart
    );
    assert!(matches!(
        run(vec![start(), step("t", StepKind::Start, None, Some(1))]),
        BridgeError::TwoStarts { .. }
    ));
    assert!(matches!(
        run(vec![
            start(),
            step("residual", StepKind::Given, Some(1), Some(1))
        ]),
        BridgeError::ResidualGiven { .. }
    ));
    assert!(matches!(
        run(vec![start(), step("a", StepKind::Given, None, Some(1))]),
        BridgeError::MissingOrder { .. }
    ));
    assert!(matches!(
        run(vec![
            start(),
            step("a", StepKind::Given, Some(1), Some(1)),
            step("b", StepKind::Given, Some(1), Some(1))
        ]),
        BridgeError::DuplicateOrder { order: 1, .. }
    ));
    assert!(matches!(
        run(vec![start(), step("a", StepKind::Given, Some(1), None)]),
        BridgeError::MissingAmount { kind: "given", .. }
    ));
    assert!(matches!(
        run(vec![
            start(),
            step("a", StepKind::Unquantified, Some(1), Some(0))
        ]),
        BridgeError::AmountOnUnquantified { .. }
    ));
    assert!(matches!(
        run(vec![
            start(),
            BridgeStep::new("a", "a", StepKind::Given, Some(1), Some(1), "")
        ]),
        BridgeError::MissingSource { .. }
    ));
    assert!(matches!(
        run(vec![start(), step("a", StepKind::Computed, Some(1), None)]),
        BridgeError::MissingModelInput { .. }
    ));
    assert!(matches!(
        run(vec![
            start(),
            step("a", StepKind::Computed, Some(1), Some(1)),
            step("b", StepKind::Computed, Some(2), Some(1))
        ]),
        BridgeError::SecondComputed { .. }
    ));
    assert!(matches!(
        run(vec![
            step("s", StepKind::Start, None, Some(i64::MAX)),
            step("a", StepKind::Given, Some(1), Some(1))
        ]),
        BridgeError::Overflow { .. }
    ));
    let bad = vec![ShiftInput::new("ACO1", -1)];
    let e = r
        .bridge(
            &[start(), step("a", StepKind::Computed, Some(1), None)],
            Some(&bad),
        )
        .unwrap_err();
    assert!(
        matches!(&e, BridgeError::Model { step, .. } if step == "a"),
        "{e}"
    );
    let errors: Vec<String> = [
        run(vec![]),
        run(vec![start(), step("", StepKind::Given, Some(1), Some(1))]),
        run(vec![start(), step("a", StepKind::Computed, Some(1), None)]),
        e,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    insta::assert_snapshot!(errors.join("\n"));
}

#[test]
fn a_ruleset_cannot_carry_a_bridge_the_engine_refuses() {
    let text = include_str!("../../rulesets/kent-medway-2017.toml");
    let e = Ruleset::parse_toml(
        &text.replacen("order = 21\n", "order = 20\n", 1),
        "bad.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("bridge.steps[3]") && e.contains("order 20"),
        "{e}"
    );
    let e = Ruleset::parse_toml(
        &text.replacen("kind = \"unquantified\"", "kind = \"tbc\"", 1),
        "bad.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("bridge.steps[2].kind"), "{e}");
}

/// A start and up to 12 steps with distinct orders, now and then one computed (stating
/// an amount or not), and activity for it or none: a third of the demo's to three
/// times it.
fn arb_bridge() -> impl Strategy<Value = (Vec<BridgeStep>, Option<Vec<ShiftInput>>)> {
    let amount = -1_000_000_000_000i64..1_000_000_000_000;
    (
        amount.clone(),
        prop::collection::vec((amount.clone(), any::<bool>()), 0..12),
        prop::collection::btree_set(-1000i64..1000, 13),
        prop::option::of((prop::option::of(amount), 0usize..13)),
        prop::option::of(1i64..10),
    )
        .prop_map(|(start, steps, orders, computed, scale)| {
            let orders: Vec<i64> = orders.into_iter().collect();
            let mut out = vec![step("start", StepKind::Start, None, Some(start))];
            for (i, (a, quantified)) in steps.into_iter().enumerate() {
                let (kind, amount) = if quantified {
                    (StepKind::Given, Some(a))
                } else {
                    (StepKind::Unquantified, None)
                };
                out.push(step(&format!("s{i}"), kind, Some(orders[i]), amount));
            }
            if let Some((stated, at)) = computed {
                // The 13th order is never a given step's: at most 12 are drawn.
                out.insert(
                    at.min(out.len()),
                    step("model", StepKind::Computed, Some(orders[12]), stated),
                );
            }
            let activity = scale.map(|k| {
                activity()
                    .into_iter()
                    .map(|a| ShiftInput::new(&a.unit_id, a.emergency_admissions * k / 3))
                    .collect()
            });
            (out, activity)
        })
}

proptest! {
    #[test]
    fn running_totals_telescope((steps, activity) in arb_bridge()) {
        let r = rs();
        let computed = steps.iter().find(|s| s.kind == StepKind::Computed);
        let b = match r.bridge(&steps, activity.as_deref()) {
            Ok(b) => b,
            Err(e) => {
                // Only a computed step that states nothing, with no activity, is refused.
                prop_assert!(activity.is_none() && computed.is_some_and(|c| c.amount_pence.is_none()));
                prop_assert_eq!(e, BridgeError::MissingModelInput { step: "model".into() });
                return Ok(());
            }
        };
        // The computed step moves the model's net savings, or what it states.
        let model = activity
            .as_deref()
            .map(|a| r.shift_batch(a).unwrap().totals.net_savings_pence);
        let sum: i64 = steps
            .iter()
            .filter_map(|s| match s.kind {
                StepKind::Computed => model.or(s.amount_pence),
                _ => s.amount_pence,
            })
            .sum();
        prop_assert_eq!(b.residual_pence, sum);
        if let (Some(c), Some(m)) = (computed, model) {
            let row = b.rows.iter().find(|row| row.id == c.id).unwrap();
            prop_assert_eq!(row.basis, Basis::Model);
            prop_assert_eq!(row.amount_pence, Some(m));
            prop_assert_eq!(row.stated_pence, c.amount_pence);
        }
        let mut position = 0i64;
        for r in &b.rows[..b.rows.len() - 1] {
            position += r.amount_pence.unwrap_or(0);
            prop_assert_eq!(r.running_total_pence, position);
        }
        prop_assert_eq!(b.rows.last().unwrap().running_total_pence, b.residual_pence);
        // Rows follow the declared order.
        let orders: Vec<i64> = b.rows.iter().filter_map(|r| r.order).collect();
        prop_assert!(orders.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_steps_are_given_in(
        (steps, activity) in arb_bridge(),
        seed in any::<u64>(),
    ) {
        let r = rs();
        let mut shuffled = steps.clone();
        // A deterministic shuffle from the seed (Fisher-Yates with an LCG).
        let mut x = seed;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(
            r.bridge(&steps, activity.as_deref()),
            r.bridge(&shuffled, activity.as_deref())
        );
    }
}
