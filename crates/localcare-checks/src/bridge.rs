//! The system financial bridge (`localcare::bridge`), from drawn steps or from a
//! `bridge_steps` CSV: refused with an error (placed at a step when it names one), or
//! start + the quantified steps = the residual exactly, every running total the one
//! before plus the step, the steps in their declared order, and the same bridge
//! whatever order the steps are given in. Its tables write as CSV and JSON.

use localcare::bridge::{Basis, Bridge, BridgeStep, StepKind};
use localcare::shift::ShiftInput;
use localcare_tables::run::bridge::{BridgeTables, bridge as run_bridge};
use localcare_tables::spec::Face;
use localcare_tables::{csv, json, write};

use crate::Bytes;
use crate::fixtures::default_ruleset;
use crate::shift::input as shift_input;

/// A step id: mostly distinct, now and then a repeat, empty or `residual`.
fn id(b: &mut Bytes<'_>, i: usize) -> String {
    match b.u8() % 16 {
        0 => format!("s{}", b.below(4)),
        1 => String::new(),
        2 => "residual".into(),
        _ => format!("s{i}"),
    }
}

/// A signed amount: mostly up to ±£1bn, now and then any 64-bit number.
fn amount(b: &mut Bytes<'_>) -> i64 {
    if b.u8() % 8 == 0 {
        b.i64()
    } else {
        b.i64() % 100_000_000_000
    }
}

fn step(b: &mut Bytes<'_>, i: usize) -> BridgeStep {
    let kind = match b.u8() % 12 {
        0 => StepKind::Start,
        1 => StepKind::Computed,
        2 => StepKind::Unquantified,
        3 => StepKind::Residual,
        _ => StepKind::Given,
    };
    let id = id(b, i);
    let order = match b.u8() % 8 {
        0 => None,
        1 => Some(b.i64()),
        _ => Some(i64::from(b.u8() % 32) - 4),
    };
    let amount_pence = b.maybe(amount);
    let source = if b.u8() % 8 == 0 {
        String::new()
    } else {
        format!("source {i}")
    };
    BridgeStep::new(id, format!("Step {i}"), kind, order, amount_pence, source)
}

/// What holds of every bridge walked from `steps`.
fn holds(bridge: &Bridge, steps: &[BridgeStep]) {
    let rows = &bridge.rows;
    assert_eq!(
        rows.len(),
        steps.len() + 1,
        "one row per step and the residual"
    );
    assert_eq!(rows[0].kind, StepKind::Start);
    assert_eq!(rows[0].running_total_pence, bridge.start_pence);
    let last = rows.last().expect("rows");
    assert_eq!(last.kind, StepKind::Residual);
    assert_eq!(last.running_total_pence, bridge.residual_pence);
    let mut sum = i128::from(bridge.start_pence);
    let mut position = bridge.start_pence;
    for pair in rows[1..rows.len() - 1].windows(2) {
        assert!(pair[0].order < pair[1].order, "steps out of order");
    }
    for r in &rows[1..rows.len() - 1] {
        match r.amount_pence {
            Some(a) => {
                sum += i128::from(a);
                position += a;
                assert_ne!(r.basis, Basis::Unquantified, "{} moves money", r.id);
            }
            None => assert_eq!(r.basis, Basis::Unquantified, "{} moves nothing", r.id),
        }
        assert_eq!(r.running_total_pence, position, "{}'s running total", r.id);
    }
    assert_eq!(
        sum,
        i128::from(bridge.residual_pence),
        "start + steps != residual"
    );
    let unquantified = rows
        .iter()
        .filter(|r| r.basis == Basis::Unquantified)
        .count();
    assert_eq!(unquantified, bridge.unquantified);
    assert!(!bridge.explanation.is_empty(), "a bridge without words");
    for face in [Face::Cli, Face::Python, Face::C] {
        let table = write::bridge(bridge, face);
        assert_eq!(table.num_rows(), rows.len());
        csv::write(&table);
        json::write_table(&table, &mut std::io::sink()).expect("JSON to a sink");
        csv::write(&write::bridge_steps(steps, face));
    }
}

/// Drawn steps and, now and then, activity for a computed step (first byte even); or a
/// `bridge_steps` CSV (first byte odd), under the built-in `kent-medway-2017`.
pub fn bridge(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let rs = default_ruleset();
    if kind % 2 == 1 {
        let Ok(file) = csv::read(rest) else {
            return;
        };
        let tables = BridgeTables {
            steps: Some(&file.table),
            activity: None,
        };
        if let Ok(b) = run_bridge(rs, tables) {
            holds(&b.bridge, &b.steps);
            assert!(!b.text().is_empty());
        }
        return;
    }
    let mut b = Bytes(rest);
    let n = b.below(9);
    let mut steps: Vec<BridgeStep> = (0..n).map(|i| step(&mut b, i)).collect();
    if b.flag() {
        steps.insert(
            0,
            BridgeStep::new(
                "start",
                "Do nothing",
                StepKind::Start,
                None,
                Some(amount(&mut b)),
                "seed",
            ),
        );
    }
    let activity: Option<Vec<ShiftInput>> = b.flag().then(|| {
        (0..1 + b.below(3))
            .map(|i| shift_input(&mut b, i))
            .collect()
    });
    let walked = rs.bridge(&steps, activity.as_deref());
    let mut reversed = steps.clone();
    reversed.reverse();
    let again = rs.bridge(&reversed, activity.as_deref());
    match walked {
        Ok(bridge) => {
            holds(&bridge, &steps);
            let again = again.expect("the same steps reversed are refused");
            assert_eq!(
                again.rows, bridge.rows,
                "the bridge depends on the steps' order"
            );
            assert_eq!(again.residual_pence, bridge.residual_pence);
        }
        Err(e) => {
            assert!(
                again.is_err(),
                "refused in one order, walked in the other: {e}"
            );
            if let Some(i) = e.index(&steps) {
                assert!(i < steps.len(), "{e} placed at step {i} of {}", steps.len());
            }
            assert!(!e.to_string().is_empty());
        }
    }
}
