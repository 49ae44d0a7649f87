//! Budget lines (`docs/allocation.md#budget-lines`): a budget given as amounts per line
//! (NHS England's core services, primary medical care, ...), each split by its own
//! component's weighted population through the same tree, commissioner split, pace of
//! change and retained shares. Each line is a whole allocation, checked like any (its
//! children plus what a unit retains equal the unit's allocation, to the penny, at every
//! node); the allocation returned is their sum, column by column, so it is conserved
//! too and its total is the sum of the lines.

use std::collections::HashSet;

use super::{
    Allocation, AllocationError, LineAllocation, PolicyRun, PreparedFootprint, Scenario, Weights,
    components::ComponentWeights,
};

impl PreparedFootprint {
    /// A component's weights, if the needs gave it.
    pub(super) fn component(&self, id: &str) -> Option<&ComponentWeights> {
        self.components.iter().find(|c| c.id == id)
    }

    /// A scenario of lines: each line allocated on its own, then summed.
    pub(super) fn allocate_lines(
        &self,
        run: &PolicyRun,
        scenario: &Scenario,
    ) -> Result<Allocation, AllocationError> {
        let total: i128 = scenario
            .lines
            .iter()
            .map(|l| i128::from(l.budget_pence))
            .sum();
        if total != i128::from(scenario.budget_pence) {
            return Err(AllocationError::LinesTotal {
                lines: total,
                budget: scenario.budget_pence,
            });
        }
        if !scenario.baselines.is_empty() {
            return Err(AllocationError::LineBaselines);
        }
        let policy = &run.policy;
        let mut seen = HashSet::new();
        let mut lines = Vec::with_capacity(scenario.lines.len());
        for l in &scenario.lines {
            if !seen.insert(l.line.as_str()) {
                return Err(AllocationError::LineDuplicate {
                    line: l.line.clone(),
                });
            }
            let comp =
                policy
                    .line_component(&l.line)
                    .ok_or_else(|| AllocationError::UnknownLine {
                        line: l.line.clone(),
                        ruleset: self.ruleset.id().to_string(),
                        known: known_lines(policy),
                    })?;
            let weights =
                self.component(&comp.id)
                    .ok_or_else(|| AllocationError::ComponentNotGiven {
                        line: l.line.clone(),
                        component: comp.id.clone(),
                        column: comp.column(),
                    })?;
            let w = Weights {
                wp: &weights.wp,
                shares: &weights.shares,
            };
            let allocation =
                self.allocate_one(run, w, l.budget_pence, &l.baselines, Some(&comp.id))?;
            lines.push(LineAllocation {
                line: l.line.clone(),
                component: comp.id.clone(),
                allocation,
            });
        }
        let mut total = self.allocate_one(run, run.weights(), 0, &[], None)?;
        sum_lines(&mut total, lines)?;
        total.check_sum()?;
        Ok(total)
    }
}

/// Makes `total` (an allocation of nothing under the formula, for its per-head and
/// labels) the sum of `lines`, column by column.
fn sum_lines(total: &mut Allocation, lines: Vec<LineAllocation>) -> Result<(), AllocationError> {
    let n = total.target.len();
    let overflow = || AllocationError::Money {
        context: "the sum of the budget lines".into(),
        source: crate::money::MoneyError::Overflow,
    };
    let add = |acc: i64, x: i64| acc.checked_add(x).ok_or_else(overflow);
    let any_pace = lines.iter().any(|l| l.allocation.allocation.is_some());
    let all_baselines = lines.iter().all(|l| !l.allocation.baseline.is_empty());
    let mut allocation = vec![0i64; if any_pace { n } else { 0 }];
    let mut baseline = vec![0i64; if all_baselines { total.tree.roots } else { 0 }];
    for l in &lines {
        let a = &l.allocation;
        total.budget_pence = add(total.budget_pence, a.budget_pence)?;
        total.aco_pool_pence = add(total.aco_pool_pence, a.aco_pool_pence)?;
        for q in 0..n {
            total.target[q] = add(total.target[q], a.target[q])?;
            total.retained[q] = add(total.retained[q], a.retained[q])?;
            if any_pace {
                allocation[q] = add(allocation[q], a.allocation_pence()[q])?;
            }
        }
        for (b, &x) in baseline.iter_mut().zip(&a.baseline) {
            *b = add(*b, x)?;
        }
        for (p, lp) in total.pots.iter_mut().zip(&a.pots) {
            debug_assert_eq!(p.id, lp.id);
            p.allocation_pence = add(p.allocation_pence, lp.allocation_pence)?;
        }
    }
    total.allocation = any_pace.then_some(allocation);
    total.baseline = baseline;
    total.lines = lines;
    Ok(())
}

fn known_lines(policy: &super::AllocationPolicy) -> String {
    let ids: Vec<&str> = policy
        .budget_lines
        .iter()
        .map(|l| l.id.as_str())
        .chain(policy.components.iter().map(|c| c.id.as_str()))
        .collect();
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}
