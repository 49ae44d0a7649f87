//! Sweeps (`PreparedFootprint::sweep`): many scenarios on one prepared footprint.

use localcare::Allocation;
use localcare::allocate::{AllocationError, Scenario};
use localcare::ruleset::AllocationPolicy;
use localcare::rust_decimal::Decimal;

use crate::Bytes;
use crate::fixtures::{default_ruleset, footprint};

/// The ruleset's policy with its pace of change, weights and shares moved (now and
/// then a policy the ruleset refuses, or one with other pots).
fn policy(b: &mut Bytes<'_>, base: &AllocationPolicy) -> AllocationPolicy {
    let mut p = base.clone();
    if b.flag() {
        p.aco_commissioned_share = b.share();
    }
    if b.flag() {
        p.inequalities_weight = b.share();
    }
    if let Some(pace) = p.pace_of_change.as_mut() {
        pace.rate = b.share();
        pace.min_growth = b.maybe(|b| b.share() - Decimal::new(5, 1));
        pace.max_growth = b.maybe(Bytes::share);
    }
    if b.flag() {
        p.pace_of_change = None;
    }
    if let Some(r) = p.retained_share.first_mut().filter(|_| b.flag()) {
        *r = b.share();
    }
    if b.u8() % 8 == 0 {
        if let Some(pot) = p.pots.first_mut() {
            pot.id = "other_pot".into();
        }
    }
    p
}

/// The scenario's allocation column by row (units, then pots): what the sweep's row
/// must equal.
fn column(a: &Allocation, f: fn(&localcare::allocate::AllocationRow<'_>) -> i64) -> Vec<i64> {
    a.rows().map(|r| f(&r)).collect()
}

/// Up to six scenarios (budgets of any size, baselines for every ACO, some or an
/// unknown one, policies of their own) on an arbitrary footprint: refused with an
/// error, or each scenario's rows (ids, allocations, targets, distances from target)
/// equal a single `allocate` of that scenario; each scenario conserves its budget at
/// every node; and the scenarios in reverse give the rows in reverse. A refusal names a
/// scenario that a single `allocate` refuses too (or one whose policy changes the pots).
pub fn sweep(data: &[u8]) {
    let mut b = Bytes(data);
    let rs = default_ruleset();
    let (fp, needs, acos) = footprint(&mut b);
    let Ok(prepared) = rs.prepare(&fp, &needs) else {
        return;
    };
    let base = rs
        .allocation_policy()
        .expect("the default ruleset allocates");
    let scenarios: Vec<Scenario> = (0..b.below(7))
        .map(|_| {
            let mut s = Scenario::budget(b.pence());
            match b.u8() % 4 {
                0 => {}
                1 => s.baselines = acos.iter().map(|a| (a.clone(), b.pence())).collect(),
                2 => s.baselines = vec![(acos[0].clone(), b.pence())],
                _ => s.baselines = vec![("nowhere".into(), b.pence())],
            }
            if b.u8() % 4 == 0 {
                s.policy = Some(policy(&mut b, base));
            }
            s
        })
        .collect();
    let singles: Vec<Result<Allocation, AllocationError>> =
        scenarios.iter().map(|s| prepared.allocate(s)).collect();
    let sw = match prepared.sweep(&scenarios) {
        Ok(sw) => sw,
        Err(AllocationError::Scenario { index, source }) => {
            if !matches!(*source, AllocationError::SweepPots { .. }) {
                assert!(
                    singles[index].is_err(),
                    "the sweep refuses scenario {index} ({source}), which allocates alone"
                );
            }
            return;
        }
        Err(e) => panic!("a sweep refused without naming a scenario: {e}"),
    };
    assert_eq!(sw.scenario_count(), scenarios.len());
    let distances: Vec<Option<i64>> = sw.distance_from_target_ppm().collect();
    for (i, single) in singles.iter().enumerate() {
        let a = single
            .as_ref()
            .unwrap_or_else(|e| panic!("scenario {i} sweeps but alone is refused: {e}"));
        let ids: Vec<&str> = a.rows().map(|r| r.unit_id).collect();
        assert!(
            sw.row_ids().eq(ids.iter().copied()),
            "scenario {i}: other rows"
        );
        assert_eq!(
            sw.scenario_allocation(i),
            column(a, |r| r.allocation_pence),
            "scenario {i}: allocations differ from a single allocate"
        );
        assert_eq!(
            sw.scenario_target(i),
            column(a, |r| r.target_pence),
            "scenario {i}: targets differ from a single allocate"
        );
        let w = sw.width();
        let d: Vec<Option<i64>> = a.rows().map(|r| r.distance_from_target_ppm).collect();
        assert_eq!(
            &distances[i * w..(i + 1) * w],
            d,
            "scenario {i}: distances differ"
        );
        // Money conserved: the top rows add up to the budget, and at every unit its
        // children and what it keeps add up to what it gets.
        let alloc = sw.scenario_allocation(i);
        let rows: Vec<_> = a.rows().collect();
        let top: i128 = rows
            .iter()
            .zip(alloc)
            .filter(|(r, _)| r.parent_id.is_none())
            .map(|(_, &x)| i128::from(x))
            .sum();
        assert_eq!(
            top,
            i128::from(scenarios[i].budget_pence),
            "scenario {i}: budget"
        );
        for (r, &x) in rows.iter().zip(alloc) {
            assert!(x >= 0, "scenario {i}: {} is negative", r.unit_id);
            let children: Vec<i128> = rows
                .iter()
                .zip(alloc)
                .filter(|(c, _)| c.parent_id == Some(r.unit_id))
                .map(|(_, &c)| i128::from(c))
                .collect();
            if !children.is_empty() {
                assert_eq!(
                    children.iter().sum::<i128>() + i128::from(r.retained_pence),
                    i128::from(x),
                    "scenario {i}: money not conserved at {}",
                    r.unit_id
                );
            }
        }
    }
    // The scenarios in reverse: the rows in reverse.
    let mut reversed = scenarios.clone();
    reversed.reverse();
    let back = prepared
        .sweep(&reversed)
        .expect("reversed scenarios are refused");
    for i in 0..scenarios.len() {
        assert_eq!(
            back.scenario_allocation(scenarios.len() - 1 - i),
            sw.scenario_allocation(i),
            "scenario order moved money"
        );
    }
}
